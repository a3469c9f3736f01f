"""What the KPI cards add to a figure: the previous period's value and the change ("vs last period"),
and a trend sparkline — from KPI snapshots when they hold the figure, else computed (the card says which).

- The previous period of a period is the one just before it, compared like for like: a whole calendar
  month or quarter against the whole previous one, one to date (or a year to date) against the
  previous one to the same elapsed day; any other period against the same number of days just
  before it. All time has none.
- From snapshots when the viewer's own figures are the scope's snapshots
  (teams.predicates.can_compare_with_snapshots: snapshots are taken over every record, narrowed
  to the scope) and a snapshot covers exactly the previous period; otherwise the metric is computed
  for the previous period through the registry, over what the viewer sees.
- The trend: the last 12 months' snapshots (dashboards.trends.metric_trend), only when the viewer's
  figures are the snapshots; no snapshots, no sparkline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from salesops import metrics
from salesops.metric_tools import shared
from salesops.metrics import Metric, Period, Scope
from teams.predicates import can_compare_with_snapshots

from .models import KpiSnapshot
from .snapshots import Kind, kind_end, kind_shift, kind_start, scope_key

SNAPSHOT = "snapshot"
COMPUTED = "computed"


@dataclass(frozen=True)
class Comparison:
    period: Period
    value: float | None          # the number compared (money: the default currency's amount)
    text: str                    # the previous value as the card shows it
    change: float | None         # current - previous
    change_text: str
    direction: str               # "up", "down" or "flat" (or "" without a change)
    good: bool | None            # the change goes the metric's better way (None: flat or unknown)
    source: str                  # SNAPSHOT or COMPUTED

    @property
    def source_label(self) -> str:
        return _("from KPI snapshot") if self.source == SNAPSHOT else _("computed")


def _like_for_like(kind: str, period: Period) -> Period | None:
    """The previous `kind` period (whole, or to the same elapsed day), when `period` starts a `kind`
    period and ends inside it; else None."""
    if kind_start(kind, period.start) != period.start or period.end > kind_end(kind, period.start):
        return None
    start = kind_shift(kind, period.start, -1)
    if period.end == kind_end(kind, period.start):  # a whole month or quarter: the whole previous one
        return Period(start, kind_end(kind, start))
    return Period(start, min(start + (period.end - period.start), kind_end(kind, start)))


def previous_period(period: Period) -> Period | None:
    """The period "vs last period" compares with (see the module text); None for open periods."""
    if period.start is None or period.end is None:
        return None
    if (period.start.month, period.start.day) == (1, 1) and period.end.year == period.start.year:  # a year
        start = date(period.start.year - 1, 1, 1)
        return Period(start, min(start + (period.end - period.start), date(start.year, 12, 31)))
    for kind in (Kind.MONTH, Kind.QUARTER):
        found = _like_for_like(kind, period)
        if found is not None:
            return found
    days = (period.end - period.start).days + 1
    return Period(period.start - timedelta(days=days), period.start - timedelta(days=1))


@shared
def snapshots_fit(scope: Scope) -> bool:
    """Whether the viewer's figures for `scope` are the scope's snapshots (the predicate decides)."""
    from .trends import may_see

    return may_see(scope, can_compare_with_snapshots)


def _snapshot_rows(codes: list[str], scope: Scope, period: Period) -> dict[str, KpiSnapshot]:
    level, scope_id = scope_key(scope)
    found: dict[str, KpiSnapshot] = {}
    for row in (KpiSnapshot.objects.filter(metric__in=codes, scope=level, scope_id=scope_id,
                                           period_start=period.start, period_end=period.end)
                .order_by("metric", "period_kind")):
        found.setdefault(row.metric, row)
    return found


def month_snapshots(code: str, scope: Scope, months: list[Period]) -> dict[date, KpiSnapshot]:
    """The snapshots of whole calendar months among `months` (by start), when the viewer's figures are
    the snapshots: a trend reads closed months from them instead of computing each (one query)."""
    whole = {m.start: m.end for m in months
             if m.start and m.end and m.start.day == 1 and m.end == kind_end(Kind.MONTH, m.start)}
    if not whole or not snapshots_fit(scope):
        return {}
    level, scope_id = scope_key(scope)
    rows = KpiSnapshot.objects.filter(metric=code, scope=level, scope_id=scope_id, period_kind=Kind.MONTH,
                                      period_start__in=list(whole))
    return {row.period_start: row for row in rows if row.period_end == whole[row.period_start]}


def _number(metric: Metric, value, per_currency) -> float | None:
    from .panels import chart_number

    return chart_number(metric, value, per_currency)


def _signed(metric: Metric, change: float) -> str:
    if metric.unit == metrics.MONEY:
        return f"{change:+,.0f} {settings.DEFAULT_CURRENCY}"
    if metric.unit == metrics.COUNT:
        return f"{change:+,.0f}"
    if metric.unit == metrics.PERCENT:
        return _("%(change)s pp") % {"change": f"{change:+.1f}"}  # percentage points
    return f"{change:+,.1f}"


def compare(metric: Metric, current: float | None, scope: Scope, previous: Period, snapshot: KpiSnapshot | None,
            ) -> Comparison:
    """The card's comparison of `current` (the tile's number) with the previous period."""
    from .panels import value_text

    if snapshot is not None:
        value, per_currency, source = snapshot.value, snapshot.per_currency, SNAPSHOT
    else:
        result = metric.compute(scope, previous)
        value, per_currency, source = result.value, result.per_currency, COMPUTED
    number = _number(metric, value, per_currency)
    change = None if number is None or current is None else round(current - number, 4)
    direction = "" if change is None else "flat" if change == 0 else "up" if change > 0 else "down"
    good = None if direction in ("", "flat") else (direction == "up") == (metric.better == metrics.UP)
    return Comparison(period=previous, value=number, text=value_text(metric, value, per_currency), change=change,
                      change_text="" if change is None else _signed(metric, change), direction=direction, good=good,
                      source=source)


def add_comparisons(tiles: list[dict], scope: Scope, period: Period, today: date) -> list[dict]:
    """Each available tile gets "previous" (a Comparison, or None for all time) and "trend" (a
    sparkline from the monthly snapshots, or None). Snapshots are read in one query per kind of read."""
    from .trends import metric_trend

    previous = previous_period(period)
    fit = snapshots_fit(scope)
    codes = [tile["code"] for tile in tiles if tile.get("available")]
    snapshots = _snapshot_rows(codes, scope, previous) if fit and previous and codes else {}
    for tile in tiles:
        metric = metrics.find(tile["code"]) if tile.get("available") else None
        tile["previous"] = tile["trend"] = None
        if metric is None:
            continue
        if previous is not None:
            tile["previous"] = compare(metric, tile.get("number"), scope, previous, snapshots.get(metric.code))
        if fit:
            points = metric_trend(metric.code, scope, Kind.MONTH, 12, today=today,
                                  currency=settings.DEFAULT_CURRENCY if metric.unit == metrics.MONEY else None)
            if any(value is not None for _start, value in points):
                tile["trend"] = sparkline(metric, tile["code"], points)
    return tiles


def sparkline(metric: Metric, code: str, points) -> dict:
    """A small Plotly line (no axes) of the monthly snapshots, with its points as text for screen readers."""
    import plotly.graph_objects as go

    from .panels import _jsonable

    months = [start.strftime("%Y-%m") for start, _value in points]
    values = [None if value is None else float(value) for _start, value in points]
    fig = go.Figure(go.Scatter(x=months, y=values, mode="lines", line={"width": 2}, connectgaps=True,
                               hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(height=40, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False,
                      xaxis={"visible": False, "type": "category"}, yaxis={"visible": False},
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    described = [f"{month}: {_point_text(metric, value)}" for month, value in zip(months, values) if value is not None]
    return {"id": f"spark-{code}", "figure": _jsonable({"figure": fig.to_plotly_json()})["figure"],
            "text": "; ".join(described)}


def _point_text(metric: Metric, value: float) -> str:
    from .panels import value_text

    if metric.unit == metrics.MONEY:
        return f"{value:,.0f} {settings.DEFAULT_CURRENCY}"
    return value_text(metric, value)
