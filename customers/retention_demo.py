"""Demo data for retention (h6): sales and marketing spend for each of the last 12 months, and a small book
of subscription contracts over the last 15 months — renewals at the same, a higher and a lower MRR, and
churned customers — so the retention page, the metrics and the executive LTV:CAC card show figures.
Idempotent: spend by (month, channel, currency), contracts by external_ref ("demo:retention:…")."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from .models import Account, Contract, Spend
from .retention import add_months

# (months ago the first contract started, term, MRR, what happened: kept | renewed <mrr> | churned <months ago>)
BOOK = [
    ("Harbour Logistics", 14, "one_year", 1200, ("renewed", 1500)),
    ("Lotus Retail Group", 13, "one_year", 800, ("renewed", 800)),
    ("Jade Medical", 13, "one_year", 2000, ("renewed", 1600)),
    ("Summit Analytics", 15, "month_to_month", 300, ("churned", 3)),
    ("Blue River Foods", 9, "month_to_month", 450, ("kept", None)),
    ("Crane Engineering", 8, "two_year", 2500, ("kept", None)),
    ("Pearl Finance", 7, "month_to_month", 650, ("churned", 1)),
    ("Orchid Hotels", 5, "one_year", 900, ("kept", None)),
    ("Kite Education", 4, "month_to_month", 250, ("churned", 2)),
    ("Maple Telecom", 2, "one_year", 1100, ("kept", None)),
    ("Vertex Robotics", 1, "month_to_month", 400, ("kept", None)),
]
SPEND = [("sales", 26000), ("paid_search", 9000), ("events", 6000), ("content", 3000)]


def _month_end(first: date) -> date:
    return add_months(first, 1) - timedelta(days=1)


def seed_retention(*, users: dict, today: date) -> tuple[int, int]:
    """Returns (new contracts, new spend entries)."""
    from .services import account_create, contract_create, contract_record_renewal, spend_record

    reps = [u for name, u in sorted(users.items()) if name.startswith("rep.")]
    admin = users.get("admin")
    if not reps or admin is None:
        return 0, 0
    this_month = today.replace(day=1)
    currency = settings.DEFAULT_CURRENCY
    contracts = 0
    for index, (name, months_ago, term, mrr, (fate, value)) in enumerate(BOOK):
        ref = f"demo:retention:{index}"
        if Contract.objects.filter(external_ref=ref).exists():
            continue
        account = Account.objects.filter(external_ref=ref).first() or account_create(
            by=admin, name=name, owner=reps[index % len(reps)], success_owner=users.get("success"), industry="other",
            external_ref=ref)
        start = add_months(this_month, -months_ago)
        end = {"one_year": add_months(start, 12) - timedelta(days=1),
               "two_year": add_months(start, 24) - timedelta(days=1)}.get(term)
        first = contract_create(by=admin, account=account, product="SalesOps Cloud", term=term, start=start, end=end,
                                mrr=Decimal(mrr), currency=currency, external_ref=ref)
        contracts += 1
        if fate == "churned":
            contract_record_renewal(contract=first, by=admin, outcome=Contract.Outcome.CHURNED,
                                    on=_month_end(add_months(this_month, -value)))
        elif fate == "renewed" and end and end < today:
            outcome = (Contract.Outcome.EXPANDED if value > mrr else Contract.Outcome.CONTRACTED if value < mrr
                       else Contract.Outcome.RENEWED)
            contract_record_renewal(contract=first, by=admin, outcome=outcome, mrr=Decimal(value), on=end)
            contracts += 1
    spends = 0
    for months_ago in range(1, 13):
        month = add_months(this_month, -months_ago)
        for step, (channel, amount) in enumerate(SPEND):
            if Spend.objects.filter(month=month, channel=channel, currency=currency).exists():
                continue
            spend_record(by=admin, month=month, channel=channel, currency=currency,
                         amount=Decimal(amount + 500 * ((months_ago + step) % 4)))
            spends += 1
    return contracts, spends
