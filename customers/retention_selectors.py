"""Reads for retention (churn, GRR/NRR, LTV, CAC), scoped by the viewer: the inputs of the pure
arithmetic in customers.retention, computed set-based from Contract rows (one query per period for the
cohort, one for new customers, one for spend).

A contract *covers* a day when it has started, has not reached its end, was not cancelled before that day
(status cancelled, `outcome_at` earlier), and — if it has no end date (a month-to-month contract) — has not
been ended or churned before that day (`outcome_at`). A churn decided before a dated contract's end (the
customer will not renew) takes effect at the end: the customer pays until then.
An account's MRR on a day is the sum of the MRR of its contracts covering that day. Renewals are
successor rows (one row per contract period), so a renewal at a higher or lower MRR reads as an
expansion or a contraction, and an account left with no covering contract as churned. Revenue figures
are per currency: every figure of a report is over the contracts in one currency.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, Min, Q, QuerySet, Sum
from django.utils import timezone

from salesops.metrics import Scope
from teams.predicates import can_see_cac

from . import retention as r
from .models import Contract, Spend
from .selectors import account_queryset_for

TERM_KEY = "contract_type"


def gross_margin() -> float:
    return float(getattr(settings, "CUSTOMERS_GROSS_MARGIN", 0.8))


def covers(day: date, prefix: str = "") -> Q:
    """The contracts covering `day` (see the module docstring)."""
    p = prefix
    open_ended_stopped = (Q(**{f"{p}end__isnull": True}) & ~Q(**{f"{p}status": Contract.Status.ACTIVE})
                          & (Q(**{f"{p}outcome_at__isnull": True}) | Q(**{f"{p}outcome_at__lt": day})))
    cancelled_before = (Q(**{f"{p}status": Contract.Status.CANCELLED}) & Q(**{f"{p}outcome_at__isnull": False})
                        & Q(**{f"{p}outcome_at__lt": day}))
    return (Q(**{f"{p}start__lte": day}) & (Q(**{f"{p}end__isnull": True}) | Q(**{f"{p}end__gte": day}))
            & ~open_ended_stopped & ~cancelled_before)


def contract_queryset_for(*, scope: Scope) -> QuerySet[Contract]:
    """The contracts of the accounts the viewer may see, narrowed to a team or a rep by the account's sales owner."""
    accounts = account_queryset_for(user=scope.user)
    contracts = Contract.objects.filter(account__in=accounts.values("pk"))
    if scope.owner_id:
        contracts = contracts.filter(account__owner_id=scope.owner_id)
    elif scope.team_id:
        contracts = contracts.filter(account__owner__team_id=scope.team_id)
    return contracts


def default_currency(*, contracts: QuerySet[Contract]) -> str:
    """The currency of most contracts in scope (else the project default)."""
    top = contracts.order_by().values("currency").annotate(n=Count("id")).order_by("-n", "currency").first()
    return top["currency"] if top else settings.DEFAULT_CURRENCY


def _effective_end(day: date, today: date) -> date:
    return min(day, today)


def first_starts(*, contracts: QuerySet[Contract]) -> dict[int, date]:
    """Each account's first contract start (one grouped query)."""
    return dict(contracts.order_by().values("account_id").annotate(first=Min("start")).values_list("account_id", "first"))


def cohort_rows(*, contracts: QuerySet[Contract], start: date, end: date, currency: str,
                today: date | None = None, firsts: dict[int, date] | None = None,
                tenure: bool = True) -> list[r.AccountPeriod]:
    """One AccountPeriod per account with a contract (in `currency`) covering `start`: its MRR on `start`
    and on `end` (today if `end` is later), the contract type of its largest contract at the start and its
    tenure in whole months (from its first contract's start to its last covered day, or to `end`)."""
    today = today or timezone.localdate()
    last = _effective_end(end, today)
    if last < start:
        last = start
    rows = (contracts.filter(currency=currency).filter(covers(start) | covers(last)).order_by()
            .annotate(at_start=ExpressionWrapper(covers(start), output_field=BooleanField()),
                      at_end=ExpressionWrapper(covers(last), output_field=BooleanField()))
            .values_list("account_id", "term", "mrr", "end", "outcome_at", "status", "at_start", "at_end"))
    if firsts is None:
        firsts = first_starts(contracts=contracts) if tenure else {}
    accounts: dict[int, dict] = defaultdict(lambda: {"s": Decimal("0"), "e": Decimal("0"), "in": False,
                                                     "kept": False, "term": ("", Decimal("-1")),
                                                     "last_day": start, "first": None})
    for account_id, term, mrr, contract_end, outcome_at, status, at_start, at_end in rows:
        a = accounts[account_id]
        if tenure:
            a["first"] = firsts.get(account_id)
        if at_start:
            a["in"] = True
            a["s"] += mrr
            if mrr > a["term"][1]:
                a["term"] = (term, mrr)
            stopped = outcome_at if outcome_at and (contract_end is None or status == Contract.Status.CANCELLED) else None
            a["last_day"] = max(a["last_day"], min(d for d in (contract_end, stopped, last) if d))
        if at_end:
            a["kept"] = True
            a["e"] += mrr
    result = []
    for account_id, a in sorted(accounts.items()):
        if not a["in"]:
            continue
        until = last if a["kept"] else min(a["last_day"], last)
        result.append(r.AccountPeriod(account_id, a["s"], a["e"], a["kept"], a["term"][0],
                                      r.full_months(a["first"], until) if a["first"] else 0))
    return result


