"""Lead metrics for the registry (salesops.metrics), computed through the lead-quality counts
(leads.selectors.reports.quality_counts) so the report, its API and the dashboards agree.

Each metric reads the leads `scope.user` may see (lead_queryset_for), narrowed to scope.team_id (the
owner's team) / scope.owner_id. `records(scope, period, group_by=None, key=None)` and
`drilldown_url(...)` take an optional breakdown row to list the leads behind it. Registered in
leads/registry.py.
"""
from __future__ import annotations

from django.db.models import Avg, Count, F, QuerySet

from salesops.metric_tools import keyed, link, narrow, percent, period_params, period_q, rows_by, scope_params
from salesops.metrics import MetricResult, MetricRow, Period, Scope
from teams.selectors import person_or_team_labels

from ..models import Lead, Source
from . import lead_queryset_for
from .reports import WON, quality_aggregates, quality_counts

FIELDS = {"source": "source", "owner": "owner_id", "team": "owner__team_id"}
LIST = "leads:list"


def leads(scope: Scope) -> QuerySet[Lead]:
    return narrow(lead_queryset_for(user=scope.user), scope, team_field="owner__team_id")


def labels(group_by: str, keys) -> dict:
    if group_by in ("owner", "team"):
        return person_or_team_labels(group_by, keys)
    return {code: str(label) for code, label in Source.choices}


def drilldown(params):
    """A drilldown_url(scope, period, group_by=None, key=None) for the lead list with `params(period)`."""
    def url(scope: Scope, period: Period, group_by: str | None = None, key: str | None = None) -> str:
        extra = {group_by: key} if group_by and key else {}
        return link(LIST, {**params(period), **scope_params(scope), **extra})
    return url


def created_range(period: Period) -> dict:
    return period_params("created", period)


def mql_range(period: Period) -> dict:
    return period_params("mql", period)


def created(scope, period, group_by=None, key=None) -> QuerySet[Lead]:
    return keyed(leads(scope).filter(period_q("created_at", period)), FIELDS, group_by, key)


def became_mql(scope, period, group_by=None, key=None) -> QuerySet[Lead]:
    return keyed(leads(scope).filter(period_q("mql_at", period)), FIELDS, group_by, key)


def grouped(queryset: QuerySet, group_by: str, **aggregates) -> list[dict]:
    return list(queryset.order_by().values(key=F(FIELDS[group_by])).annotate(**aggregates).order_by("key"))


def rows(found: list[dict], group_by: str, value) -> list[MetricRow]:
    return rows_by(found, "key", labels(group_by, [r["key"] for r in found]), value)


# --- counts -------------------------------------------------------------------------------------
def lead_volume(scope, period) -> MetricResult:
    n = created(scope, period).count()
    return MetricResult(value=n, count=n)


def lead_volume_rows(scope, period, group_by) -> list[MetricRow]:
    return rows(grouped(created(scope, period), group_by, n=Count("id")), group_by, lambda r: r["n"])


def mql_count(scope, period) -> MetricResult:
    n = became_mql(scope, period).count()
    return MetricResult(value=n, count=n)


def mql_count_rows(scope, period, group_by) -> list[MetricRow]:
    return rows(grouped(became_mql(scope, period), group_by, n=Count("id")), group_by, lambda r: r["n"])


# --- rates (the lead-quality counts) ------------------------------------------------------------
def quality(queryset: QuerySet, group_by: str | None = None) -> list[dict]:
    if group_by is None:
        return [queryset.order_by().aggregate(**quality_aggregates())]
    found = list(quality_counts(queryset.annotate(key=F(FIELDS[group_by])), "key").order_by("key"))
    for row in found:
        row["n"] = row["leads"]
    return found


def rate(part: str, whole: str, records):
    """compute and breakdown for `part` / `whole` (lead-quality counts) over `records(scope, period)`."""
    def compute(scope, period) -> MetricResult:
        figures = quality(records(scope, period))[0]
        return MetricResult(value=percent(figures[part], figures[whole]), count=figures[whole],
                            extra={part: figures[part], whole: figures[whole]})

    def breakdown(scope, period, group_by) -> list[MetricRow]:
        return rows(quality(records(scope, period), group_by), group_by, lambda r: percent(r[part], r[whole]))
    return compute, breakdown


mql_rate, mql_rate_rows = rate("mqls", "leads", created)
mql_to_opportunity, mql_to_opportunity_rows = rate("opportunities", "mqls", became_mql)


def lead_to_won(scope, period) -> MetricResult:
    figures = created(scope, period).order_by().aggregate(leads=Count("id"), won=Count("id", filter=WON))
    return MetricResult(value=percent(figures["won"], figures["leads"]), count=figures["leads"], extra=figures)


def lead_to_won_rows(scope, period, group_by) -> list[MetricRow]:
    found = grouped(created(scope, period), group_by, n=Count("id"), won=Count("id", filter=WON))
    return rows(found, group_by, lambda r: percent(r["won"], r["n"]))


def data_completeness(scope, period) -> MetricResult:
    figures = created(scope, period).order_by().aggregate(n=Count("id"), average=Avg("completeness"))
    return MetricResult(value=None if figures["average"] is None else round(figures["average"], 1), count=figures["n"])


def data_completeness_rows(scope, period, group_by) -> list[MetricRow]:
    found = grouped(created(scope, period), group_by, n=Count("id"), average=Avg("completeness"))
    return rows(found, group_by, lambda r: None if r["average"] is None else round(r["average"], 1))
