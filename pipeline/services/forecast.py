"""Stalled-deal flags, the learnt forecast model and weekly forecast snapshots."""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from teams.services import notify

from .. import forecasting, gates
from ..models import (
    ForecastSnapshot,
    Opportunity,
    Stage,
    StageTransition,
    StageWinRate,
)
from ..selectors import stage_list, stage_stay_days


# --- stalled deals ------------------------------------------------------------------------------
def opportunities_flag_stalled(*, now=None) -> int:
    """Flag open deals whose time in their stage exceeds the stage's historical p80 (or a fixed
    number of days while there is little history). Idempotent: flagged deals are skipped; a move
    clears the flag. Notifies the owner and their manager once."""
    now = now or timezone.now()
    stages = [s for s in stage_list() if not s.is_closed]
    stays = stage_stay_days(stage_ids={s.pk for s in stages})
    flagged = 0
    for stage in stages:
        days = gates.stall_threshold_days(stays.get(stage.pk, []), min_samples=settings.PIPELINE_STALL_MIN_SAMPLES,
                                          default_days=settings.PIPELINE_STALL_DAYS)
        cutoff = now - timedelta(days=days)
        with transaction.atomic():
            due = list(Opportunity.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(stage=stage, stalled_at__isnull=True, stage_entered_at__lt=cutoff)
                       .select_related("owner__team__manager"))
            Opportunity.objects.filter(pk__in=[o.pk for o in due]).update(stalled_at=now, updated_at=timezone.now())
            for opp in due:
                params = {"opportunity": opp.name, "stage": stage.name, "days": int(days)}
                text = gettext_noop("“%(opportunity)s” has been in “%(stage)s” for more than %(days)s days.")
                notify(recipient=opp.owner, kind="opportunity_stalled", text=text, params=params,
                       url=f"/pipeline/{opp.pk}/")
                manager = opp.owner.team.manager if opp.owner.team_id else None
                if manager and manager.pk != opp.owner_id:
                    notify(recipient=manager, kind="opportunity_stalled", text=text, params=params,
                           url=f"/pipeline/{opp.pk}/")
            flagged += len(due)
    return flagged


# --- forecast -----------------------------------------------------------------------------------
def model_probability_for(*, team_id: int | None, stage: Stage) -> int | None:
    """The learnt win rate for a team's deals in `stage` (the organisation-wide rate as a fallback)."""
    if stage.is_closed:
        return None
    rates = {r.team_id: r.probability for r in
             StageWinRate.objects.filter(Q(team__isnull=True) | Q(team_id=team_id), stage=stage)}
    if team_id is not None and team_id in rates:
        return rates[team_id]
    return rates.get(None)


def forecast_model_recompute(*, min_samples: int = forecasting.RATE_MIN_SAMPLES, now=None) -> int:
    """Learn the win rate per team and open stage from closed deals; copy it into open deals.

    Set-based: one GROUP BY over closed deals and their furthest stage (from the ledger), a handful of
    rate rows, then one UPDATE per (team, stage) that touches only the deals whose value changes.
    Deals scored by an active trained model (pipeline.services.winprob) keep that model's probability.
    Idempotent; returns the number of open deals updated.
    """
    now = now or timezone.now()
    stages = [s for s in stage_list() if not s.is_closed]
    furthest = Subquery(StageTransition.objects.filter(opportunity=OuterRef("pk"), to_stage__is_lost=False)
                        .order_by().values("opportunity").annotate(m=Max("to_stage__order")).values("m"))
    counts = (Opportunity.objects.filter(closed_at__isnull=False).filter(Q(stage__is_won=True) | Q(stage__is_lost=True))
              .order_by().annotate(furthest=furthest)
              .values("team_id", "stage__is_won", "furthest").annotate(n=Count("pk")))
    rates = forecasting.win_rates(((r["team_id"], r["furthest"], r["stage__is_won"], r["n"]) for r in counts),
                                  stages=[(s.pk, s.order) for s in stages], min_samples=min_samples)
    updated = 0
    with transaction.atomic():
        StageWinRate.objects.all().delete()
        StageWinRate.objects.bulk_create([
            StageWinRate(team_id=r.team_id, stage_id=r.stage_id, closed_deals=r.closed, won_deals=r.won,
                         probability=r.probability, computed_at=now) for r in rates])
        team_rates = [r for r in rates if r.team_id is not None]
        learnt_teams = {r.team_id for r in team_rates}
        # deals scored by an active trained model keep its probability (pipeline.services.winprob)
        open_deals = Opportunity.objects.filter(closed_at__isnull=True, win_factors__isnull=True)
        for rate in rates:
            if rate.team_id is None:
                cell = open_deals.filter(stage_id=rate.stage_id).exclude(team_id__in=learnt_teams)
            else:
                cell = open_deals.filter(stage_id=rate.stage_id, team_id=rate.team_id)
            if rate.probability is None:
                updated += cell.filter(model_probability__isnull=False).update(model_probability=None, updated_at=timezone.now())
            else:
                updated += cell.exclude(model_probability=rate.probability).update(model_probability=rate.probability,
                                                                                     updated_at=timezone.now())
    return updated


def snapshot_cells(figures: dict):
    """(scope, scope key, link fields, currency, figures) of every snapshot row of one period: one row
    per rep, team and everyone *per currency* (amounts of different currencies are never added)."""
    Scope = ForecastSnapshot.Scope
    cells = [(Scope.REP, f"rep:{pk}", {"owner_id": pk}, code, f) for (pk, code), f in figures["reps"].items()]
    cells += [(Scope.TEAM, f"team:{pk}", {"team_id": pk}, code, f) for (pk, code), f in figures["teams"].items()]
    cells += [(Scope.ALL, "all", {}, code, f) for code, f in figures["totals"].items()]
    return cells


def forecast_snapshot_take(*, day=None) -> int:
    """Store the forecast of the current month and quarter per rep, team and for everyone, as of `day`.

    Idempotent per day: a re-run replaces that day's rows (one transaction). Returns rows stored.
    """
    from ..selectors.metrics import forecast_figures
    day = day or timezone.localdate()
    rows = []
    for kind in forecasting.PERIOD_KINDS:
        start, end = forecasting.period_bounds(kind, day)
        figures = forecast_figures(queryset=Opportunity.objects.all(), start=start, end=end)
        for scope, key, link, code, f in snapshot_cells(figures):
            values = f.as_dict()
            rows.append(ForecastSnapshot(period_kind=kind, period_start=start, period_end=end, taken_on=day,
                                         scope=scope, scope_key=key, deals=values["deals"], won=values["won"],
                                         commit=values["commit"], best_case=values["best_case"],
                                         pipeline=values["pipeline"], weighted=values["weighted"],
                                         currency=code, **link))
    with transaction.atomic():
        ForecastSnapshot.objects.filter(taken_on=day).delete()
        ForecastSnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)

