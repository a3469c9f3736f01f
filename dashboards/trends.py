"""Reads of KPI snapshots: a metric's trend for a scope, and "vs last period". Used by the dashboards.

Both read snapshots only (never compute a metric) and only for a scope the viewer (`scope.user`)
may see (teams.predicates.can_see_scope_figures): otherwise they answer nothing.
For a period kind longer than a day there may be several rows per period start (month to date,
one per day): the latest one stands for the period.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from salesops.metrics import Scope
from teams.models import Team, User
from teams.predicates import can_see_scope_figures

from .models import KpiSnapshot
from .snapshots import kind_shift, kind_start, scope_key

Value = float | Decimal | None


def may_see(scope: Scope, predicate=can_see_scope_figures) -> bool:
    """`predicate(user, team=, owner=)` (teams.predicates) for the scope's team and rep; False when
    the scope names a team or rep that does not exist."""
    team = Team.objects.filter(pk=scope.team_id).first() if scope.team_id else None
    owner = User.objects.select_related("team").filter(pk=scope.owner_id).first() if scope.owner_id else None
    if (scope.team_id and team is None) or (scope.owner_id and owner is None):
        return False
    return predicate(scope.user, team=team, owner=owner)


def _rows(code: str, scope: Scope, kind: str):
    level, scope_id = scope_key(scope)
    return KpiSnapshot.objects.filter(metric=code, scope=level, scope_id=scope_id, period_kind=kind)


def _value(value, per_currency, currency: str | None) -> Value:
    """The snapshot's value, or (money metrics, `currency` given) its amount in that currency."""
    if currency is None:
        return value
    amount = (per_currency or {}).get(currency)
    return None if amount is None else Decimal(amount)


def metric_trend(code: str, scope: Scope, kind: str = KpiSnapshot.Kind.MONTH, periods: int = 12, *,
                 today: date | None = None, currency: str | None = None) -> list[tuple[date, Value]]:
    """The last `periods` periods of `kind` up to the one holding yesterday (the last snapshotted day),
    oldest first: (period start, value of its latest snapshot, or None when there is none). For a
    money metric pass `currency`: the amounts in that currency (never added across currencies)."""
    if periods < 1 or not may_see(scope):
        return []
    last = kind_start(kind, (today or timezone.localdate()) - timedelta(days=1))
    starts = [kind_shift(kind, last, -n) for n in range(periods - 1, -1, -1)]
    latest: dict[date, Value] = {}
    for start, value, per_currency in (
            _rows(code, scope, kind).filter(period_start__in=starts).order_by("period_start", "period_end")
            .values_list("period_start", "value", "per_currency")):
        latest[start] = _value(value, per_currency, currency)  # ordered by end: the last one wins
    return [(start, latest.get(start)) for start in starts]


def metric_vs_last_period(code: str, scope: Scope, kind: str = KpiSnapshot.Kind.MONTH,
                          start: date | None = None, *, currency: str | None = None) -> tuple[Value, Value, Value]:
    """(current, previous, change) for the period of `kind` starting at `start` (default: the one
    holding yesterday). `current` is its latest snapshot; `previous` is the previous period's snapshot
    at the same elapsed day or earlier (month to the 10th against last month to the 10th), so a
    period still running is compared like for like. `change` = current - previous."""
    if not may_see(scope):
        return None, None, None
    start = kind_start(kind, start or timezone.localdate() - timedelta(days=1))
    rows = _rows(code, scope, kind)
    row = rows.filter(period_start=start).order_by("-period_end").values_list(
        "value", "per_currency", "period_end").first()
    if row is None:
        return None, None, None
    current = _value(row[0], row[1], currency)
    previous_start = kind_shift(kind, start, -1)
    before = (rows.filter(period_start=previous_start, period_end__lte=previous_start + (row[2] - start))
              .order_by("-period_end").values_list("value", "per_currency").first())
    previous = _value(*before, currency) if before else None
    change = None if current is None or previous is None else current - previous
    return current, previous, change
