"""What each dashboard shows, read from the metric registry (salesops.metrics) and nothing else.

A dashboard is KPI tiles and sections; a section has Plotly figures (pure dicts for json_script) and
one table that is both the charts' screen-reader view and the section's CSV export. Every number
is a metric's `compute` or `breakdown`, and links to the metric's drill-down (`drilldown_url`),
narrowed to the row's rep, team or stage. A metric nobody registered shows "not available".
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import plotly.graph_objects as go
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops import metrics
from salesops.metric_tools import shared_reads
from salesops.metrics import Period, Scope
from teams.predicates import EXECUTIVE_DASHBOARD, MARKETING_DASHBOARD, SALES_DASHBOARD, SUCCESS_DASHBOARD

from .metric_reads import takes_row

NOT_AVAILABLE = "—"
# the dashboards there are (teams.predicates names them and decides where each role lands)
DASHBOARDS = (SALES_DASHBOARD, MARKETING_DASHBOARD, SUCCESS_DASHBOARD, EXECUTIVE_DASHBOARD)
LAYOUT = {"margin": {"l": 48, "r": 10, "t": 40, "b": 48}, "height": 340, "autosize": True}


@dataclass
class Cell:
    text: str
    url: str | None = None
    num: bool = False


@dataclass
class Section:
    id: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    empty: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    goal_lines: list = field(default_factory=list)  # dashboards.goal_lines.GoalLine drawn on the charts


# --- formatting and links ---------------------------------------------------------------------
def money_text(per_currency: dict | None) -> str:
    if not per_currency:
        return "0"
    return " · ".join(f"{Decimal(amount):,.0f} {code}" for code, amount in sorted(per_currency.items()))


def value_text(metric, value, per_currency=None) -> str:
    if metric.unit == metrics.MONEY:
        return money_text(per_currency)
    if value is None:
        return NOT_AVAILABLE
    if metric.unit == metrics.COUNT:
        return f"{int(value):,}"
    if metric.unit == metrics.PERCENT:
        return f"{float(value):.1f} %"
    return f"{float(value):,.1f}"


def chart_number(metric, value, per_currency=None) -> float | None:
    """The number a chart plots: for money the amount in the default currency (tables show all)."""
    if metric.unit == metrics.MONEY:
        return float((per_currency or {}).get(settings.DEFAULT_CURRENCY, 0))
    return None if value is None else float(value)


def with_params(url: str | None, **params) -> str | None:
    if not url:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v not in (None, "")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def drilldown(metric, scope: Scope, period: Period, **params) -> str | None:
    if metric is None or metric.drilldown_url is None:
        return None
    return with_params(metric.drilldown_url(scope, period), **params)


def _int_key(key) -> int | None:
    return int(key) if str(key).isdigit() else None


def _stage_ids() -> dict[str, int]:
    from pipeline.selectors.kpis import stages

    return {stage.code: stage.pk for stage in stages()}


def row_url(metric, scope: Scope, period: Period, group_by: str, key, stage_ids=None) -> str | None:
    """The drill-down of one breakdown row: the metric's own when its drilldown_url takes the row
    (group_by, key); otherwise the scope narrowed to the row's rep or team, and for a stage row
    `stage=<id>` (the deal list's stage filter) added to the metric's drill-down."""
    if metric is None or metric.drilldown_url is None:
        return None
    if takes_row(metric.drilldown_url):
        return metric.drilldown_url(scope, period, group_by, str(key))
    if group_by == "owner" and _int_key(key):
        return drilldown(metric, replace(scope, owner_id=_int_key(key)), period)
    if group_by == "team" and _int_key(key):
        return drilldown(metric, replace(scope, team_id=_int_key(key)), period)
    if group_by == "stage":
        stage = _int_key(key) or (stage_ids or {}).get(str(key))
        return drilldown(metric, scope, period, stage=stage)
    return drilldown(metric, scope, period)


def rows_of(code: str, scope: Scope, period: Period, group_by: str):
    """(metric, breakdown rows) — rows empty when the metric is missing or has no such grouping."""
    metric = metrics.find(code)
    if metric is None or metric.breakdown is None or group_by not in metric.group_by:
        return metric, []
    return metric, list(metric.breakdown(scope, period, group_by))


# --- KPI tiles --------------------------------------------------------------------------------
def tile(code: str, scope: Scope, period: Period) -> dict:
    metric = metrics.find(code)
    if metric is None:
        return {"code": code, "name": code, "text": NOT_AVAILABLE, "available": False}
    result = metric.compute(scope, period)
    return {"code": code, "name": str(metric.name), "unit": metric.unit, "available": True,
            "text": value_text(metric, result.value, result.per_currency), "count": result.count,
            "number": chart_number(metric, result.value, result.per_currency),
            "url": drilldown(metric, scope, period), "description": str(metric.description or "")}


def tiles(codes, scope: Scope, period: Period) -> list[dict]:
    return [tile(code, scope, period) for code in codes]


# --- shared builders --------------------------------------------------------------------------
def _figure(fig: go.Figure, title: str, *, clickable: bool = False) -> dict:
    fig.update_layout(title=title, **LAYOUT)
    return {"figure": fig.to_plotly_json(), "clickable": clickable}


def _jsonable(fig: dict) -> dict:
    import json

    from plotly.utils import PlotlyJSONEncoder
    return json.loads(json.dumps(fig, cls=PlotlyJSONEncoder))


def grouped_section(section_id: str, title: str, scope: Scope, period: Period, group_by: str,
                    codes: list[str], *, label: str, chart_codes: list[str] | None = None,
                    sort_code: str | None = None) -> Section:
    """One row per group (rep, team, stage, source) with a column per metric; each cell links to the
    metric's records for that group; a grouped bar chart of `chart_codes` (default: all)."""
    stage_ids = _stage_ids() if group_by == "stage" else None
    found, order, labels = {}, [], {}
    for code in codes:
        metric, rows = rows_of(code, scope, period, group_by)
        if metric is None:
            continue
        found[code] = (metric, {row.key: row for row in rows})
        for row in rows:
            if row.key not in labels:
                order.append(row.key)
                labels[row.key] = row.label
    if sort_code in found:
        metric, by_key = found[sort_code]
        order.sort(key=lambda k: -(chart_number(metric, by_key[k].value, by_key[k].per_currency) or 0)
                   if k in by_key else 0)
    section = Section(section_id, title, [label] + [str(m.name) for m, _rows in found.values()],
                      empty=_("No data for this period and scope."))
    for key in order:
        cells = [Cell(str(labels[key]))]
        for metric, by_key in found.values():
            row = by_key.get(key)
            cells.append(Cell(NOT_AVAILABLE, num=True) if row is None else Cell(
                value_text(metric, row.value, row.per_currency),
                row_url(metric, scope, period, group_by, key, stage_ids), num=True))
        section.rows.append(cells)
    bars = [go.Bar(name=str(metric.name), x=[str(labels[k]) for k in order],
                   y=[chart_number(metric, by_key[k].value, by_key[k].per_currency) if k in by_key else None
                      for k in order])
            for code, (metric, by_key) in found.items() if chart_codes is None or code in chart_codes]
    if order and any(y is not None for bar in bars for y in bar.y):
        fig = go.Figure(bars)
        fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.25})
        with_goal_lines(section, fig, [code for code in found if chart_codes is None or code in chart_codes], scope)
        section.figures.append(_figure(fig, title))
    return section


