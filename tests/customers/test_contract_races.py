"""Two workers at once (PostgreSQL row locks): reminders are sent once, and two posts of the same
batch store each external id once (the loser retries and sees duplicates)."""
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from customers.models import Activity, UsageEvent
from customers.services import contracts_send_renewal_reminders, usage_events_ingest
from teams.models import Notification
from tests.customers.contract_factories import ContractFactory
from tests.customers.factories import AccountFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers)"),
    pytest.mark.django_db(transaction=True),
]


def run_twice(work):
    barrier, outcomes = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            outcomes.append(work())
        except Exception as exc:  # noqa: BLE001 - recorded: the assertion below names it
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_reminder_runs_at_once_remind_each_contract_once(org):
    today = timezone.localdate()
    account = AccountFactory(owner=org["owner"])
    for days in range(40):
        ContractFactory(account=account, start=today - timedelta(300), end=today + timedelta(days=days + 1))
    outcomes = run_twice(lambda: contracts_send_renewal_reminders(today=today, batch_size=7).reminded)
    assert sum(outcomes) == 40, outcomes
    assert Activity.objects.filter(kind="task").count() == 40 and Notification.objects.count() == 40


def test_the_same_batch_posted_twice_at_once_is_stored_once(org):
    account = AccountFactory(owner=org["owner"])
    items = [{"account": account.pk, "external_id": f"u{i}", "feature": "reports",
              "occurred_at": "2026-11-20T10:00:00Z"} for i in range(50)]
    outcomes = run_twice(lambda: usage_events_ingest(by=org["owner"], items=items).count("created"))
    assert all(isinstance(n, int) for n in outcomes) and sum(outcomes) == 50, outcomes
    assert UsageEvent.objects.count() == 50
