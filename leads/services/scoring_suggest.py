"""Suggested weights (issue 16 items 2 and 5): start a suggestion, run it in the background, re-run it.

`suggestion_start` records the inputs (ScoringSuggestion, status "queued") and queues
`scoring_suggestion_run_task` after commit. The task calls `suggestion_run`, which

1. claims the row (SKIP LOCKED, as nurture's _claim_step): a queued one, or a running one whose
   worker has been silent for SALESOPS_SUGGEST_STALE_SECONDS — so a suggestion runs at most once
   at a time and a dead worker's job is taken over;
2. reads the history set-based — one SELECT of the leads' attributes and outcome, one GROUP BY of
   their behaviour event counts — at most SALESOPS_SUGGEST_MAX_LEADS leads (every k-th id beyond);
3. fits the model (leads.scoring_suggest, pure) on the training rows;
4. in ONE transaction: saves the draft through rule_set_save_draft (never published: a person
   publishes it like any draft), scores the held-out rows with the base set and with the draft in
   the database (leads.services.scoring_quality: one GROUP BY each) and marks the record done.
   A worker dying before that commit leaves nothing behind: the next run starts again cleanly.

Any error marks the suggestion failed with its reason. A re-run copies the inputs (period, segment,
share, targets, as-of moment, random state, row cap) into a new record; on the same data it gives
the same rules and figures.
"""
import logging
from datetime import timedelta
from math import ceil

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, IntegerField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.queue import enqueue, enqueue_on_commit
from teams.predicates import can_manage_scoring

from .. import scoring_suggest as pure
from ..models import LeadEvent, RuleSet, ScoringSuggestion
from ..selectors import rule_set_spec
from .scoring import rule_set_save_draft
from .scoring_quality import Segment, quality_figures, quality_histogram, segment_queryset

logger = logging.getLogger(__name__)

# Seeded texts (leads.scoring_display.SEEDED_TEXTS): stored in English, shown in the reader's language.
DRAFT_NAME = "Suggested weights"
DRAFT_NOTES = ("Learned from converted and not-converted history; compare it with the current rule set on "
               "its suggestion page before you publish it.")

ERROR_MESSAGES = {
    "no_leads": gettext_lazy("No leads in this period and segment."),
    "one_outcome": gettext_lazy("The training leads all converted, or none did: there is nothing to learn from."),
    "no_features": gettext_lazy("No attribute or behaviour separates the leads that converted from the rest."),
    "no_requester": gettext_lazy("The person who asked for this suggestion no longer exists."),
    "no_base": gettext_lazy("The rule set to compare with was deleted."),
    "too_many_attempts": gettext_lazy("Stopped after several workers stopped without finishing."),
    "error": gettext_lazy("The suggestion failed; the log has the details."),
}


def error_message(suggestion: ScoringSuggestion) -> str:
    """The reason a suggestion failed, in the current language."""
    if suggestion.status != ScoringSuggestion.Status.FAILED:
        return ""
    message = ERROR_MESSAGES.get(suggestion.error_code)
    return str(message) if message is not None else suggestion.error


def _segment(suggestion: ScoringSuggestion) -> Segment:
    f = suggestion.filters or {}
    return Segment(start=suggestion.start, end=suggestion.end, sources=tuple(f.get("source") or ()),
                   owner=f.get("owner"), team=f.get("team"))


def _check(user) -> None:
    if not can_manage_scoring(user):
        raise PermissionDenied(_("Only marketing and administrators edit scoring rules."))


# --- starting -----------------------------------------------------------------------------------
@transaction.atomic
def suggestion_start(*, by, base_rule_set: RuleSet, segment: Segment | None = None, held_out_percent: int = 25,
                     targets: list[float] | None = None, as_of=None, random_state: int = 16,
                     max_leads: int | None = None, rerun_of: ScoringSuggestion | None = None) -> ScoringSuggestion:
    """Record a suggestion and queue it (after commit). `targets`: conversion (0–1) each bounded
    grade of the base set aims at, top first (default: leads.scoring_suggest.default_targets)."""
    _check(by)
    segment = segment or Segment()
    if segment.start and segment.end and segment.start > segment.end:
        raise ValidationError({"end": [_("The start date must not be after the end date.")]})
    if not 10 <= held_out_percent <= 50:
        raise ValidationError({"held_out_percent": [_("Hold out between 10 and 50 percent of the leads.")]})
    bounded = sum(1 for g in base_rule_set.grades.all() if g.lower_bound is not None)
    targets = list(targets or [])
    if targets and (len(targets) != bounded or any(not 0 < t < 1 for t in targets)
                    or targets != sorted(targets, reverse=True)):
        raise ValidationError({"targets": [_("Give one conversion target per grade with a lower bound "
                                             "(%(n)s), each between 0 and 1, highest grade first and "
                                             "decreasing.") % {"n": bounded}]})
    suggestion = ScoringSuggestion.objects.create(
        requested_by=by, base_rule_set=base_rule_set, start=segment.start, end=segment.end,
        filters={"source": list(segment.sources), "owner": segment.owner, "team": segment.team},
        held_out_percent=held_out_percent, targets=targets, as_of=as_of or timezone.now(),
        random_state=random_state, max_leads=max_leads or settings.SALESOPS_SUGGEST_MAX_LEADS, rerun_of=rerun_of)
    from ..tasks import scoring_suggestion_run_task  # lazy: tasks import this module lazily too

    enqueue_on_commit(scoring_suggestion_run_task, suggestion.pk)
    return suggestion


