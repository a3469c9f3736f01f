"""The learnt deal win probability (issue 16 items 4–5): request, train, activate, score.

- `win_model_request` records the inputs (window, cutoff, held-out quarters, random state) as a queued
  WinProbabilityModel and queues the training on commit; `win_model_rerun` requests again with the
  same inputs (same data, same figures: compare `data_fingerprint`).
- `win_model_train` claims the queued row (one conditional UPDATE: a second worker gets nothing),
  reads the closed deals (pipeline.selectors.winprob, set-based, bounded), fits and measures
  (pipeline.winprob, pure) and stores everything; a failure is stored with its reason, never raised
  to the caller twice. Activation: "auto" makes the model active only when its held-out Brier score is
  no worse than the stage table's; "yes"/"no" as said.
- `win_probabilities_score` writes the active model's probability into open deals' `model_probability`
  in batches: per batch one locking read of the ids, one UPDATE … FROM (VALUES …) (only rows whose
  value changes) and one upsert of the factors (OpportunityWinFactors). `stage_probability` and
  `rep_probability` are never touched. With no active model nothing is written: the win-rate table
  (forecast_model_recompute) stays the model probability.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.queue import enqueue_on_commit
from teams import predicates

from .. import winprob
from ..models import Opportunity, OpportunityWinFactors, WinProbabilityModel
from ..selectors.winprob import active_win_model, closed_deal_facts, open_deal_facts, stages_for_table

logger = logging.getLogger(__name__)

FAILURES = {
    "one_outcome": gettext_lazy("The closed deals have one outcome only (%(won)s won, %(lost)s lost): "
                                "a model needs won and lost deals."),
    "too_few_quarters": gettext_lazy("Closed deals in fewer than %(quarters)s quarters: the last quarter(s) "
                                     "are held out to measure the model, the earlier ones train it."),
    "too_few_deals": gettext_lazy("Only %(deals)s closed deals before the held-out quarter(s); at least "
                                  "%(needed)s are needed."),
    "error": gettext_lazy("The training stopped with an error (%(error)s)."),
}
MAX_HOLDOUT_QUARTERS = 8
SCORE_BATCH = 2000


def failure_message(code: str, params: dict) -> str:
    template = FAILURES.get(code)
    if template is None:
        return code
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def library_versions() -> dict:
    import numpy
    import scipy
    import sklearn
    return {"scikit-learn": sklearn.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__}


def fingerprint(facts: list[winprob.DealFacts]) -> str:
    """A hash of the facts and outcomes a training read (same data in, same hash)."""
    digest = hashlib.sha256()
    for f in sorted(facts, key=lambda f: f.id):
        digest.update(repr((f.id, f.stage_id, f.team_id, f.days_in_stage, f.age_days, f.amount, f.amount_estimate,
                            f.discount, f.products, f.source, sorted(f.activities.items()), f.won, f.closed_on,
                            f.furthest_order, f.stage_default)).encode())
    return digest.hexdigest()


# --- request, re-run ----------------------------------------------------------------------------
def win_model_request(*, by=None, window_start=None, cutoff: datetime | None = None, holdout_quarters: int = 1,
                      random_state: int = 0, activate: str = WinProbabilityModel.Activate.AUTO,
                      C: float = 1.0, rerun_of: WinProbabilityModel | None = None) -> WinProbabilityModel:
    """Queue a training (by None: the scheduler or a command). Managers and admins may ask; only
    someone allowed to activate a model may have it activated (others' models are kept inactive)."""
    if by is not None and not predicates.can_train_win_model(by):
        raise PermissionDenied(_("You may not train the win-probability model."))
    cutoff = cutoff or timezone.now()
    errors = {}
    if not 1 <= int(holdout_quarters) <= MAX_HOLDOUT_QUARTERS:
        errors["holdout_quarters"] = _("Hold out between 1 and %(max)s quarters.") % {"max": MAX_HOLDOUT_QUARTERS}
    if window_start is not None and window_start >= timezone.localtime(cutoff).date():
        errors["window_start"] = _("The window must start before the cutoff.")
    if not 0 < float(C) <= 1000:
        errors["C"] = _("The regularisation strength must be above 0 and at most 1000.")
    if activate not in WinProbabilityModel.Activate.values:
        errors["activate"] = _("Choose auto, yes or no.")
    if errors:
        raise ValidationError(errors)
    if by is not None and not predicates.can_activate_win_model(by):
        activate = WinProbabilityModel.Activate.NO
    model = WinProbabilityModel.objects.create(
        window_start=window_start, cutoff=cutoff, holdout_quarters=holdout_quarters, random_state=random_state,
        activate=activate, params={"C": float(C), "min_level": winprob.MIN_LEVEL,
                                   "max_rows": settings.PIPELINE_WINPROB_MAX_ROWS,
                                   "min_deals": settings.PIPELINE_WINPROB_MIN_DEALS},
        trained_by=by, rerun_of=rerun_of)
    from ..tasks import win_model_train_task
    enqueue_on_commit(win_model_train_task, model.pk)
    return model


def win_model_rerun(*, model: WinProbabilityModel, by=None) -> WinProbabilityModel:
    """The same inputs again (window, cutoff, held-out quarters, random state, parameters); never activated."""
    return win_model_request(by=by, window_start=model.window_start, cutoff=model.cutoff,
                             holdout_quarters=model.holdout_quarters, random_state=model.random_state,
                             C=model.params.get("C", 1.0), activate=WinProbabilityModel.Activate.NO, rerun_of=model)


# --- train --------------------------------------------------------------------------------------
def _claim(model_id: int) -> bool:
    """queued -> running in one conditional UPDATE: exactly one worker wins the row."""
    return bool(WinProbabilityModel.objects.filter(pk=model_id, status=WinProbabilityModel.Status.QUEUED)
                .update(status=WinProbabilityModel.Status.RUNNING, started_at=timezone.now()))


def win_models_resume_stale(*, now=None) -> list[int]:
    """Trainings a worker never finished, queued again (beat, every 10 minutes): a row still `queued`
    after PIPELINE_WINPROB_STALE_SECONDS (its message was lost) is sent again, and a row `running`
    that long (its worker died: a training takes seconds to minutes, its rows capped) goes back to
    `queued` first. The claim in `win_model_train` keeps each run to one worker."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.PIPELINE_WINPROB_STALE_SECONDS)
    WinProbabilityModel.objects.filter(status=WinProbabilityModel.Status.RUNNING, started_at__lt=stale).update(
        status=WinProbabilityModel.Status.QUEUED)
    ids = list(WinProbabilityModel.objects.filter(status=WinProbabilityModel.Status.QUEUED, created_at__lt=stale)
               .order_by("pk").values_list("pk", flat=True))
    from ..tasks import win_model_train_task
    for model_id in ids:
        win_model_train_task.apply_async(args=(model_id,))
    return ids


def _fail(model_id: int, code: str, params: dict) -> None:
    WinProbabilityModel.objects.filter(pk=model_id).update(status=WinProbabilityModel.Status.FAILED,
                                                           failure_code=code, failure_params=params,
                                                           trained_at=timezone.now())


def win_model_train(*, model_id: int) -> WinProbabilityModel | None:
    """Run one queued training (idempotent: a row not queued is left as it is and returned)."""
    if not _claim(model_id):
        return WinProbabilityModel.objects.filter(pk=model_id).first()
    model = WinProbabilityModel.objects.get(pk=model_id)
    params = model.params or {}
    try:
        facts = closed_deal_facts(window_start=model.window_start, cutoff=model.cutoff,
                                  max_rows=params.get("max_rows"))
        stages, _defaults = stages_for_table()
        training = winprob.train_and_evaluate(
            facts, stages=stages, holdout_quarters=model.holdout_quarters, random_state=model.random_state,
            C=params.get("C", 1.0), min_level=params.get("min_level", winprob.MIN_LEVEL),
            min_deals=params.get("min_deals", settings.PIPELINE_WINPROB_MIN_DEALS))
    except winprob.NotEnoughHistory as exc:
        _fail(model_id, exc.code, exc.params)
        return WinProbabilityModel.objects.get(pk=model_id)
    except Exception as exc:  # noqa: BLE001 (stored as the reason; the row must not stay "running")
        logger.exception("win-probability training %s failed", model_id)
        _fail(model_id, "error", {"error": exc.__class__.__name__})
        return WinProbabilityModel.objects.get(pk=model_id)
    figures = training.figures
    brier = figures["holdout"]["brier"]
    fitted = training.model
    WinProbabilityModel.objects.filter(pk=model_id).update(
        status=WinProbabilityModel.Status.DONE, trained_at=timezone.now(),
        features=[{"column": c} for c in fitted.kept] + [{**e, "excluded": True} for e in fitted.excluded],
        library_versions=library_versions(), data_fingerprint=fingerprint(facts), model=fitted.as_dict(),
        coefficients={"intercept": fitted.intercept, "calibration": fitted.calibration,
                      "terms": fitted.coefficients()},
        figures=figures, training_deals=len(training.train_ids), holdout_deals=len(training.holdout_ids),
        holdout_start=figures["holdout"]["start"], brier=brier["model"], stage_table_brier=brier["stage_table"])
    model.refresh_from_db()
    if _should_activate(model):
        win_model_activate(model=model)
        model.refresh_from_db()
    return model


def _should_activate(model: WinProbabilityModel) -> bool:
    if model.activate == WinProbabilityModel.Activate.YES:
        return True
    if model.activate == WinProbabilityModel.Activate.AUTO:
        return (model.brier is not None and model.stage_table_brier is not None
                and model.brier <= model.stage_table_brier)
    return False


# --- activate -----------------------------------------------------------------------------------
@transaction.atomic
def win_model_activate(*, model: WinProbabilityModel, by=None) -> WinProbabilityModel:
    """Make `model` the source of the model probability; open deals are rescored on commit."""
    if by is not None and not predicates.can_activate_win_model(by):
        raise PermissionDenied(_("You may not change which win-probability model is used."))
    # Every training row is locked, in id order (a handful: one a month), so two activations of
    # different models run one after the other: the second sees the first's active row and turns it
    # off, instead of both committing `is_active` and the second failing the one-active constraint.
    list(WinProbabilityModel.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    model = WinProbabilityModel.objects.get(pk=model.pk)
    if model.status != WinProbabilityModel.Status.DONE:
        raise ValidationError(_("Only a finished training can be used."))
    WinProbabilityModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    if not model.is_active:
        model.is_active = True
        model.save(update_fields=["is_active"])
    from ..tasks import win_probabilities_score_task
    enqueue_on_commit(win_probabilities_score_task)
    return model


@transaction.atomic
def win_model_deactivate(*, model: WinProbabilityModel, by=None) -> WinProbabilityModel:
    """Back to the win-rate table: the model's deal scores go and the table is copied in again."""
    if by is not None and not predicates.can_activate_win_model(by):
        raise PermissionDenied(_("You may not change which win-probability model is used."))
    model = WinProbabilityModel.objects.select_for_update().get(pk=model.pk)
    model.is_active = False
    model.save(update_fields=["is_active"])
    OpportunityWinFactors.objects.filter(opportunity__closed_at__isnull=True).delete()
    from ..tasks import forecast_model_recompute_task
    enqueue_on_commit(forecast_model_recompute_task)
    return model


# --- score open deals ---------------------------------------------------------------------------
def _percent(p: float) -> int:
    return int(min(max(round(100.0 * float(p)), 0), 100))


def _write_probabilities(values: list[tuple[int, int]], now) -> int:
    """One UPDATE … FROM (VALUES …) for a batch, writing only the rows whose probability changes
    (PERF_NOTES: a Django Case/When of thousands of branches costs seconds to build and is evaluated
    branch by branch per row; a VALUES join is one hash join)."""
    table = connection.ops.quote_name(Opportunity._meta.db_table)
    rows = ", ".join(["(%s, %s)"] * len(values))
    if connection.vendor == "postgresql":
        source, differs = f"(VALUES {rows}) AS v(id, p)", "IS DISTINCT FROM"
    else:  # SQLite names VALUES columns column1, column2 (and counts rows only for a plain UPDATE)
        source, differs = f"(SELECT column1 AS id, column2 AS p FROM (VALUES {rows})) AS v", "IS NOT"
    sql = (f"UPDATE {table} SET model_probability = v.p, updated_at = %s FROM {source} "
           f"WHERE {table}.id = v.id AND {table}.model_probability {differs} v.p")
    with connection.cursor() as cursor:
        cursor.execute(sql, [now] + [x for pair in values for x in pair])
        return cursor.rowcount


def _score_batch(model: WinProbabilityModel, fitted: winprob.WinModel, facts: list[winprob.DealFacts], now) -> int:
    probabilities = fitted.predict(facts)
    factors = fitted.explain(facts)
    with transaction.atomic():
        # lock the rows and keep only deals still open in the stage they were read in (a move in
        # between wrote the table's value for its new stage; the next run scores it)
        current = dict(Opportunity.objects.select_for_update().filter(pk__in=[f.id for f in facts],
                                                                      closed_at__isnull=True)
                       .values_list("pk", "stage_id"))
        rows = [(f, _percent(p), fs) for f, p, fs in zip(facts, probabilities, factors) if current.get(f.id) == f.stage_id]
        if not rows:
            return 0
        updated = _write_probabilities([(f.id, pct) for f, pct, _fs in rows], now)
        # factors rows: written only where the model, the probability or a factor changed
        known = {pk: (m, p, fs) for pk, m, p, fs in OpportunityWinFactors.objects.filter(
            opportunity_id__in=[f.id for f, _p, _fs in rows]).values_list("opportunity_id", "model_id", "probability",
                                                                           "factors")}
        changed = [(f, pct, fs) for f, pct, fs in rows if known.get(f.id) != (model.pk, pct, fs)]
        OpportunityWinFactors.objects.bulk_create(
            [OpportunityWinFactors(opportunity_id=f.id, model=model, probability=pct, factors=fs, scored_at=now)
             for f, pct, fs in changed],
            update_conflicts=True, unique_fields=["opportunity"], update_fields=["model", "probability", "factors",
                                                                                 "scored_at"])
    return updated


def win_probabilities_score(*, model: WinProbabilityModel | None = None, ids: list[int] | None = None,
                            batch: int = SCORE_BATCH, now=None) -> int:
    """Score open deals (all, or `ids`) with `model` (default: the active one). Returns deals whose
    model probability changed. Idempotent; safe to stop and re-run (each batch commits on its own)."""
    model = model or active_win_model()
    if model is None or not model.model:
        return 0
    now = now or timezone.now()
    fitted = winprob.WinModel.from_dict(model.model)
    changed, after = 0, 0
    while True:
        facts = open_deal_facts(after_id=after, limit=batch, ids=ids, now=now)
        if not facts:
            return changed
        changed += _score_batch(model, fitted, facts, now)
        if ids is not None:
            return changed
        after = facts[-1].id


def win_probability_rescore(*, opportunity_id: int) -> int:
    """One deal after a move (its stage changed): scored by the active model, if there is one."""
    return win_probabilities_score(ids=[opportunity_id])


def figures_json(model: WinProbabilityModel) -> str:
    return json.dumps(model.figures, sort_keys=True)
