"""Retention arithmetic, pure (no Django): churn, gross and net revenue retention, lifetime, LTV, CAC.

The selectors (customers.selectors_retention) turn Contract rows into one `AccountPeriod` per account of a
period's starting cohort; everything here is plain arithmetic on those, tested by hand
(tests/customers/test_retention.py). Rates are fractions (0.25 = 25 %); None where there is nothing to
divide by. Formulas (README "Retention"):

- starting cohort: the accounts with a contract covering the period's first day; start MRR = the sum of
  the MRR of those contracts; end MRR = the same on the period's last day (today if the period runs on).
- an account of the cohort with no contract covering the last day churned: its start MRR is churned MRR.
  A retained account whose MRR grew adds the growth to expansion; one whose MRR shrank adds the loss to
  contraction. New accounts during the period are not in the cohort (they count for CAC).
- logo churn = churned accounts ÷ cohort accounts
- revenue churn = (churned MRR + contraction) ÷ start MRR  (= 1 − GRR)
- GRR = (start MRR − contraction − churned MRR) ÷ start MRR  (never above 100 %)
- NRR = (start MRR + expansion − contraction − churned MRR) ÷ start MRR
- per month: each calendar month of the period over its own starting cohort; the monthly rate of a
  longer period is the mean of its months' rates (months with no cohort left out)
- average lifetime (months) = 1 ÷ monthly logo churn, at most LIFETIME_CAP_MONTHS (120; also when churn is 0)
- ARPA = start MRR ÷ cohort accounts
- LTV = ARPA × gross margin ÷ monthly revenue churn = ARPA × gross margin × min(1 ÷ monthly revenue churn, 120)
- CAC = sales and marketing spend of the period ÷ new customers of the period
- LTV:CAC = LTV ÷ CAC;  CAC payback (months) = CAC ÷ (ARPA × gross margin)
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

LIFETIME_CAP_MONTHS = 120
ZERO = Decimal("0")


@dataclass(frozen=True)
class AccountPeriod:
    """One account of a period's starting cohort."""

    account_id: int
    start_mrr: Decimal
    end_mrr: Decimal
    retained: bool  # a contract covers the period's last day
    term: str = ""  # the contract type of its largest contract at the start
    tenure_months: int = 0  # full months from its first contract's start to its churn (or the period's end)


@dataclass(frozen=True)
class Movement:
    """What happened to a starting cohort over one period."""

    accounts: int = 0
    churned_accounts: int = 0
    start_mrr: Decimal = ZERO
    end_mrr: Decimal = ZERO
    expansion: Decimal = ZERO
    contraction: Decimal = ZERO
    churned_mrr: Decimal = ZERO

    @property
    def retained_accounts(self) -> int:
        return self.accounts - self.churned_accounts


def movement(rows: Iterable[AccountPeriod]) -> Movement:
    accounts = churned = 0
    start = end = expansion = contraction = churned_mrr = ZERO
    for row in rows:
        accounts += 1
        start += row.start_mrr
        if not row.retained:
            churned += 1
            churned_mrr += row.start_mrr
            continue
        end += row.end_mrr
        if row.end_mrr > row.start_mrr:
            expansion += row.end_mrr - row.start_mrr
        else:
            contraction += row.start_mrr - row.end_mrr
    return Movement(accounts, churned, start, end, expansion, contraction, churned_mrr)


def _ratio(numerator, denominator) -> float | None:
    return None if not denominator else float(Decimal(numerator) / Decimal(denominator))


def logo_churn_rate(m: Movement) -> float | None:
    return _ratio(m.churned_accounts, m.accounts)


def revenue_churn_rate(m: Movement) -> float | None:
    return _ratio(m.churned_mrr + m.contraction, m.start_mrr)


def grr(m: Movement) -> float | None:
    return _ratio(m.start_mrr - m.contraction - m.churned_mrr, m.start_mrr)


def nrr(m: Movement) -> float | None:
    return _ratio(m.start_mrr + m.expansion - m.contraction - m.churned_mrr, m.start_mrr)


def arpa(m: Movement) -> Decimal | None:
    return None if not m.accounts else m.start_mrr / m.accounts


def mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def lifetime_months(monthly_churn: float | None, *, cap: int = LIFETIME_CAP_MONTHS) -> float | None:
    """1 ÷ monthly churn, at most `cap` months (also when churn is 0); None without a churn figure."""
    if monthly_churn is None:
        return None
    if monthly_churn <= 0:
        return float(cap)
    return min(1 / monthly_churn, float(cap))


def ltv(*, arpa: Decimal | float | None, gross_margin: float, monthly_revenue_churn: float | None,
        cap: int = LIFETIME_CAP_MONTHS) -> float | None:
    """ARPA × gross margin ÷ monthly revenue churn (the lifetime 1 ÷ churn capped at `cap` months)."""
    lifetime = lifetime_months(monthly_revenue_churn, cap=cap)
    if arpa is None or lifetime is None:
        return None
    return float(arpa) * gross_margin * lifetime


def cac(*, spend: Decimal | float | None, new_customers: int) -> float | None:
    if spend is None or not new_customers:
        return None
    return float(spend) / new_customers


def ltv_cac(*, ltv: float | None, cac: float | None) -> float | None:
    return None if ltv is None or not cac else ltv / cac


def cac_payback_months(*, cac: float | None, arpa: Decimal | float | None, gross_margin: float) -> float | None:
    if cac is None or arpa is None:
        return None
    monthly_margin = float(arpa) * gross_margin
    return None if monthly_margin <= 0 else cac / monthly_margin


def mean_tenure(rows: Iterable[AccountPeriod], *, retained: bool) -> float | None:
    values = [row.tenure_months for row in rows if row.retained == retained]
    return sum(values) / len(values) if values else None


# --- calendar helpers -----------------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def full_months(start: date, end: date) -> int:
    """Whole months from `start` to `end` (0 when end is before start + 1 month)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def month_periods(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months touching [start, end], each clipped to it: [(first day, last day), ...]."""
    periods = []
    first = start
    while first <= end:
        last_of_month = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
        last = min(last_of_month, end)
        periods.append((first, last))
        first = last + timedelta(days=1)
    return periods