def suggestion_rerun(*, by, suggestion: ScoringSuggestion) -> ScoringSuggestion:
    """A new suggestion with the same inputs (as-of moment and random state included)."""
    if suggestion.base_rule_set is None:
        raise ValidationError(str(ERROR_MESSAGES["no_base"]))
    return suggestion_start(by=by, base_rule_set=suggestion.base_rule_set, segment=_segment(suggestion),
                            held_out_percent=suggestion.held_out_percent, targets=suggestion.targets,
                            as_of=suggestion.as_of, random_state=suggestion.random_state,
                            max_leads=suggestion.max_leads, rerun_of=suggestion)


# --- running ------------------------------------------------------------------------------------
def _claim(*, suggestion_id: int, now) -> ScoringSuggestion | None:
    """Take the suggestion for this worker, or None: another worker holds it (its row is locked, or
    it is running and was heard from recently) or it is finished. A stale run is taken over; after
    LEADS_JOB_MAX_ATTEMPTS takeovers it is failed instead."""
    stale = now - timedelta(seconds=settings.SALESOPS_SUGGEST_STALE_SECONDS)
    with transaction.atomic():
        suggestion = (ScoringSuggestion.objects.select_for_update(skip_locked=True)
                      .filter(pk=suggestion_id)
                      .filter(Q(status=ScoringSuggestion.Status.QUEUED)
                              | Q(status=ScoringSuggestion.Status.RUNNING, heartbeat_at__lt=stale))
                      .first())
        if suggestion is None:
            return None
        if suggestion.attempts >= settings.LEADS_JOB_MAX_ATTEMPTS:
            _mark_failed(suggestion, code="too_many_attempts", detail="", now=now)
            return None
        suggestion.status = ScoringSuggestion.Status.RUNNING
        suggestion.attempts += 1
        suggestion.started_at = suggestion.started_at or now
        suggestion.heartbeat_at = now
        suggestion.save(update_fields=["status", "attempts", "started_at", "heartbeat_at"])
        return suggestion


def _mark_failed(suggestion, *, code: str, detail: str, now) -> None:
    suggestion.status = ScoringSuggestion.Status.FAILED
    suggestion.error_code, suggestion.error = code, detail[:2000]
    suggestion.finished_at = now
    suggestion.save(update_fields=["status", "error_code", "error", "finished_at"])


def suggestion_fail(*, suggestion_id: int, code: str, detail: str = "") -> None:
    with transaction.atomic():
        suggestion = ScoringSuggestion.objects.select_for_update().filter(pk=suggestion_id).first()
        if suggestion is not None and not suggestion.is_finished:
            _mark_failed(suggestion, code=code, detail=detail, now=timezone.now())


def _beat(suggestion) -> None:
    ScoringSuggestion.objects.filter(pk=suggestion.pk, attempts=suggestion.attempts).update(heartbeat_at=timezone.now())


def sampled_leads(*, user, segment: Segment, max_leads: int):
    """The leads of the suggestion: the segment's (as the user may see them), every k-th id when
    there are more than `max_leads`, and never more than `max_leads` (a cut at the max_leads-th id)."""
    leads = segment_queryset(user=user, segment=segment).order_by()
    total = leads.count()
    if total > max_leads:
        leads = leads.annotate(_every=Mod("id", ceil(total / max_leads))).filter(_every=0)
        cut = leads.order_by("id").values_list("id", flat=True)[max_leads - 1:max_leads]
        cut = list(cut)
        if cut:
            leads = leads.filter(id__lte=cut[0])
    return leads


def held_out_leads(leads, *, seed: int, percent: int):
    """The held-out part of `leads`: the same stable hash of the id as leads.scoring_suggest."""
    bucket = RawSQL(pure.SPLIT_SQL.format(id=f"{connection.ops.quote_name('leads_lead')}."
                                             f"{connection.ops.quote_name('id')}"), [seed],
                    output_field=IntegerField())
    return leads.alias(_bucket=bucket).filter(_bucket__lt=pure.held_out_buckets(percent / 100))


def suggestion_history(*, leads, as_of) -> pure.History:
    """Attributes, outcome and event counts of `leads`: two set-based queries."""
    columns = list(pure.FIELDS)
    rows = list(leads.order_by("id").values_list("id", *columns, "converted_at", "imported_converted"))
    events = (LeadEvent.objects.filter(lead_id__in=leads.values("id"), occurred_at__lte=as_of)
              .values_list("lead_id", "event_type__code").annotate(n=Count("id")).order_by())
    return pure.History(
        ids=[r[0] for r in rows],
        attributes={name: [r[1 + i] for r in rows] for i, name in enumerate(columns)},
        converted=[r[-2] is not None or bool(r[-1]) for r in rows],
        event_counts=[(lead_id, code, n) for lead_id, code, n in events])