def with_goal_lines(section: Section, fig: go.Figure, codes, scope: Scope, today: date | None = None) -> None:
    """Draw the active goals of the charted metrics for the scope on `fig`; the table lists them."""
    from . import goal_lines

    lines = goal_lines.goal_lines(codes, scope, today or timezone.localdate())
    goal_lines.draw(fig, lines)
    section.goal_lines += [line for line in lines if line not in section.goal_lines]


# --- sales (managers and reps) -----------------------------------------------------------------
SALES_TILES = ["won_value", "deals_won", "win_rate", "sales_cycle_days", "forecast_weighted",
               "quota_attainment", "stalled_deals"]


def funnel_section(scope: Scope, period: Period) -> Section:
    """Deals per stage (count and amount) with the conversion to the next stage and its drop-off; a
    click on a stage of the funnel opens the deals counted there."""
    stage_ids = _stage_ids()
    count_metric, count_rows = rows_of("deals_in_stage", scope, period, "stage")
    amount_metric, amount_rows = rows_of("pipeline_amount", scope, period, "stage")
    conv_metric, conv_rows = rows_of("stage_conversion", scope, period, "stage")
    amounts = {row.key: row for row in amount_rows}
    conversion = {row.key: row for row in conv_rows}
    section = Section("funnel", _("Funnel"), [_("Stage"), _("Deals"), _("Amount"), _("Conversion to next stage"),
                                              _("Drop-off")], empty=_("No deals in this period and scope."))
    labels, counts, urls, money, drop_texts = [], [], [], [], []
    for row in count_rows:
        url = row_url(count_metric, scope, period, "stage", row.key, stage_ids)
        amount = amounts.get(row.key)
        conv = conversion.get(row.key)
        rate = None if conv is None or conv.value is None else float(conv.value)
        section.rows.append([
            Cell(str(row.label)), Cell(value_text(count_metric, row.value), url, num=True),
            Cell(money_text(amount.per_currency) if amount else NOT_AVAILABLE,
                 row_url(amount_metric, scope, period, "stage", row.key, stage_ids) if amount else None, num=True),
            Cell(NOT_AVAILABLE if rate is None else f"{rate:.1f} %",
                 row_url(conv_metric, scope, period, "stage", row.key, stage_ids) if conv else None, num=True),
            Cell(NOT_AVAILABLE if rate is None else f"{100 - rate:.1f} %", num=True),
        ])
        labels.append(str(row.label))
        drop_texts.append("" if rate is None else _("drop-off %(rate).1f %%") % {"rate": 100 - rate})
        counts.append(int(row.value or 0))
        urls.append(url or "")
        money.append(chart_number(amount_metric, None, amount.per_currency) if amount else 0)
    if count_rows:
        # deals *currently* in each stage are not monotonic: the drop-off shown is the ledger's
        # conversion to the next stage (stage_conversion), not the ratio of neighbouring bars
        section.figures.append(_figure(go.Figure(go.Funnel(
            y=labels, x=counts, customdata=urls, text=drop_texts, textinfo="value+text",
            hovertemplate="%{y}: %{x}<br>%{text}<extra></extra>")), _("Deals per stage"), clickable=True))
        section.figures.append(_figure(go.Figure(go.Bar(x=labels, y=money, customdata=urls)),
                                       _("Amount per stage (%(currency)s)") % {"currency": settings.DEFAULT_CURRENCY},
                                       clickable=True))
    return section


