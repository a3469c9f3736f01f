"""Survey figures for the metric registry (salesops.metrics), the results page and the 360 panel.

`nps`, `csat` and `survey_response_rate` read the responses (and invitations) of the accounts
`scope.user` may see (customers.selectors), narrowed to the account owner's team (`scope.team_id`)
or the account owner (`scope.owner_id`), over the days of `period` (by `responded_at`; invitations
by `sent_at`). The arithmetic is customers.surveys (pure). Registered in customers/registry.py.
"""
from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from salesops.metric_tools import keyed, link, narrow, period_params, period_q, rows_by, scope_params
from salesops.metrics import MetricResult, MetricRow, Period, Scope
from teams.selectors import person_or_team_labels

from . import surveys as math
from .models import SurveyInvitation, SurveyResponse
from .selectors import survey_invitation_queryset_for, survey_response_queryset_for

FIELDS = {"owner": "account__owner_id", "team": "account__owner__team_id", "survey": "survey_id"}
RESPONSES = "customers:survey-responses"


def aggregates() -> dict:
    """Counts of one aggregate query: NPS categories, CSAT satisfied, and both totals."""
    nps, csat = Q(kind=math.NPS), Q(kind=math.CSAT)
    return {
        "nps_responses": Count("id", filter=nps),
        "promoters": Count("id", filter=nps & Q(score__gte=math.PROMOTER_MIN)),
        "passives": Count("id", filter=nps & Q(score__gte=math.PASSIVE_MIN, score__lt=math.PROMOTER_MIN)),
        "detractors": Count("id", filter=nps & Q(score__lt=math.PASSIVE_MIN)),
        "csat_responses": Count("id", filter=csat),
        "satisfied": Count("id", filter=csat & Q(score__gte=math.CSAT_SATISFIED_MIN)),
    }


def figures(row: dict) -> dict:
    """The counts of `aggregates()` plus NPS and CSAT values."""
    return {**row, "nps": math.nps_value(row["promoters"], row["detractors"], row["nps_responses"]),
            "csat": math.csat_value(row["satisfied"], row["csat_responses"])}


def response_figures(queryset: QuerySet[SurveyResponse]) -> dict:
    return figures(queryset.order_by().aggregate(**aggregates()))


