"""Lead metrics for the registry (salesops.metrics), computed through the lead-quality counts
(leads.selectors.reports.quality_counts) so the report, its API and the dashboards agree.

Each metric reads the leads `scope.user` may see (lead_queryset_for), narrowed to scope.team_id (the
owner's team) / scope.owner_id. `records(scope, period, group_by=None, key=None)` and
`drilldown_url(...)` take an optional breakdown row to list the leads behind it. Registered in
leads/registry.py.
"""
from __future__ import annotations

from django.db.models import Avg, Case, CharField, Count, F, Q, QuerySet, Value, When

from salesops.metric_tools import (
    DaysBetween, dated_period_q, link, narrow, percent, period_params, period_q, rows_by, scope_params, shared,
)
from salesops.metrics import MetricResult, MetricRow, Period, Scope
from teams.selectors import person_or_team_labels

from ..models import Lead, Source
from . import lead_queryset_for
from .reports import WON, quality_aggregates

FIELDS = {"source": "source", "owner": "owner_id", "team": "owner__team_id",
          # what an import kept verbatim (issue 13)
          "source_detail": "source_detail", "origin": "origin", "business_segment": "business_segment",
          "lead_type": "lead_type"}
VERBATIM = ("source_detail", "origin", "business_segment", "lead_type")
TIME_ON_SITE = "time_on_site"  # a band: over 1,000 s on the site or not (X Education's threshold)
TIME_BANDS = {"over_1000": Q(time_on_site__gt=1000), "up_to_1000": Q(time_on_site__lte=1000)}
GROUPS = ("source", "owner", "team", *VERBATIM, TIME_ON_SITE)


def group_expression(group_by: str):
    if group_by == TIME_ON_SITE:
        return Case(*(When(q, then=Value(key)) for key, q in TIME_BANDS.items()), default=None,
                    output_field=CharField())
    return F(FIELDS[group_by])


def keyed(queryset: QuerySet, fields, group_by: str | None, key: str | None) -> QuerySet:
    """The leads of one breakdown row ("" is the row of leads without a value)."""
    if not group_by:
        return queryset
    if group_by == TIME_ON_SITE:
        return queryset.filter(TIME_BANDS[key]) if key in TIME_BANDS else queryset.filter(time_on_site__isnull=True)
    field = fields[group_by]
    if group_by in VERBATIM:
        return queryset.filter(**{field: key or ""})
    return queryset.filter(**{field: key}) if key else queryset.filter(**{f"{field}__isnull": True})
LIST = "leads:list"


def leads(scope: Scope) -> QuerySet[Lead]:
    return narrow(lead_queryset_for(user=scope.user), scope, team_field="owner__team_id")


def labels(group_by: str, keys) -> dict:
    if group_by in ("owner", "team"):
        return person_or_team_labels(group_by, keys)
    if group_by in VERBATIM:
        return {key: key or "—" for key in keys}
    if group_by == TIME_ON_SITE:
        from django.utils.translation import gettext as _

        return {"over_1000": _("More than 1,000 s on the site"), "up_to_1000": _("1,000 s or less on the site")}
    return {code: str(label) for code, label in Source.choices}


def drilldown(params):
    """A drilldown_url(scope, period, group_by=None, key=None) for the lead list with `params(period)`."""
    def url(scope: Scope, period: Period, group_by: str | None = None, key: str | None = None) -> str:
        if group_by == TIME_ON_SITE:
            extra = ({"min_time_on_site": 1001} if key == "over_1000" else
                     {"max_time_on_site": 1000} if key == "up_to_1000" else {})
        else:
            extra = {group_by: key} if group_by and key else {}
        return link(LIST, {**params(period), **scope_params(scope), **extra})
    return url


def created_range(period: Period) -> dict:
    return period_params("created", period)


def mql_range(period: Period) -> dict:
    return period_params("mql", period)


def created(scope, period, group_by=None, key=None) -> QuerySet[Lead]:
    return keyed(leads(scope).filter(dated_period_q("created_at", period)), FIELDS, group_by, key)


def became_mql(scope, period, group_by=None, key=None) -> QuerySet[Lead]:
    return keyed(leads(scope).filter(period_q("mql_at", period)), FIELDS, group_by, key)


def grouped(queryset: QuerySet, group_by: str, **aggregates) -> list[dict]:
    return list(queryset.order_by().values(key=group_expression(group_by)).annotate(**aggregates).order_by("key"))


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


# --- days to close (issue 13: imported history, e.g. Olist's first contact -> won date) -----------
def won_leads(scope, period, group_by=None, key=None) -> QuerySet[Lead]:
    """Leads won in the period (won_at: a deal here or the won date an imported file gave), of known date."""
    return keyed(leads(scope).filter(period_q("won_at", period), won_at__isnull=False, date_unknown=False),
                 FIELDS, group_by, key)


def won_range(period: Period) -> dict:
    return {"won": "true", **period_params("won", period)}


def _days(queryset: QuerySet[Lead]) -> tuple[int, float | None, float | None]:
    """(leads, average days, median days) from creation to won: an aggregate and a 1-2 row read."""
    days = queryset.order_by().annotate(days=DaysBetween(F("won_at"), F("created_at")))
    summary = days.aggregate(n=Count("id"), average=Avg("days"))
    median = None
    if summary["n"]:
        low, high = (summary["n"] - 1) // 2, summary["n"] // 2
        middle = list(days.order_by("days").values_list("days", flat=True)[low:high + 1])
        median = round(sum(middle) / len(middle), 1)
    return summary["n"], None if summary["average"] is None else round(summary["average"], 1), median


def days_to_won(scope, period) -> MetricResult:
    n, average, median = _days(won_leads(scope, period))
    return MetricResult(value=median, count=n, extra={"average_days": average, "median_days": median})


def days_to_won_rows(scope, period, group_by) -> list[MetricRow]:
    base = won_leads(scope, period)
    keys = [row["key"] for row in grouped(base, group_by, n=Count("id"))]
    found = []
    for key in keys:  # one row per group (a handful of origins / sources), not per lead
        n, _average, median = _days(keyed(base, FIELDS, group_by, "" if key is None else str(key)))
        found.append({"key": key, "n": n, "median": median})
    return rows(found, group_by, lambda r: r["median"])