def sales_sections(scope: Scope, period: Period) -> list[Section]:
    return [
        funnel_section(scope, period),
        grouped_section("time-in-stage", _("Time in stage (days)"), scope, period, "stage",
                        ["time_in_stage_p50", "time_in_stage_p90"], label=_("Stage")),
        grouped_section("leaderboard", _("Rep leaderboard"), scope, period, "owner",
                        ["won_value", "deals_won", "win_rate", "sales_cycle_days"], label=_("Rep"),
                        chart_codes=["won_value"], sort_code="won_value"),
        grouped_section("forecast", _("Forecast vs actual"), scope, period, "owner",
                        ["forecast_weighted", "won_value"], label=_("Rep")),
        grouped_section("quota", _("Quota attainment"), scope, period, "owner", ["quota_attainment"], label=_("Rep")),
        grouped_section("stalled", _("Stalled deals"), scope, period, "owner", ["stalled_deals"], label=_("Rep")),
    ]


# --- marketing ------------------------------------------------------------------------------
MARKETING_TILES = ["lead_volume", "mql_count", "mql_rate", "mql_to_opportunity", "lead_to_won", "data_completeness"]


def month_windows(period: Period, today: date, most: int = 12) -> list[Period]:
    """The calendar months of `period` (its last `most`), clipped to it; all time: the last 12 months."""
    end = period.end or today
    start = period.start or date(end.year - 1, end.month, 1)
    months = []
    first = date(end.year, end.month, 1)
    while len(months) < most and first >= date(start.year, start.month, 1):
        last = (date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1))
        months.append(Period(max(first, start), min(last, end)))
        first = (first - timedelta(days=1)).replace(day=1)
    return months[::-1]


