"""Reads for the monthly marketing–sales review pack, scoped to the viewer.

Every figure comes from the metric registry (`salesops.metrics`), computed for `Scope(user)`, so a
manager's pack holds only their teams' records and marketing's every lead. A metric nobody has
registered shows as "not available" instead of failing the page.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from leads.models import RuleSet
from leads.services.scoring import published_rule_set, rule_set_backtest
from leads.services.scoring_quality import Segment, rule_set_quality
from salesops import metrics
from salesops.metrics import DAYS, PERCENT, Period, Scope
from teams.models import User
from teams.predicates import REVIEW_PACK_RECIPIENT_ROLES

from ..goal_selectors import goal_queryset_for

# The lead-quality table: one column per metric, each broken down by source.
SOURCE_COLUMNS = ("lead_volume", "mql_count", "mql_rate", "mql_to_opportunity", "lead_to_won")
HEADLINE = "mql_to_opportunity"


@dataclass(frozen=True)
class Figure:
    """One registry figure as shown: the value for the month and the month before, with its link."""

    code: str
    name: str
    unit: str
    value: object = None
    count: int | None = None
    previous: object = None
    url: str = ""
    available: bool = True

    @property
    def display(self) -> str:
        return format_value(self.value, self.unit)

    @property
    def previous_display(self) -> str:
        return format_value(self.previous, self.unit)

    @property
    def change(self):
        if self.value is None or self.previous is None:
            return None
        return round(float(self.value) - float(self.previous), 1)


@dataclass(frozen=True)
class SourceRow:
    key: str
    label: str
    cells: list = field(default_factory=list)   # displayed values, in the order of ReviewPack.columns


@dataclass(frozen=True)
class ScoringChange:
    rule_set: RuleSet
    backtest: dict | None       # rule_set_backtest() over the viewer's leads, None if not allowed


@dataclass(frozen=True)
class ReviewPack:
    month: date
    period: Period
    headline: Figure
    totals: list[Figure]
    columns: list[tuple[str, str]]
    sources: list[SourceRow]
    scoring_changes: list[ScoringChange]
    goals: list[GoalLine]
    scoring_quality: dict | None = None  # the current rule set on the history up to the month's end


def _pct(rate):
    return None if rate is None else round(100 * rate, 1)


def _scoring_quality(user, period: Period) -> dict | None:
    """The current rule set's quality (leads.services.scoring_quality) over the viewer's leads
    created up to the end of the month: its AUC and each grade's conversion with a 95 % interval."""
    current = published_rule_set()
    if current is None:
        return None
    try:
        quality = rule_set_quality(rule_set=current, user=user, segment=Segment(end=period.end))
    except PermissionDenied:
        return None
    grades = [{**g, "pct": _pct(g["conversion"]), "low_pct": _pct(g["interval"][0]) if g["interval"] else None,
               "high_pct": _pct(g["interval"][1]) if g["interval"] else None} for g in quality["grades"]]
    return {**quality, "grades": grades}


def format_value(value, unit: str) -> str:
    """A figure as printed: percentages with one decimal and a %, days with one decimal, counts whole."""
    if value is None:
        return "—"
    if unit == PERCENT:
        return f"{float(value):.1f}%"
    if unit == DAYS:
        return f"{float(value):.1f}"
    return f"{value:,}" if isinstance(value, int) else f"{float(value):,.1f}"


def parse_month(value: str) -> date | None:
    """"YYYY-MM" -> its first day; None when it is not a month between 2000 and 2100."""
    try:
        year, month = (int(part) for part in value.split("-"))
        if len(value) != 7 or not 2000 <= year <= 2100:
            return None
        return date(year, month, 1)
    except ValueError:
        return None


def month_period(month: date) -> Period:
    return Period(month, month.replace(day=calendar.monthrange(month.year, month.month)[1]))


def previous_month(today: date | None = None) -> date:
    """The first day of the last complete month (what the monthly email covers)."""
    return (today or timezone.localdate()).replace(day=1) - relativedelta(months=1)


