"""Customers' metrics for the registry (salesops.metrics), registered in customers/registry.py.

`activity_logged_within_24h`: of the calls, meetings, emails and notes logged in the period (by
`logged_at`, so a closed period's figure never changes afterwards), the share logged within 24 hours
of happening (`logged_at - occurred_at <= 24 h`, customers.timeliness). Tasks are left out: they are
plans, not records of something that happened. Computed set-based (one aggregate; one GROUP BY per
breakdown) over the activities `scope.user` may see (activity_queryset_for), narrowed to the owner's
team / the owner.
"""
from __future__ import annotations

from django.db.models import Count, F, QuerySet

from salesops.metric_tools import keyed, link, narrow, percent, period_params, period_q, rows_by, scope_params
from salesops.metrics import MetricResult, MetricRow, Period, Scope
from teams.selectors import person_or_team_labels

from ..models import Activity
from ..selectors import activity_queryset_for, late_q

FIELDS = {"owner": "owner_id", "team": "owner__team_id"}
ON_TIME = Count("id", filter=~late_q())


def logged(scope: Scope, period: Period, group_by: str | None = None, key: str | None = None) -> QuerySet[Activity]:
    """The records behind the figure: activities (not tasks) logged in the period."""
    queryset = (activity_queryset_for(user=scope.user).exclude(kind=Activity.Kind.TASK)
                .filter(period_q("logged_at", period)))
    return keyed(narrow(queryset, scope, team_field="owner__team_id"), FIELDS, group_by, key)


def logged_within_24h(scope: Scope, period: Period) -> MetricResult:
    figures = logged(scope, period).order_by().aggregate(n=Count("id"), on_time=ON_TIME)
    return MetricResult(value=percent(figures["on_time"], figures["n"]), count=figures["n"],
                        extra={"on_time": figures["on_time"], "late": figures["n"] - figures["on_time"]})


def logged_within_24h_rows(scope: Scope, period: Period, group_by: str) -> list[MetricRow]:
    # ("group", not "key": Activity has a field named key)
    found = list(logged(scope, period).order_by().values(group=F(FIELDS[group_by]))
                 .annotate(n=Count("id"), on_time=ON_TIME).order_by("group"))
    labels = person_or_team_labels(group_by, [row["group"] for row in found])
    return rows_by(found, "group", labels, lambda row: percent(row["on_time"], row["n"]))


def logged_url(scope: Scope, period: Period, group_by: str | None = None, key: str | None = None) -> str:
    """The activity list with the same records (customers:activity-list)."""
    extra = {group_by: key} if group_by and key else {}
    return link("customers:activity-list", {**period_params("logged", period), **scope_params(scope), **extra})


def late(scope: Scope, period: Period) -> QuerySet[Activity]:
    return logged(scope, period).filter(late_q())


__all__ = ["logged", "logged_within_24h", "logged_within_24h_rows", "logged_url", "late"]
