"""Reads for the dashboards, always scoped to what the viewer may see."""
from datetime import date

from django.db.models import QuerySet

from salesops import metrics
from salesops.metrics import Period, Scope
from teams.models import Quota
from teams.selectors import quota_queryset_for


def leads_by_source(*, user) -> list[tuple[str, int]]:
    """Every lead the user sees per source (the registry's lead_volume, all time), largest first."""
    rows = metrics.get("lead_volume").breakdown(Scope(user=user), Period.all_time(), "source")
    return [(row.label, row.value) for row in sorted(rows, key=lambda r: (-r.value, r.key))]


def lead_summary(*, user) -> dict:
    """Lead count and average completeness, all time (the registry's lead_volume and data_completeness)."""
    scope, always = Scope(user=user), Period.all_time()
    completeness = metrics.get("data_completeness").compute(scope, always)
    return {"total": completeness.count, "completeness": completeness.value or 0}


def current_quotas(*, user, today: date) -> QuerySet[Quota]:
    return (quota_queryset_for(user=user)
            .filter(period_start__lte=today, period_end__gte=today)
            .order_by("user__username"))