def library_versions() -> dict:
    import numpy
    import sklearn

    return {"scikit-learn": sklearn.__version__, "numpy": numpy.__version__}


def _draft_payload(result: pure.Suggestion) -> dict:
    attribute = [{"field": r["field"], "operator": r["operator"], "value": r["value"], "points": r["points"],
                  "label": ""} for r in result.rules if r["kind"] == "attribute"]
    behaviour = [{"event_type": r["event_type"], "points": r["points"], "max_count": r["max_count"],
                  "window_days": None, "label": ""} for r in result.rules if r["kind"] == "behaviour"]
    grades = [{"name": g["name"], "lower_bound": g["lower_bound"]} for g in result.grades]
    return {"attribute_rules": attribute, "behaviour_rules": behaviour, "grades": grades}


def _figures(*, rule_set, user, leads, as_of) -> dict:
    figures = quality_figures(rule_set_spec(rule_set), quality_histogram(rule_set=rule_set, user=user,
                                                                         leads=leads, now=as_of))
    return {"rule_set": {"id": rule_set.pk, "version": rule_set.version, "name": rule_set.name}, **figures}


def suggestion_run(*, suggestion_id: int, now=None) -> ScoringSuggestion | None:
    """Run one suggestion (the task's body); None when another worker holds it or it is finished."""
    now = now or timezone.now()
    suggestion = _claim(suggestion_id=suggestion_id, now=now)
    if suggestion is None:
        return None
    try:
        return _run(suggestion)
    except pure.SuggestionError as exc:
        suggestion_fail(suggestion_id=suggestion_id, code=exc.code, detail=str(exc))
    except Exception as exc:  # recorded with its reason; the worker carries on
        logger.exception("Scoring suggestion %s failed", suggestion_id)
        suggestion_fail(suggestion_id=suggestion_id, code="error", detail=f"{exc.__class__.__name__}: {exc}")
    return ScoringSuggestion.objects.get(pk=suggestion_id)


def _run(suggestion: ScoringSuggestion) -> ScoringSuggestion:
    user, base = suggestion.requested_by, suggestion.base_rule_set
    if user is None:
        raise pure.SuggestionError("no_requester")
    if base is None:
        raise pure.SuggestionError("no_base")
    leads = sampled_leads(user=user, segment=_segment(suggestion), max_leads=suggestion.max_leads)
    history = suggestion_history(leads=leads, as_of=suggestion.as_of)
    _beat(suggestion)
    grade_names = [g.name for g in rule_set_spec(base).ordered_grades]
    result = pure.suggest(history, held_out_share=suggestion.held_out_percent / 100,
                          random_state=suggestion.random_state, grade_names=grade_names,
                          targets=suggestion.targets or None)
    _beat(suggestion)
    held_out = held_out_leads(leads, seed=suggestion.random_state, percent=suggestion.held_out_percent)
    with transaction.atomic():
        locked = ScoringSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        if locked.status != ScoringSuggestion.Status.RUNNING or locked.attempts != suggestion.attempts:
            return locked  # taken over by another worker meanwhile: its result counts, not ours
        name = f"{DRAFT_NAME} #{suggestion.pk}"
        notes = DRAFT_NOTES
        draft = rule_set_save_draft(by=user, name=name, notes=notes, **_draft_payload(result))
        figures = {"base": _figures(rule_set=base, user=user, leads=held_out, as_of=suggestion.as_of),
                   "suggested": _figures(rule_set=draft, user=user, leads=held_out, as_of=suggestion.as_of)}
        locked.draft_rule_set = draft
        locked.rules, locked.grades, locked.features = result.rules, result.grades, result.features
        locked.model_info = {"kind": "logistic_regression", "penalty": "l2", "C": 1.0,
                             "class_weight": "balanced", "solver": "lbfgs", "intercept": result.intercept,
                             "points_scale": result.scale, "strongest_points": pure.STRONGEST_POINTS,
                             "train_converted": result.train_converted}
        locked.library_versions = library_versions()
        locked.leads_used = len(history.ids)
        locked.train_size, locked.held_out_size = result.train_size, result.held_out_size
        locked.figures = figures
        locked.status, locked.error_code, locked.error = ScoringSuggestion.Status.DONE, "", ""
        locked.finished_at = timezone.now()
        locked.save()
    return locked


def suggestions_resume_stale(*, now=None) -> list[int]:
    """Queue again suggestions whose message was lost (queued for a while) or whose worker died
    (running, silent for SALESOPS_SUGGEST_STALE_SECONDS): the run claims them as usual."""
    from ..tasks import scoring_suggestion_run_task

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SALESOPS_SUGGEST_STALE_SECONDS)
    ids = list(ScoringSuggestion.objects.filter(
        Q(status=ScoringSuggestion.Status.QUEUED, created_at__lt=now - timedelta(minutes=5))
        | Q(status=ScoringSuggestion.Status.RUNNING, heartbeat_at__lt=stale)).values_list("id", flat=True)[:100])
    for pk in ids:
        enqueue(scoring_suggestion_run_task, pk)
    return ids
