"""Demo contracts, usage events and tickets for the demo accounts (seed_demo, after pipeline's
accounts). Idempotent: every row carries a demo external reference or id, and every write goes
through customers.services (the renewal history through the renewal service)."""
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from .models import Account, Contract
from .services import contract_create, contract_record_renewal, contract_update, tickets_ingest, usage_events_ingest

PRODUCTS = ("Platform", "Analytics add-on", "Support plus")
# Days from today to the end of each demo account's current contract: several renew within 90 days.
END_OFFSETS = (20, 45, 75, 88, 120, 200, 260, 330, 15, 60)
FEATURES = ("reports", "dashboards", "api_calls", "exports", "workflows")


def _at(day, hour=10) -> str:
    return timezone.make_aware(datetime.combine(day, time(hour))).isoformat()


def _contracts(account, index, today, rng) -> int:
    ref = f"demo:contract:{account.pk}"
    if Contract.objects.filter(external_ref=ref).exists():
        return 0
    by = account.success_owner or account.owner
    product = PRODUCTS[index % len(PRODUCTS)]
    mrr = Decimal(rng.choice([800, 1500, 2500, 4000, 6500]))
    end = today + timedelta(days=END_OFFSETS[index % len(END_OFFSETS)])
    start = end - timedelta(days=364)
    added = 0
    if index % 3 == 0:  # last year's contract, renewed with an expansion into the current one
        previous = contract_create(by=by, account=account, product=product, start=start - timedelta(days=365),
                                   end=start - timedelta(days=1), mrr=mrr - Decimal(300), currency="CNY",
                                   external_ref=f"{ref}:previous")
        current = contract_record_renewal(contract=previous, by=by, outcome=Contract.Outcome.EXPANDED, mrr=mrr,
                                          on=start - timedelta(days=30))
        contract_update(contract=current, by=by, external_ref=ref)
        added += 2
    else:
        contract_create(by=by, account=account, product=product, start=start, end=end, mrr=mrr, currency="CNY",
                        external_ref=ref)
        added += 1
    if index % 4 == 1:  # an add-on that churned last quarter
        addon = contract_create(by=by, account=account, product="Training", start=today - timedelta(days=400),
                                end=today - timedelta(days=40), mrr=Decimal(300), currency="CNY",
                                external_ref=f"{ref}:churned")
        contract_record_renewal(contract=addon, by=by, outcome=Contract.Outcome.CHURNED, on=today - timedelta(days=40))
        added += 1
    return added


def _signals(account, index, today, rng) -> tuple[int, int]:
    by = account.success_owner or account.owner
    usage = []
    for day in range(84):
        if rng.random() < 0.45 - 0.003 * day * (index % 2):
            when = _at(today - timedelta(days=day), hour=rng.randint(8, 18))
            usage.append({"account": account.pk, "external_id": f"demo:usage:{account.pk}:{day}",
                          "feature": rng.choice(FEATURES), "quantity": rng.randint(1, 40), "occurred_at": when})
    new_usage = usage_events_ingest(by=by, items=usage).count("created") if usage else 0
    tickets = []
    for number in range(2 + index % 4):
        opened = today - timedelta(days=rng.randint(1, 80))
        closed = opened + timedelta(days=rng.randint(0, 5)) if number % 3 else None
        if closed and closed > today:
            closed = None
        tickets.append({"account": account.pk, "external_id": f"demo:ticket:{account.pk}:{number}",
                        "subject": rng.choice(["Cannot export report", "SSO login fails", "Invoice question",
                                               "Dashboard is slow", "API rate limit"]),
                        "priority": rng.choice(["low", "normal", "normal", "high", "urgent"]),
                        "opened_at": _at(opened, 9), "closed_at": _at(closed, 17) if closed else None,
                        "satisfaction": rng.randint(2, 5) if closed else None})
    return new_usage, tickets_ingest(by=by, items=tickets).count("created")


def seed_contracts(*, today) -> dict:
    """Contracts (some renewing within 90 days, some with a renewal history), 12 weeks of usage and a
    few tickets for each demo account. Returns the counts of new rows."""
    counts = {"contracts": 0, "usage": 0, "tickets": 0}
    accounts = Account.objects.filter(external_ref__startswith="demo:account:").select_related(
        "owner", "success_owner").order_by("pk")
    for index, account in enumerate(accounts):
        if account.owner is None and account.success_owner is None:
            continue
        counts["contracts"] += _contracts(account, index, today, random.Random(f"contracts-{account.external_ref}"))
        # the same values on every run: re-sent ids are duplicates (the ingest is idempotent)
        usage, tickets = _signals(account, index, today, random.Random(f"signals-{account.external_ref}"))
        counts["usage"] += usage
        counts["tickets"] += tickets
    return counts
