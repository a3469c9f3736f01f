from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from pipeline.models import WinProbabilityModel
from pipeline.selectors.winprob import excluded_in_words
from pipeline.services.winprob import win_model_request, win_model_rerun, win_model_train


def _date(value: str, name: str):
    day = parse_date(value) if value else None
    if value and day is None:
        raise CommandError(_("%(name)s: not a date (YYYY-MM-DD): “%(value)s”.") % {"name": name, "value": value})
    return day


class Command(BaseCommand):
    help = _("Train the deal win-probability model on closed deals now and print its figures (Brier score "
             "and calibration by decile on the held-out quarters, against the stage table).")

    def add_arguments(self, parser):
        parser.add_argument("--cutoff", default="", help=_("Use deals closed before this day (default: now)."))
        parser.add_argument("--window-start", default="", help=_("Use deals closed from this day (default: all)."))
        parser.add_argument("--holdout-quarters", type=int, default=1, help=_("Quarters held out to measure."))
        parser.add_argument("--random-state", type=int, default=0)
        parser.add_argument("--activate", choices=WinProbabilityModel.Activate.values, default="auto",
                            help=_("auto: only if it beats the stage table on the held-out deals."))
        parser.add_argument("--rerun", type=int, default=None, help=_("Train again with the inputs of this model id."))

    def handle(self, *args, **options):
        try:
            if options["rerun"] is not None:
                source = WinProbabilityModel.objects.filter(pk=options["rerun"]).first()
                if source is None:
                    raise CommandError(_("No win-probability model #%(id)s.") % {"id": options["rerun"]})
                model = win_model_rerun(model=source)
            else:
                cutoff = _date(options["cutoff"], "--cutoff")
                model = win_model_request(
                    cutoff=timezone.make_aware(datetime.combine(cutoff, time.min)) if cutoff else None,
                    window_start=_date(options["window_start"], "--window-start"),
                    holdout_quarters=options["holdout_quarters"], random_state=options["random_state"],
                    activate=options["activate"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        model = win_model_train(model_id=model.pk)  # a worker that got it first leaves it done
        model.refresh_from_db()
        if model.status != WinProbabilityModel.Status.DONE:
            raise CommandError(model.failure_message or model.get_status_display())
        self.stdout.write(report(model))


def report(model: WinProbabilityModel) -> str:
    """The model's figures as text (the command and the real-data test print it)."""
    figures = model.figures
    brier = figures["holdout"]["brier"]
    lines = [
        _("Win-probability model #%(id)s: %(train)s training deals, %(holdout)s held out (closed from %(start)s); "
          "active: %(active)s; data %(fingerprint)s") % {
            "id": model.pk, "train": model.training_deals, "holdout": model.holdout_deals,
            "start": model.holdout_start, "active": model.is_active, "fingerprint": model.data_fingerprint[:12]},
        _("Brier score (held out): model %(model)s, stage table %(table)s, stage default %(default)s") % {
            "model": brier["model"], "table": brier["stage_table"], "default": brier["stage_default"]},
        _("Calibration by decile (held out): predicted / actual win rate"),
    ]
    deciles = figures["holdout"]["deciles"]
    for m, t in zip(deciles["model"], deciles["stage_table"]):
        lines.append(f"  {m['part']:>2}  model {m['predicted']:.3f} / {m['actual']:.3f} (n={m['deals']})   "
                     f"stage table {t['predicted']:.3f} / {t['actual']:.3f}")
    lines.append(_("Brier score per quarter of close: model / stage table (* held out)"))
    for q in figures["per_quarter"]:
        lines.append(f"  {q['quarter']}{'*' if q['held_out'] else ' '} n={q['deals']:<5} {q['model']:.4f} / "
                     f"{q['stage_table']:.4f}")
    excluded = excluded_in_words(model.features or [])
    if excluded:
        lines.append(_("Left out of the model:"))
        lines += [f"  {f['column']} (AUC {f['auc']}): {f['reason_text']}" for f in excluded]
    return "\n".join(lines)
