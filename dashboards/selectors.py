"""Reads for the dashboards, always scoped to what the viewer may see."""
from datetime import date

from django.db.models import Avg, Count, QuerySet

from leads.models import Source
from leads.selectors import lead_queryset_for
from teams.models import Quota
from teams.selectors import quota_queryset_for


def leads_by_source(*, user) -> list[tuple[str, int]]:
    labels = dict(Source.choices)
    rows = (lead_queryset_for(user=user).order_by().values("source")
            .annotate(n=Count("id")).order_by("-n", "source"))
    return [(str(labels.get(r["source"], r["source"])), r["n"]) for r in rows]


def lead_summary(*, user) -> dict:
    agg = lead_queryset_for(user=user).aggregate(total=Count("id"), completeness=Avg("completeness"))
    return {"total": agg["total"], "completeness": round(agg["completeness"] or 0, 1)}


def current_quotas(*, user, today: date) -> QuerySet[Quota]:
    return (quota_queryset_for(user=user)
            .filter(period_start__lte=today, period_end__gte=today)
            .order_by("user__username"))
