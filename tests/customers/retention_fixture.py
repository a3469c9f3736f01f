"""A small contract book counted by hand (h6 retention tests). Period: January 2026.

Owner (East team) accounts, CNY:
  a1  one_year 2025-06-01..2026-05-31, 100                            retained, unchanged   tenure 7
  a2  one_year 2025-01-01..2026-01-14, 200 -> renewed 2026-01-15, 260  expansion +60         tenure 12
  a3  month_to_month 2025-10-01..2026-01-10, 300 -> 2026-01-11.., 240   contraction -60       tenure 3
  a4  month_to_month 2025-04-01.., 400, churned 2026-01-20 (no end date) churned 400          tenure 9
  a5  new on 2026-01-10, 50 (not in the cohort: a new customer)
  a6  ended 2025-06-30 (not in the cohort)
Outsider (West team): a7 month_to_month 2025-01-01.., 1000, churned 2026-01-05 (tenure 12).
Spend January 2026: sales 600 + paid search 400 CNY.

Owner's view: cohort 4, churned 1, start MRR 1000, expansion 60, contraction 60, churned MRR 400:
  logo churn 1/4 = 0.25, revenue churn (400+60)/1000 = 0.46, GRR 0.54, NRR 0.60, ARPA 250.
Everyone (admin): cohort 5, churned 2, start 2000, churned MRR 1400, expansion 60, contraction 60:
  logo churn 0.4, revenue churn 1460/2000 = 0.73, GRR 0.27, NRR 0.30, ARPA 400;
  new customers 1 (a5): CAC 1000/1 = 1000.
"""
from datetime import date

from customers.models import Contract, Spend

from .factories import AccountFactory, ContractFactory

START, END, TODAY = date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 1)
ENDED, ACTIVE = Contract.Status.ENDED, Contract.Status.ACTIVE


def build(org) -> dict:
    owner, outsider = org["owner"], org["outsider"]
    a = {i: AccountFactory(owner=owner, name=f"a{i}") for i in range(1, 7)}
    a[7] = AccountFactory(owner=outsider, name="a7")
    ContractFactory(account=a[1], start=date(2025, 6, 1), end=date(2026, 5, 31), mrr=100)
    renewal = ContractFactory(account=a[2], start=date(2026, 1, 15), end=date(2027, 1, 14), mrr=260)
    ContractFactory(account=a[2], start=date(2025, 1, 1), end=date(2026, 1, 14), mrr=200, status=ENDED,
                    outcome=Contract.Outcome.EXPANDED, outcome_at=date(2025, 12, 1), renewed_by=renewal)
    smaller = ContractFactory(account=a[3], term="month_to_month", start=date(2026, 1, 11), end=None, mrr=240)
    ContractFactory(account=a[3], term="month_to_month", start=date(2025, 10, 1), end=date(2026, 1, 10), mrr=300,
                    status=ENDED, outcome=Contract.Outcome.CONTRACTED, outcome_at=date(2026, 1, 5), renewed_by=smaller)
    ContractFactory(account=a[4], term="month_to_month", start=date(2025, 4, 1), end=None, mrr=400, status=ENDED,
                    outcome=Contract.Outcome.CHURNED, outcome_at=date(2026, 1, 20))
    ContractFactory(account=a[5], start=date(2026, 1, 10), end=date(2027, 1, 9), mrr=50)
    ContractFactory(account=a[6], start=date(2024, 7, 1), end=date(2025, 6, 30), mrr=70, status=ENDED,
                    outcome=Contract.Outcome.CHURNED, outcome_at=date(2025, 6, 30))
    ContractFactory(account=a[7], term="month_to_month", start=date(2025, 1, 1), end=None, mrr=1000, status=ENDED,
                    outcome=Contract.Outcome.CHURNED, outcome_at=date(2026, 1, 5))
    Spend.objects.create(month=date(2026, 1, 1), channel="sales", amount=600, currency="CNY")
    Spend.objects.create(month=date(2026, 1, 1), channel="paid_search", amount=400, currency="CNY")
    return a
