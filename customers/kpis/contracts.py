"""Contract metrics for the registry (salesops.metrics): reads scoped by customers.selectors.

`renewals_due`: active contracts without a renewal outcome whose end is at most 90 days after the
as-of day (the period's end, or today; those already past their end and still undecided count too).
`mrr`: the sum of the monthly recurring value of the contracts in force on the as-of day (active and
started), per currency (never added across currencies).

Scope narrowing: `owner_id` is the account's sales or success owner, `team_id` their team.
Registered in customers/registry.py (register_contract_metrics).
"""
from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from salesops.metric_tools import link
from salesops.metrics import MetricResult, Period, Scope

from ..models import Contract
from ..selectors import contract_queryset_for, in_force_q, renewal_due_q


def as_of(period: Period) -> date:
    today = timezone.localdate()
    return min(period.end, today) if period.end else today


def contracts(scope: Scope) -> QuerySet[Contract]:
    queryset = contract_queryset_for(user=scope.user)
    if scope.owner_id:
        queryset = queryset.filter(Q(account__owner_id=scope.owner_id) | Q(account__success_owner_id=scope.owner_id))
    if scope.team_id:
        queryset = queryset.filter(Q(account__owner__team_id=scope.team_id)
                                   | Q(account__success_owner__team_id=scope.team_id))
    return queryset


def renewals_due_records(scope: Scope, period: Period, group_by=None, key=None) -> QuerySet[Contract]:
    return contracts(scope).filter(renewal_due_q(today=as_of(period))).order_by("end", "id")


def renewals_due(scope: Scope, period: Period) -> MetricResult:
    found = renewals_due_records(scope, period).order_by().aggregate(n=Count("id"))
    return MetricResult(value=found["n"], count=found["n"])


def mrr_records(scope: Scope, period: Period, group_by=None, key=None) -> QuerySet[Contract]:
    return contracts(scope).filter(in_force_q(today=as_of(period))).order_by("account__name", "id")


def mrr(scope: Scope, period: Period) -> MetricResult:
    rows = list(mrr_records(scope, period).order_by().values("currency").annotate(total=Sum("mrr"), n=Count("id"))
                .order_by("currency"))
    return MetricResult(value=None, count=sum(r["n"] for r in rows),
                        per_currency={r["currency"]: r["total"] for r in rows})


def _params(scope: Scope) -> dict:
    return {"owner": scope.owner_id, "team": scope.team_id}


def renewals_due_url(scope: Scope, period: Period, group_by=None, key=None) -> str:
    return link("customers:renewals-due", _params(scope))


def mrr_url(scope: Scope, period: Period, group_by=None, key=None) -> str:
    return link("customers:contract-list", {"in_force": "true", **_params(scope)})
