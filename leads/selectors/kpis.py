"""Lead metrics for the registry (salesops.metrics), computed through the lead-quality counts
(leads.selectors.reports.quality_counts) so the report, its API and the dashboards agree.

Each metric reads the leads `scope.user` may see (lead_queryset_for), narrowed to scope.team_id (the
owner's team) / scope.owner_id. `records(scope, period, group_by=None, key=None)` and
`drilldown_url(...)` take an optional breakdown row to list the leads behind it. Registered in
leads/registry.py.
"""
from __future__ import annotations

from django.db.models import Avg, Count, F, QuerySet

from salesops.metric_tools import (
    keyed, link, narrow, percent, period_params, period_q, rows_by, scope_params, shared,
)
from salesops.metrics import MetricResult, MetricRow, Period, Scope
from teams.selectors import person_or_team_labels

from ..models import Lead, Source
from . import lead_queryset_for
from .reports import WON, quality_aggregates

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


# --- the two reads behind every lead metric -----------------------------------------------------
def _figures(queryset: QuerySet, group_by: str | None, aggregates: dict) -> list[dict]:
    if group_by is None:
        return [queryset.order_by().aggregate(**aggregates)]
    return grouped(queryset, group_by, **aggregates)


@shared
def created_figures(scope, period, group_by: str | None = None) -> list[dict]:
    """Leads created in the period (per `group_by` row): volume, the lead-quality counts, won (any)
    and average completeness — one query the volume, MQL rate, lead → won and completeness share."""
    return _figures(created(scope, period), group_by, {"n": Count("id"), **quality_aggregates(),
                                                        "won_any": Count("id", filter=WON),
                                                        "average": Avg("completeness")})


@shared
def mql_figures(scope, period, group_by: str | None = None) -> list[dict]:
    """Leads that became MQL in the period (per `group_by` row): count and the lead-quality counts."""
    return _figures(became_mql(scope, period), group_by, {"n": Count("id"), **quality_aggregates()})


FIGURES = {"created": created_figures, "mql": mql_figures}


# --- counts -------------------------------------------------------------------------------------
def lead_volume(scope, period) -> MetricResult:
    n = created_figures(scope, period)[0]["n"]
    return MetricResult(value=n, count=n)


def lead_volume_rows(scope, period, group_by) -> list[MetricRow]:
    return rows(created_figures(scope, period, group_by), group_by, lambda r: r["n"])


def mql_count(scope, period) -> MetricResult:
    n = mql_figures(scope, period)[0]["n"]
    return MetricResult(value=n, count=n)


def mql_count_rows(scope, period, group_by) -> list[MetricRow]:
    return rows(mql_figures(scope, period, group_by), group_by, lambda r: r["n"])


# --- rates (the lead-quality counts) ------------------------------------------------------------
def rate(part: str, whole: str, figures: str):
    """compute and breakdown for `part` / `whole` (lead-quality counts) over the `figures` read
    ("created": leads created in the period, "mql": leads that became MQL in it)."""
    read = FIGURES[figures]

    def compute(scope, period) -> MetricResult:
        found = read(scope, period)[0]
        return MetricResult(value=percent(found[part], found[whole]), count=found[whole],
                            extra={part: found[part], whole: found[whole]})

    def breakdown(scope, period, group_by) -> list[MetricRow]:
        return rows(read(scope, period, group_by), group_by, lambda r: percent(r[part], r[whole]))
    return compute, breakdown


mql_rate, mql_rate_rows = rate("mqls", "leads", "created")
mql_to_opportunity, mql_to_opportunity_rows = rate("opportunities", "mqls", "mql")


def lead_to_won(scope, period) -> MetricResult:
    found = created_figures(scope, period)[0]
    return MetricResult(value=percent(found["won_any"], found["n"]), count=found["n"],
                        extra={"leads": found["n"], "won": found["won_any"]})


def lead_to_won_rows(scope, period, group_by) -> list[MetricRow]:
    return rows(created_figures(scope, period, group_by), group_by, lambda r: percent(r["won_any"], r["n"]))


def data_completeness(scope, period) -> MetricResult:
    found = created_figures(scope, period)[0]
    return MetricResult(value=None if found["average"] is None else round(found["average"], 1), count=found["n"])


def data_completeness_rows(scope, period, group_by) -> list[MetricRow]:
    return rows(created_figures(scope, period, group_by), group_by,
                lambda r: None if r["average"] is None else round(r["average"], 1))
