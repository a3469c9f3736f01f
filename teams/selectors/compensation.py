"""Reads for compensation: plans and payouts scoped by the reader, and metric values for a payout
(read through the metric registry only: teams imports no app above it)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from salesops import metrics

from ..models import CompensationPlan, Payout, PayoutDispute, PayoutLine, PlanAssignment, User
from ..predicates import is_active_user
from . import scope_for_user

RECORD_IDS_KEPT = 500  # ids of the records behind a line kept on it (the drill-down link has them all)


def plan_queryset_for(*, user) -> QuerySet[CompensationPlan]:
    """Administrators read every plan version; a manager the versions of the plans assigned to
    them or to their teams' members; anyone else the published versions of the plans assigned to them."""
    plans = CompensationPlan.objects.all()
    if not is_active_user(user):
        return plans.none()
    if user.is_admin_role:
        return plans
    people = Q(assignments__user=user)
    if user.role == User.Role.MANAGER:
        people |= Q(assignments__user__team__manager=user)
    names = CompensationPlan.objects.filter(people).values("name")
    plans = plans.filter(name__in=names)
    if user.role != User.Role.MANAGER:
        plans = plans.filter(status=CompensationPlan.Status.PUBLISHED)
    return plans


def plan_detail_queryset_for(*, user) -> QuerySet[CompensationPlan]:
    return plan_queryset_for(user=user).prefetch_related("components", "tiers")


def payout_queryset_for(*, user) -> QuerySet[Payout]:
    """A rep reads their own payouts, a manager their teams' (and their own), administrators all."""
    return scope_for_user(Payout.objects.select_related("user", "user__team", "plan", "approved_by"),
                          user=user, owner_field="user")


def payout_detail_queryset_for(*, user) -> QuerySet[Payout]:
    lines = PayoutLine.objects.prefetch_related(
        Prefetch("disputes", queryset=PayoutDispute.objects.select_related("raised_by", "answered_by")))
    return payout_queryset_for(user=user).prefetch_related(Prefetch("lines", queryset=lines))


def payout_line_queryset_for(*, user) -> QuerySet[PayoutLine]:
    return scope_for_user(PayoutLine.objects.select_related("payout", "payout__user", "payout__user__team"),
                          user=user, owner_field="payout__user")


def dispute_queryset_for(*, user) -> QuerySet[PayoutDispute]:
    return scope_for_user(PayoutDispute.objects.select_related("line__payout__user__team", "raised_by"),
                          user=user, owner_field="line__payout__user")


def assignments_active_in(*, start: date, end: date, period: str) -> QuerySet[PlanAssignment]:
    """Assignments (of active users) overlapping the period, to plans paid per `period`."""
    return (PlanAssignment.objects.filter(starts_on__lte=end, plan__period=period, user__is_active=True)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
            .select_related("user", "plan").order_by("user_id", "-starts_on"))


def plan_version_for(*, name: str, start: date, end: date) -> CompensationPlan | None:
    """The published version of plan `name` in effect during the period (the latest that started by its end)."""
    return (CompensationPlan.objects.filter(name=name, status=CompensationPlan.Status.PUBLISHED,
                                            effective_from__lte=end)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
            .order_by("-effective_from", "-version").prefetch_related("components", "tiers").first())


@dataclass(frozen=True)
class MetricReading:
    value: Decimal | None
    url: str = ""
    record_ids: tuple = ()


def metric_readings(*, user, start: date, end: date, codes) -> dict[str, MetricReading]:
    """The value of each registered metric in `codes` for `user` (as their own viewer, narrowed to
    their records) over the period, with the link to and the ids of the records behind it. Codes
    nobody registered are absent from the answer (the payout line says the metric is not available)."""
    scope, period = metrics.Scope(user=user, owner_id=user.pk), metrics.Period(start, end)
    found = {}
    for code in dict.fromkeys(codes):
        metric = metrics.find(code)
        if metric is None:
            continue
        result = metric.compute(scope, period)
        value = None if result.value is None else Decimal(str(result.value))
        ids = ()
        if metric.records is not None:
            ids = tuple(metric.records(scope, period).values_list("pk", flat=True)[:RECORD_IDS_KEPT])
        url = metric.drilldown_url(scope, period) if metric.drilldown_url is not None else ""
        found[code] = MetricReading(value=value, url=url or "", record_ids=ids)
    return found


def money_reading(*, user, start: date, end: date, code: str, currency: str) -> MetricReading | None:
    """A money metric's amount in `currency` for the commission tiers (None when not registered)."""
    metric = metrics.find(code) if code else None
    if metric is None:
        return None
    scope, period = metrics.Scope(user=user, owner_id=user.pk), metrics.Period(start, end)
    result = metric.compute(scope, period)
    amount = (result.per_currency or {}).get(currency)
    url = metric.drilldown_url(scope, period) if metric.drilldown_url is not None else ""
    return MetricReading(value=None if amount is None else Decimal(str(amount)), url=url or "")


def approved_payouts_before(*, user, start: date, limit: int) -> list[Payout]:
    """The user's latest approved or paid payouts of periods before `start` (corrections look back at these)."""
    return list(Payout.objects.filter(user=user, period_start__lt=start)
                .exclude(status=Payout.Status.COMPUTED).select_related("plan")
                .prefetch_related("plan__components", "plan__tiers", "lines")
                .order_by("-period_start")[:limit])


def corrections_of(*, user, period_start: date, exclude_payout_id: int | None) -> list[PayoutLine]:
    """Correction lines already made (in other payouts) for the user's period starting `period_start`."""
    lines = PayoutLine.objects.filter(payout__user=user, corrects_period_start=period_start)
    if exclude_payout_id is not None:
        lines = lines.exclude(payout_id=exclude_payout_id)
    return list(lines)


def last_period_payouts_for(*, user, plan_name: str) -> list[Payout]:
    """The payouts of the latest period paid under plan `plan_name`, within the reader's scope (what-if)."""
    payouts = payout_queryset_for(user=user).filter(plan__name=plan_name)
    latest = payouts.order_by("-period_start").values_list("period_start", flat=True).first()
    if latest is None:
        return []
    return list(payouts.filter(period_start=latest).prefetch_related("lines").order_by("user__username")[:500])


def metric_choices() -> list[tuple[str, str]]:
    return [(m.code, f"{m.name} ({m.code})") for m in metrics.all_metrics()]


def assignable_people() -> QuerySet[User]:
    """Who can be paid by a plan: active sellers (reps and managers)."""
    return User.objects.filter(is_active=True, role__in=(User.Role.REP, User.Role.MANAGER)).order_by(
        "first_name", "last_name", "username")