def trend_section(section_id: str, title: str, code: str, scope: Scope, period: Period, today: date) -> Section:
    metric = metrics.find(code)
    section = Section(section_id, title, [_("Month"), str(metric.name) if metric else code, _("Source")],
                      empty=_("Not available."))
    if metric is None:
        return section
    from .comparisons import month_snapshots  # closed months from the KPI snapshots, when they hold them

    points, windows = [], month_windows(period, today)
    stored = month_snapshots(code, scope, [month for month in windows if month.end < today])
    for month in windows:
        snapshot = stored.get(month.start)
        if snapshot is not None:
            value, per_currency, source = snapshot.value, snapshot.per_currency, _("KPI snapshot")
        else:
            result = metric.compute(scope, month)
            value, per_currency, source = result.value, result.per_currency, _("computed")
        section.rows.append([Cell(month.start.strftime("%Y-%m")),
                             Cell(value_text(metric, value, per_currency), drilldown(metric, scope, month), num=True),
                             Cell(source)])
        points.append((month.start.strftime("%Y-%m"), chart_number(metric, value, per_currency)))
    if any(y is not None for _month, y in points):
        fig = go.Figure(go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="lines+markers",
                                   name=str(metric.name)))
        fig.update_layout(xaxis={"type": "category"})  # "2026-09" is a month, not a date to place on a day axis
        with_goal_lines(section, fig, [code], scope, today)
        section.figures.append(_figure(fig, title))
    return section


def scoring_section(user) -> Section:
    """The recent published scoring rule sets, linked to their pages and their what-if backtests."""
    from leads.selectors import rule_set_queryset
    from leads.models import RuleSet

    section = Section("scoring", _("Scoring changes"), [_("Rule set"), _("Published"), _("Published by"),
                                                        _("Backtest")],
                      empty=_("No scoring rule set has been published yet."),
                      links=[(reverse("leads:rule-sets"), _("All scoring rule sets"))])
    published = rule_set_queryset().filter(published_at__isnull=False).order_by("-published_at")[:5]
    for rule_set in published:
        url = reverse("leads:rule-set", args=[rule_set.pk])
        section.rows.append([
            Cell(f"v{rule_set.version} {rule_set.name}" + (f" ({_('current')})"
                                                             if rule_set.status == RuleSet.Status.PUBLISHED else ""),
                 url),
            Cell(rule_set.published_at.strftime("%Y-%m-%d")),
            Cell(str(rule_set.published_by or NOT_AVAILABLE)),
            Cell(_("Run the backtest"), f"{url}?backtest=1"),
        ])
    return section


def cached_backtest(rule_set, user, run) -> tuple[dict, datetime]:
    """The published rule set's backtest over `user`'s leads, computed once per rule-set version and
    viewer for settings.SALESOPS_BACKTEST_CACHE_SECONDS (default 10 minutes): a full backtest reads
    every lead, and the dashboard is opened far more often than rule sets change."""
    key = f"dashboard-backtest:{rule_set.pk}:{rule_set.version}:{rule_set.published_at.timestamp()}:{user.pk}"
    found = cache.get(key)
    if found is None:
        found = (run(rule_set=rule_set, user=user, sample_size=0), timezone.now())
        cache.set(key, found, getattr(settings, "SALESOPS_BACKTEST_CACHE_SECONDS", 600))
    return found