def invitation_figures(queryset: QuerySet[SurveyInvitation]) -> dict:
    row = queryset.filter(sent_at__isnull=False).order_by().aggregate(
        sent=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    return {**row, "response_rate": math.response_rate(row["answered"], row["sent"])}


def monthly(queryset: QuerySet[SurveyResponse]) -> list[dict]:
    """Per month (first day, ascending): the counts and the NPS / CSAT of that month's answers."""
    rows = (queryset.order_by().annotate(month=TruncMonth("responded_at")).values("month")
            .annotate(**aggregates()).order_by("month"))
    return [figures(row) for row in rows]


# --- the metric registry -------------------------------------------------------------------------------
def responses(scope: Scope, period: Period, kind: str | None = None) -> QuerySet[SurveyResponse]:
    queryset = narrow(survey_response_queryset_for(user=scope.user), scope, team_field="account__owner__team_id",
                      owner_field="account__owner_id").filter(period_q("responded_at", period))
    return queryset.filter(kind=kind) if kind else queryset


def invitations(scope: Scope, period: Period, kind: str | None = None) -> QuerySet[SurveyInvitation]:
    queryset = narrow(survey_invitation_queryset_for(user=scope.user), scope,
                      team_field="account__owner__team_id", owner_field="account__owner_id")
    queryset = queryset.filter(period_q("sent_at", period))
    return queryset.filter(survey__kind=kind) if kind else queryset


def records_of(kind: str | None):
    def records(scope, period, group_by=None, key=None) -> QuerySet[SurveyResponse]:
        return keyed(responses(scope, period, kind), FIELDS, group_by, key)
    return records


def drilldown_of(kind: str | None):
    def url(scope: Scope, period: Period, group_by: str | None = None, key: str | None = None) -> str:
        extra = {group_by: key} if group_by and key else {}
        return link(RESPONSES, {"kind": kind, **period_params("responded", period), **scope_params(scope), **extra})
    return url


def _labels(group_by: str, keys) -> dict:
    if group_by == "survey":
        from .models import Survey
        return {s.pk: s.name for s in Survey.objects.filter(pk__in=[k for k in keys if k is not None])}
    return person_or_team_labels(group_by, keys)


def _grouped(queryset: QuerySet, group_by: str) -> list[dict]:
    found = list(queryset.order_by().values(key=F(FIELDS[group_by])).annotate(**aggregates()).order_by("key"))
    for row in found:
        row["n"] = row["nps_responses"] + row["csat_responses"]
    return found


def _rows(found: list[dict], group_by: str, value) -> list[MetricRow]:
    return rows_by(found, "key", _labels(group_by, [r["key"] for r in found]), value)


def nps(scope, period) -> MetricResult:
    f = response_figures(responses(scope, period, math.NPS))
    sent = invitation_figures(invitations(scope, period, math.NPS))
    return MetricResult(value=f["nps"], count=f["nps_responses"], extra={
        "promoters": f["promoters"], "passives": f["passives"], "detractors": f["detractors"],
        "responses": f["nps_responses"], "invitations_sent": sent["sent"], "invitations_answered": sent["answered"],
        "response_rate": sent["response_rate"]})


def nps_rows(scope, period, group_by) -> list[MetricRow]:
    found = _grouped(responses(scope, period, math.NPS), group_by)
    return _rows(found, group_by, lambda r: math.nps_value(r["promoters"], r["detractors"], r["nps_responses"]))


def csat(scope, period) -> MetricResult:
    f = response_figures(responses(scope, period, math.CSAT))
    sent = invitation_figures(invitations(scope, period, math.CSAT))
    return MetricResult(value=f["csat"], count=f["csat_responses"], extra={
        "satisfied": f["satisfied"], "responses": f["csat_responses"], "invitations_sent": sent["sent"],
        "invitations_answered": sent["answered"], "response_rate": sent["response_rate"]})


def csat_rows(scope, period, group_by) -> list[MetricRow]:
    found = _grouped(responses(scope, period, math.CSAT), group_by)
    return _rows(found, group_by, lambda r: math.csat_value(r["satisfied"], r["csat_responses"]))


def response_rate(scope, period) -> MetricResult:
    sent = invitation_figures(invitations(scope, period))
    return MetricResult(value=sent["response_rate"], count=sent["sent"],
                        extra={"invitations_sent": sent["sent"], "invitations_answered": sent["answered"]})


def answered_invitation_responses(scope, period, group_by=None, key=None) -> QuerySet[SurveyResponse]:
    """Drill-down of the response rate: the answers to the invitations sent in the period."""
    answered = invitations(scope, period).filter(response__isnull=False).values("response_id")
    return keyed(survey_response_queryset_for(user=scope.user).filter(pk__in=answered), FIELDS, group_by, key)


def response_rate_drilldown(scope: Scope, period: Period, group_by: str | None = None, key: str | None = None) -> str:
    extra = {group_by: key} if group_by and key else {}
    return link(RESPONSES, {**period_params("sent", period), **scope_params(scope), **extra})


def response_rate_rows(scope, period, group_by) -> list[MetricRow]:
    found = list(invitations(scope, period).filter(sent_at__isnull=False).order_by().values(key=F(FIELDS[group_by]))
                 .annotate(n=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False))).order_by("key"))
    return _rows(found, group_by, lambda r: math.response_rate(r["answered"], r["n"]))


# --- the account's voice (360 panel): two queries whatever the account holds -------------------------
PANEL_LATEST = 5


def account_voice(*, account, user) -> dict | None:
    """The latest answers (with reasons) and the account's NPS and CSAT over every answer; None if
    the user may not see the account's answers."""
    visible = survey_response_queryset_for(user=user).filter(account=account)
    latest = list(visible.order_by("-responded_at", "-id")[:PANEL_LATEST])
    return {"latest": latest, "figures": response_figures(visible)}
