"""Small helpers the apps share when they define metrics (salesops.metrics): periods as whole days
in the business time zone, rates, money per currency and drill-down links. Base layer: no app imports.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from functools import wraps
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import FloatField, Func, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from .metrics import MetricRow, Period, Scope


class DaysBetween(Func):
    """Days (fractional) from `start` to `end`, on PostgreSQL and SQLite."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL
        end, start = (compiler.compile(e) for e in self.source_expressions)
        return f"(EXTRACT(EPOCH FROM ({end[0]} - {start[0]})) / 86400.0)", [*end[1], *start[1]]

    def as_sqlite(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.source_expressions)
        return f"(julianday({end[0]}) - julianday({start[0]}))", [*end[1], *start[1]]


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the business time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def period_range(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the business time zone."""
    return day_start(start), day_start(end + timedelta(days=1))


def between_q(field: str, start: date | None, end: date | None) -> Q:
    """`field` (a date-time) within the whole days start..end; an open side is unbounded."""
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": day_start(start)})
    if end is not None:
        q &= Q(**{f"{field}__lt": day_start(end + timedelta(days=1))})
    return q


def dated_q(field: str, start: date | None, end: date | None, *, unknown: str = "date_unknown") -> Q:
    """between_q for records that may be of unknown date (`unknown` True: the source gave none): such a
    record is in no dated period, only in all time (start and end None)."""
    if start is None and end is None:
        return Q()
    return between_q(field, start, end) & Q(**{unknown: False})


def dated_period_q(field: str, period: Period, *, unknown: str = "date_unknown") -> Q:
    return dated_q(field, period.start, period.end, unknown=unknown)


def period_q(field: str, period: Period) -> Q:
    return between_q(field, period.start, period.end)


def percent(part, whole, *, digits: int = 1) -> float | None:
    """part / whole in percent (None without a denominator)."""
    return None if not whole else round(100.0 * float(part) / float(whole), digits)


def money(rows: Iterable[Mapping], *, amount: str = "amount") -> dict[str, Decimal]:
    """{currency: total} from rows carrying "currency" and `amount` (never added across currencies)."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row["currency"]] = totals.get(row["currency"], Decimal("0")) + (row[amount] or Decimal("0"))
    return dict(sorted(totals.items()))


def main_currency(codes: Iterable[str]) -> str | None:
    """The currency a single-number figure is given in: the default currency when present, else the first code."""
    codes = sorted(set(codes))
    if not codes:
        return None
    return settings.DEFAULT_CURRENCY if settings.DEFAULT_CURRENCY in codes else codes[0]


def narrow(queryset: QuerySet, scope: Scope, *, team_field: str = "team_id", owner_field: str = "owner_id") -> QuerySet:
    """Narrow an already scoped queryset to scope.team_id / scope.owner_id (never widens it)."""
    if scope.team_id:
        queryset = queryset.filter(**{team_field: scope.team_id})
    if scope.owner_id:
        queryset = queryset.filter(**{owner_field: scope.owner_id})
    return queryset


def keyed(queryset: QuerySet, fields: Mapping[str, str], group_by: str | None, key: str | None) -> QuerySet:
    """The records of one breakdown row: `fields[group_by]` equals `key` ("" is the row of records
    without a value, e.g. deals without a team)."""
    if not group_by:
        return queryset
    field = fields[group_by]
    return queryset.filter(**{field: key}) if key else queryset.filter(**{f"{field}__isnull": True})


def link(url_name: str, params: Mapping) -> str:
    """The URL of a list page with its filter parameters (empty values left out)."""
    query = urlencode([(k, v) for k, v in params.items() if v not in (None, "")], doseq=True)
    return reverse(url_name) + (f"?{query}" if query else "")


def period_params(prefix: str, period: Period) -> dict:
    """List-page filters `<prefix>_after` / `<prefix>_before` for a period (whole days, ISO dates)."""
    return {f"{prefix}_after": period.start.isoformat() if period.start else None,
            f"{prefix}_before": period.end.isoformat() if period.end else None}


def scope_params(scope: Scope) -> dict:
    return {"team": scope.team_id, "owner": scope.owner_id}


def person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def rows_by(grouped: Iterable[Mapping], key: str, labels: Mapping, value, *, count: str = "n") -> list[MetricRow]:
    """MetricRows from GROUP BY rows: `value(row)` gives the figure, `labels[row[key]]` the label."""
    return [MetricRow(key="" if row[key] is None else str(row[key]),
                      label=str(labels.get(row[key], "—" if row[key] is None else row[key])),
                      value=value(row), count=row.get(count)) for row in grouped]


# --- one read per page ---------------------------------------------------------------------------
_shared: ContextVar[dict | None] = ContextVar("metric_shared_reads", default=None)


@contextmanager
def shared_reads() -> Iterator[None]:
    """Within the block, a `shared` read runs once per arguments: a dashboard asks several metrics
    (and a tile and a table) for what one query answers — the funnel rows behind deal counts and
    amounts, the stays behind p50 and p90, won value per rep in two tables. Nested blocks share the
    outer one; nothing is kept after the block (a page sees fresh figures)."""
    if _shared.get() is not None:
        yield
        return
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def sharing() -> bool:
    """Whether the caller runs inside shared_reads() (a page reading many figures)."""
    return _shared.get() is not None


def shared(function: Callable) -> Callable:
    """Decorator: memoise `function` inside `shared_reads()` (arguments must be hashable: a Scope of a
    saved user, a Period, strings); outside it, or with arguments that cannot be keys, it just runs.
    Callers must not change what it returns."""
    @wraps(function)
    def wrapper(*args, **kwargs):
        cache = _shared.get()
        if cache is None:
            return function(*args, **kwargs)
        try:
            key = (function.__module__, function.__qualname__, args, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:  # e.g. an unsaved user (the snapshot viewer) in the scope
            return function(*args, **kwargs)
        if key not in cache:
            cache[key] = function(*args, **kwargs)
        return cache[key]
    return wrapper