def backtest_section(user) -> Section | None:
    """The current rule set's backtest summary (grades and how they converted) over the viewer's leads."""
    from leads.models import RuleSet
    from leads.services.scoring import rule_set_backtest
    from teams.predicates import can_backtest_scoring

    current = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()
    if current is None or not can_backtest_scoring(user):
        return None
    result, computed_at = cached_backtest(current, user, rule_set_backtest)
    section = Section("backtest", _("Backtest of the current rule set (v%(version)s)") % {"version": current.version},
                      [_("Grade"), _("Leads"), _("Converted"), _("Won")], empty=_("No leads to backtest."),
                      links=[(f"{reverse('leads:rule-set', args=[current.pk])}?backtest=1", _("Full backtest"))])
    section.note = _("Computed at %(time)s; the full backtest runs on the current leads.") % {
        "time": timezone.localtime(computed_at).strftime("%Y-%m-%d %H:%M")}
    for grade in result["grades"]:
        section.rows.append([Cell(grade["grade"] or NOT_AVAILABLE), Cell(f"{grade['proposed']:,}", num=True),
                             Cell(NOT_AVAILABLE if grade["conversion_pct"] is None else f"{grade['conversion_pct']} %",
                                  num=True),
                             Cell(NOT_AVAILABLE if grade["win_pct"] is None else f"{grade['win_pct']} %", num=True)])
    return section


def marketing_sections(scope: Scope, period: Period, today: date) -> list[Section]:
    sections = [
        grouped_section("quality", _("Lead quality by source"), scope, period, "source",
                        ["lead_volume", "mql_count", "mql_rate", "mql_to_opportunity", "lead_to_won"],
                        label=_("Source"), chart_codes=["mql_rate", "mql_to_opportunity", "lead_to_won"],
                        sort_code="lead_volume"),
        trend_section("mql-trend", _("MQL volume per month"), "mql_count", scope, period, today),
        trend_section("mql-to-opportunity", _("MQL → opportunity per month"), "mql_to_opportunity", scope, period,
                      today),
        scoring_section(scope.user),
    ]
    backtest = backtest_section(scope.user)
    return sections + ([backtest] if backtest else [])


# --- executive and administrators ---------------------------------------------------------------
EXECUTIVE_TILES = ["won_value", "win_rate", "sales_cycle_days", "quota_attainment", "forecast_weighted",
                   "lead_volume", "mql_to_opportunity", "data_completeness", "high_margin_share"]
EXECUTIVE_TILES += ["ltv_cac"]  # h6: LTV:CAC from the customers metrics (the registry, by code)


def goals_section(scope: Scope, today: date) -> Section:
    """The goals board: the active SMART goals the viewer sees (dashboards.goal_selectors.goal_board),
    their last measured value and pace against the pro-rated target, linked to the metric's records."""
    from .goal_selectors import goal_board
    from .models import Goal

    section = Section("goals", _("Goals"), [_("Goal"), _("Scope"), _("Baseline"), _("Target"), _("Current"),
                                            _("Deadline"), _("Progress"), _("Expected by today"), _("Pace")],
                      empty=_("No goals have been set."), links=[(reverse("dashboards:goals"), _("All goals"))])
    names, done, expected = [], [], []
    for row in goal_board(user=scope.user, today=today):
        goal, metric, pace = row.goal, row.metric, row.pace
        if goal.status != Goal.Status.ACTIVE:
            continue
        name = str(metric.name) if metric else goal.metric
        where = (goal.owner.get_full_name() or goal.owner.username) if goal.owner else goal.team or _("Organisation")
        url = drilldown(metric, Scope(scope.user, team_id=goal.team_id, owner_id=goal.owner_id),
                        Period(goal.start, min(goal.deadline, today)))
        section.rows.append([
            Cell(name, url), Cell(str(where)), Cell(_number(goal.baseline), num=True),
            Cell(_number(goal.target), num=True), Cell(_number(goal.current), num=True),
            Cell(goal.deadline.strftime("%Y-%m-%d")),
            Cell(NOT_AVAILABLE if pace.progress is None else f"{100 * pace.progress:.0f} %", num=True),
            Cell(f"{100 * pace.elapsed:.0f} %", num=True), Cell(str(Goal.Pace(pace.status).label)),
        ])
        names.append(f"{name} · {where}")
        done.append(None if pace.progress is None else round(100 * pace.progress, 1))
        expected.append(round(100 * pace.elapsed, 1))
    if names:
        fig = go.Figure([go.Bar(name=_("Progress"), y=names, x=done, orientation="h"),
                         go.Scatter(name=_("Expected by today"), y=names, x=expected, mode="markers",
                                    marker={"symbol": "line-ns-open", "size": 24, "line": {"width": 3}})])
        fig.update_layout(xaxis={"ticksuffix": " %"}, legend={"orientation": "h", "y": -0.2})
        section.figures.append(_figure(fig, _("Progress towards the goals")))
    return section