def cohort_movement(*, contracts: QuerySet[Contract], start: date, end: date, currency: str,
                    today: date | None = None) -> r.Movement:
    """The same Movement as `retention.movement(cohort_rows(...))`, computed by the database in one
    statement: the per-account MRR covering the first and the last day (a grouped query), totalled by an
    outer SELECT. Used for the per-month figures, where neither tenure nor contract type is needed."""
    from django.db import connections

    today = today or timezone.localdate()
    last = max(_effective_end(end, today), start)
    grouped = (contracts.filter(currency=currency).filter(covers(start) | covers(last)).order_by()
               .values("account_id").annotate(s=Sum("mrr", filter=covers(start)), e=Sum("mrr", filter=covers(last))))
    sql, params = grouped.query.sql_with_params()
    connection = connections[grouped.db]
    q = connection.ops.quote_name
    s_, e_ = q("s"), q("e")
    statement = (
        f"SELECT COUNT(*), SUM(CASE WHEN {e_} IS NULL THEN 1 ELSE 0 END), SUM({s_}), SUM({e_}), "
        f"SUM(CASE WHEN {e_} IS NULL THEN {s_} ELSE 0 END), "
        f"SUM(CASE WHEN {e_} > {s_} THEN {e_} - {s_} ELSE 0 END), "
        f"SUM(CASE WHEN {e_} IS NOT NULL AND {e_} < {s_} THEN {s_} - {e_} ELSE 0 END) "
        f"FROM ({sql}) per_account WHERE {s_} IS NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        accounts, churned, *amounts = cursor.fetchone()

    def money(value) -> Decimal:  # SQLite sums decimals as floats: back to cents
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))

    start_mrr, end_mrr, churned_mrr, expansion, contraction = (money(v) for v in amounts)
    return r.Movement(accounts or 0, churned or 0, start_mrr, end_mrr, expansion, contraction, churned_mrr)


def new_customer_count(*, contracts: QuerySet[Contract], start: date, end: date, currency: str | None = None) -> int:
    """Accounts whose first contract started within [start, end]."""
    qs = contracts if currency is None else contracts.filter(currency=currency)
    return (qs.order_by().values("account_id").annotate(first=Min("start"))
            .filter(first__gte=start, first__lte=end).count())


def spend_total(*, start: date, end: date, currency: str) -> Decimal:
    """Sales and marketing spend of the months touching [start, end] (spend is recorded per month)."""
    first_month = start.replace(day=1)
    total = Spend.objects.filter(month__gte=first_month, month__lte=end, currency=currency).aggregate(t=Sum("amount"))
    return total["t"] or Decimal("0")


# --- the report -------------------------------------------------------------------------------------
@dataclass
class Figures:
    """The rates of one cohort (a period, a month or a contract type)."""

    key: str
    label: str
    movement: r.Movement
    logo_churn: float | None
    revenue_churn: float | None
    grr: float | None
    nrr: float | None
    tenure_churned: float | None = None
    tenure_retained: float | None = None

    @classmethod
    def of(cls, key: str, label: str, rows: list[r.AccountPeriod]) -> Figures:
        m = r.movement(rows)
        return cls(key, label, m, r.logo_churn_rate(m), r.revenue_churn_rate(m), r.grr(m), r.nrr(m),
                   r.mean_tenure(rows, retained=False), r.mean_tenure(rows, retained=True))