def _figure(code: str, scope: Scope, period: Period, before: Period) -> Figure:
    metric = metrics.find(code)
    if metric is None:
        return Figure(code=code, name=code, unit="", available=False)
    now, prev = metric.compute(scope, period), metric.compute(scope, before)
    url = metric.drilldown_url(scope, period) if metric.drilldown_url else ""
    return Figure(code=code, name=str(metric.name), unit=metric.unit, value=now.value, count=now.count,
                  previous=prev.value, url=url)


def _source_table(scope: Scope, period: Period) -> tuple[list[tuple[str, str]], list[SourceRow]]:
    """(columns [(code, name)], rows): each registered lead-quality metric broken down by source."""
    columns, values, labels = [], {}, {}
    for code in SOURCE_COLUMNS:
        metric = metrics.find(code)
        if metric is None or metric.breakdown is None or "source" not in metric.group_by:
            continue
        columns.append((code, metric.unit, str(metric.name)))
        for row in metric.breakdown(scope, period, "source"):
            labels[row.key] = row.label
            values.setdefault(row.key, {})[code] = row.value
    order = sorted(values, key=lambda key: (-(values[key].get("lead_volume") or 0), str(labels[key])))
    rows = [SourceRow(key=key, label=str(labels[key]),
                      cells=[format_value(values[key].get(code), unit) for code, unit, _ in columns])
            for key in order]
    return [(code, name) for code, _, name in columns], rows


def _scoring_changes(user, period: Period) -> list[ScoringChange]:
    """Rule sets published in the month (business time zone), each with its backtest over the
    viewer's leads: how many leads each grade holds under it and how they converted."""
    changes = []
    published = (RuleSet.objects.filter(published_at__date__gte=period.start, published_at__date__lte=period.end)
                 .select_related("published_by").order_by("published_at"))
    for rule_set in published:
        try:
            backtest = rule_set_backtest(rule_set=rule_set, user=user, sample_size=0)
        except PermissionDenied:
            backtest = None
        changes.append(ScoringChange(rule_set=rule_set, backtest=backtest))
    return changes


@dataclass(frozen=True)
class GoalLine:
    goal: object
    metric_name: str
    unit: str

    @property
    def baseline(self) -> str:
        return format_value(self.goal.baseline, self.unit)

    @property
    def target(self) -> str:
        return format_value(self.goal.target, self.unit)

    @property
    def current(self) -> str:
        return format_value(self.goal.current, self.unit)


def _goals(user, period: Period) -> list[GoalLine]:
    """Goals running during the month that the viewer may see (dashboards.goal_selectors)."""
    goals = (goal_queryset_for(user=user).filter(start__lte=period.end, deadline__gte=period.start)
             .order_by("deadline", "pk"))
    lines = []
    for goal in goals:
        metric = metrics.find(goal.metric)
        lines.append(GoalLine(goal=goal, metric_name=str(metric.name) if metric else goal.metric,
                              unit=metric.unit if metric else ""))
    return lines


def review_pack(*, user, month: date) -> ReviewPack:
    """The pack of `month` as `user` sees it (who may see it at all: teams.predicates.can_see_review_pack)."""
    scope, period = Scope(user=user), month_period(month)
    before = month_period(month - relativedelta(months=1))
    columns, sources = _source_table(scope, period)
    return ReviewPack(
        month=month, period=period,
        headline=_figure(HEADLINE, scope, period, before),
        totals=[_figure(code, scope, period, before) for code in SOURCE_COLUMNS if code != HEADLINE],
        columns=columns, sources=sources,
        scoring_changes=_scoring_changes(user, period),
        goals=_goals(user, period),
        scoring_quality=_scoring_quality(user, period),
    )


def review_pack_recipients():
    """Who is mailed the pack (teams.predicates.receives_review_pack, as a query)."""
    return (User.objects.filter(is_active=True, role__in=REVIEW_PACK_RECIPIENT_ROLES).exclude(email="")
            .order_by("pk"))