def _number(value) -> str:
    return NOT_AVAILABLE if value is None else f"{float(value):,.1f}"


def executive_sections(scope: Scope, period: Period, today: date) -> list[Section]:
    return [
        goals_section(scope, today),
        grouped_section("teams", _("Teams"), scope, period, "team",
                        ["won_value", "deals_won", "win_rate", "quota_attainment", "data_completeness"],
                        label=_("Team"), chart_codes=["won_value"], sort_code="won_value"),
    ]


# --- customer success ---------------------------------------------------------------------------
SUCCESS_TILES = ["health_score", "accounts_critical", "nps", "csat", "grr", "nrr", "logo_churn_rate",
                 "renewals_due", "mrr", "activity_logged_within_24h"]


def health_section(scope: Scope, period: Period) -> Section:
    """How many accounts sit in each health band (with their average score), each linked to them."""
    metric, rows = rows_of("health_score", scope, period, "band")
    section = Section("health", _("Health distribution"), [_("Band"), _("Accounts"), _("Average score")],
                      empty=_("No account has a health score yet."))
    for row in rows:
        url = row_url(metric, scope, period, "band", row.key)
        section.rows.append([Cell(str(row.label), url), Cell(f"{int(row.count or 0):,}", url, num=True),
                             Cell(value_text(metric, row.value), num=True)])
    if rows:
        colours = {"healthy": "#2ea043", "at_risk": "#dbab09", "critical": "#cf222e"}
        fig = go.Figure(go.Bar(x=[str(row.label) for row in rows], y=[int(row.count or 0) for row in rows],
                               marker_color=[colours.get(str(row.key), "#888") for row in rows],
                               customdata=[row_url(metric, scope, period, "band", row.key) or "" for row in rows]))
        section.figures.append(_figure(fig, _("Accounts per health band"), clickable=True))
    return section


def success_sections(scope: Scope, period: Period, today: date) -> list[Section]:
    return [
        health_section(scope, period),
        trend_section("nps-trend", _("NPS per month"), "nps", scope, period, today),
        trend_section("grr-trend", _("Gross revenue retention per month"), "grr", scope, period, today),
        grouped_section("churn-by-contract", _("Retention by contract type"), scope, period, "contract_type",
                        ["logo_churn_rate", "revenue_churn_rate", "grr", "nrr"], label=_("Contract type")),
        grouped_section("voice", _("Voice of the customer by owner"), scope, period, "owner",
                        ["nps", "csat", "survey_response_rate"], label=_("Owner")),
    ]


# --- the dashboards ---------------------------------------------------------------------------
def build(name: str, scope: Scope, period: Period, today: date) -> dict:
    """{"tiles": [...], "sections": [Section]} of the dashboard `name` (teams.predicates names).
    Inside shared_reads: a read several tiles and tables need (the funnel rows, the stays, won value
    per rep) runs once."""
    with shared_reads():
        return _build(name, scope, period, today)


def _build(name: str, scope: Scope, period: Period, today: date) -> dict:
    if name == "marketing":
        result = {"tiles": tiles(MARKETING_TILES, scope, period),
                  "sections": marketing_sections(scope, period, today)}
    elif name == "success":
        result = {"tiles": tiles(SUCCESS_TILES, scope, period), "sections": success_sections(scope, period, today)}
    elif name == "executive":
        result = {"tiles": tiles(EXECUTIVE_TILES, scope, period), "sections": executive_sections(scope, period, today)}
    else:
        result = {"tiles": tiles(SALES_TILES, scope, period), "sections": sales_sections(scope, period)}
    from .comparisons import add_comparisons  # "vs last period" and trends (KPI snapshots)

    add_comparisons(result["tiles"], scope, period, today)
    for section in result["sections"]:
        section.figures = [{**_jsonable(figure), "id": f"chart-{section.id}-{index}"}
                           for index, figure in enumerate(section.figures)]
    return result