@dataclass
class RetentionReport:
    start: date
    end: date
    currency: str
    gross_margin: float
    total: Figures
    months: list[Figures] = field(default_factory=list)
    by_contract_type: list[Figures] = field(default_factory=list)
    monthly_logo_churn: float | None = None
    monthly_revenue_churn: float | None = None
    lifetime_months: float | None = None
    arpa: Decimal | None = None
    ltv: float | None = None
    new_customers: int | None = None
    spend: Decimal | None = None
    cac: float | None = None
    ltv_cac: float | None = None
    cac_payback_months: float | None = None
    cac_shown: bool = False


def _month_label(first: date) -> str:
    return f"{first:%Y-%m}"


def retention_report(*, scope: Scope, start: date, end: date, currency: str | None = None,
                     today: date | None = None, months: bool = True) -> RetentionReport:
    """Everything the retention page and API show for [start, end] and the viewer's scope."""

    today = today or timezone.localdate()
    contracts = contract_queryset_for(scope=scope)
    currency = currency or default_currency(contracts=contracts)
    firsts = first_starts(contracts=contracts)
    rows = cohort_rows(contracts=contracts, start=start, end=end, currency=currency, today=today, firsts=firsts)
    report = RetentionReport(start=start, end=end, currency=currency, gross_margin=gross_margin(),
                             total=Figures.of("total", "", rows))
    labels = dict(Contract.Term.choices)
    by_term: dict[str, list] = defaultdict(list)
    for row in rows:
        by_term[row.term].append(row)
    report.by_contract_type = [Figures.of(term, str(labels.get(term, term)), by_term[term])
                               for term in labels if term in by_term]
    if months:
        for first, last in r.month_periods(start, min(end, max(today, start))):
            m = cohort_movement(contracts=contracts, start=first, end=last, currency=currency, today=today)
            report.months.append(Figures(_month_label(first), _month_label(first), m, r.logo_churn_rate(m),
                                         r.revenue_churn_rate(m), r.grr(m), r.nrr(m)))
        report.monthly_logo_churn = r.mean(f.logo_churn for f in report.months)
        report.monthly_revenue_churn = r.mean(f.revenue_churn for f in report.months)
    else:
        report.monthly_logo_churn, report.monthly_revenue_churn = report.total.logo_churn, report.total.revenue_churn
    report.lifetime_months = r.lifetime_months(report.monthly_logo_churn)
    report.arpa = r.arpa(report.total.movement)
    report.ltv = r.ltv(arpa=report.arpa, gross_margin=report.gross_margin,
                       monthly_revenue_churn=report.monthly_revenue_churn)
    if can_see_cac(scope.user) and not scope.team_id and not scope.owner_id:
        report.cac_shown = True
        report.new_customers = new_customer_count(contracts=Contract.objects.all(), start=start, end=end)
        report.spend = spend_total(start=start, end=end, currency=currency)
        report.cac = r.cac(spend=report.spend, new_customers=report.new_customers)
        report.ltv_cac = r.ltv_cac(ltv=report.ltv, cac=report.cac)
        report.cac_payback_months = r.cac_payback_months(cac=report.cac, arpa=report.arpa,
                                                         gross_margin=report.gross_margin)
    return report


def customer_import_job_queryset_for(*, user):
    """Customer import jobs a user may follow: their own (administrators: every job)."""
    from salesops.jobs import import_job_queryset
    from teams.predicates import is_admin

    from .models import CustomerImportJob
    return import_job_queryset(CustomerImportJob, user=user, see_all=is_admin(user))


# --- the records behind a figure (drill-down) -----------------------------------------------------------
COHORT, CHURNED, NEW = "cohort", "churned", "new"
RECORD_SETS = (COHORT, CHURNED, NEW)


def retention_accounts(*, scope: Scope, start: date, end: date, kind: str = COHORT, term: str = "",
                       currency: str | None = None, today: date | None = None) -> QuerySet:
    """The accounts behind a retention figure, among those the viewer may see: the period's starting cohort
    (rates, LTV), its churned accounts, or the new customers (CAC: accounts whose first contract started in
    the period); `term` narrows the cohort to a contract type."""
    from .models import Account

    contracts = contract_queryset_for(scope=scope)
    if kind == NEW:
        ids = (contracts.order_by().values("account_id").annotate(first=Min("start"))
               .filter(first__gte=start, first__lte=end).values("account_id"))
        return Account.objects.filter(pk__in=ids).select_related("owner")
    currency = currency or default_currency(contracts=contracts)
    rows = cohort_rows(contracts=contracts, start=start, end=end, currency=currency, today=today, tenure=False)
    ids = [row.account_id for row in rows
           if (not term or row.term == term) and (kind != CHURNED or not row.retained)]
    return Account.objects.filter(pk__in=ids).select_related("owner")
