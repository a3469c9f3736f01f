"""Reading a registered metric (salesops.metrics) for one viewer: value, record count, breakdown rows and
the drill-down links. The metrics API and the dashboard pages share it, so they show the same figures.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field

from salesops.metrics import Metric, MetricRow, Period, Scope


class UnknownGroup(ValueError):
    """`group_by` is not one of the metric's breakdown keys."""


@dataclass(frozen=True)
class MetricAnswer:
    metric: Metric
    period: Period
    value: object
    count: int | None
    per_currency: dict | None
    extra: dict
    drilldown: str
    group_by: str = ""
    rows: list[dict] = field(default_factory=list)


def takes_row(function) -> bool:
    """Whether drilldown_url / records accept a breakdown row (group_by=, key=): pipeline's and leads' do."""
    try:
        return "key" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def row_drilldown(metric: Metric, scope: Scope, period: Period, group_by: str, row: MetricRow) -> str:
    if metric.drilldown_url is None:
        return ""
    if takes_row(metric.drilldown_url) and row.key:
        return metric.drilldown_url(scope, period, group_by=group_by, key=row.key)
    return metric.drilldown_url(scope, period)


def metric_answer(*, metric: Metric, user, period: Period, team: int | None = None, owner: int | None = None,
                  group_by: str = "") -> MetricAnswer:
    """The metric for `user` over `period`, narrowed to `team` / `owner` inside what the user may see (a
    team or rep outside it gives empty figures, never theirs). UnknownGroup for a bad `group_by`."""
    if group_by and (group_by not in metric.group_by or metric.breakdown is None):
        raise UnknownGroup(group_by)
    scope = Scope(user=user, team_id=team, owner_id=owner)
    result = metric.compute(scope, period)
    rows = []
    if group_by:
        rows = [{"key": row.key, "label": row.label, "value": row.value, "count": row.count,
                 "per_currency": row.per_currency, "drilldown": row_drilldown(metric, scope, period, group_by, row)}
                for row in metric.breakdown(scope, period, group_by)]
    return MetricAnswer(metric=metric, period=period, value=result.value, count=result.count,
                        per_currency=result.per_currency, extra=result.extra,
                        drilldown=metric.drilldown_url(scope, period) if metric.drilldown_url else "",
                        group_by=group_by, rows=rows)
