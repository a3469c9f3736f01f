"""customers.services.contracts: create/change/end/delete, renewal outcomes, reminders at most once."""
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers.models import Activity, Contract
from customers.services import (
    contract_create, contract_delete, contract_end, contract_record_renewal, contract_update,
    contracts_send_renewal_reminders,
)
from customers.services.contracts import renewal_period
from teams.models import Notification, User
from tests.customers.contract_factories import ContractFactory
from tests.customers.factories import AccountFactory
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


@pytest.fixture
def success(org):
    return UserFactory(username="csm", role=User.Role.SUCCESS, team=org["east"])


@pytest.fixture
def account(org, success):
    return AccountFactory(owner=org["owner"], success_owner=success)


@pytest.fixture
def health():
    with mock.patch("customers.services.contracts.health_recompute_later") as later:
        yield later


def contract(account, **fields):
    values = {"start": TODAY - timedelta(days=300), "end": TODAY + timedelta(days=64), "mrr": Decimal("1000"),
              **fields}
    return ContractFactory(account=account, **values)


class TestContractWrites:
    def test_the_success_owner_creates_a_contract_and_health_is_recomputed(self, account, success, health):
        row = contract_create(by=success, account=account, product="Platform", start=TODAY, end=TODAY + timedelta(365),
                              mrr=Decimal("500"), currency="usd")
        assert row.status == "active" and row.currency == "USD"
        health.assert_called_once_with([account.pk])

    def test_an_unknown_currency_is_refused(self, account, success, health):
        with pytest.raises(ValidationError) as info:
            contract_create(by=success, account=account, product="P", start=TODAY, mrr=Decimal("1"), currency="XXX")
        assert "currency" in info.value.message_dict
        assert not Contract.objects.exists()

    def test_another_reps_account_is_refused(self, org, account, health):
        with pytest.raises(ValidationError):
            contract_create(by=org["outsider"], account=account, product="P", start=TODAY, mrr=Decimal("1"))

    def test_support_reads_but_does_not_write(self, account, health):
        support = UserFactory(role=User.Role.SUPPORT)
        with pytest.raises(PermissionDenied):
            contract_create(by=support, account=account, product="P", start=TODAY, mrr=Decimal("1"))
        assert not Contract.objects.filter(account=account).exists()

    def test_a_negative_mrr_or_an_end_before_the_start_is_refused(self, account, success, health):
        with pytest.raises(ValidationError):
            contract_create(by=success, account=account, product="P", start=TODAY, mrr=Decimal("-1"))
        with pytest.raises(ValidationError):
            contract_create(by=success, account=account, product="P", start=TODAY, end=TODAY - timedelta(1),
                            mrr=Decimal("1"))

    def test_a_new_end_date_restarts_the_reminders(self, account, success, health):
        row = contract(account, last_reminder_days=60)
        row = contract_update(contract=row, by=success, end=TODAY + timedelta(days=200))
        assert row.last_reminder_days is None

    def test_terms_are_frozen_after_the_outcome(self, account, success, health):
        row = contract(account)
        contract_record_renewal(contract=row, by=success, outcome="renewed", on=TODAY)
        with pytest.raises(ValidationError):
            contract_update(contract=row, by=success, mrr=Decimal("5"))
        assert contract_update(contract=row, by=success, external_ref="crm-1").external_ref == "crm-1"

    def test_ending_moves_the_end_date_forward_only(self, account, success, health):
        row = contract_end(contract=contract(account), by=success, on=TODAY)
        assert (row.status, row.end) == ("ended", TODAY)
        with pytest.raises(ValidationError):
            contract_end(contract=row, by=success)

    def test_only_admins_and_managers_delete(self, org, account, success, health):
        row = contract(account)
        with pytest.raises(PermissionDenied):
            contract_delete(contract=row, by=success)
        contract_delete(contract=row, by=org["mgr"])
        assert not Contract.objects.exists()


class TestRenewalOutcomes:
    def test_renewed_makes_a_successor_with_the_same_mrr(self, account, success, health):
        old = contract(account, end=date(2027, 2, 3))
        new = contract_record_renewal(contract=old, by=success, outcome="renewed", on=TODAY)
        old.refresh_from_db()
        assert (old.outcome, old.outcome_at, old.renewed_by, old.status) == ("renewed", TODAY, new, "active")
        assert (new.start, new.end, new.mrr, new.currency) == (date(2027, 2, 4), date(2028, 2, 3), old.mrr, old.currency)

    def test_expanded_needs_a_higher_mrr_and_contracted_a_lower_one(self, account, success, health):
        old = contract(account)
        with pytest.raises(ValidationError):
            contract_record_renewal(contract=old, by=success, outcome="expanded", mrr=Decimal("900"))
        with pytest.raises(ValidationError):
            contract_record_renewal(contract=old, by=success, outcome="contracted", mrr=Decimal("0"))
        with pytest.raises(ValidationError):
            contract_record_renewal(contract=old, by=success, outcome="renewed", mrr=Decimal("1200"))
        new = contract_record_renewal(contract=old, by=success, outcome="expanded", mrr=Decimal("1200"))
        assert new.mrr == Decimal("1200") and Contract.objects.count() == 2

    def test_contracted_keeps_a_lower_mrr(self, account, success, health):
        new = contract_record_renewal(contract=contract(account), by=success, outcome="contracted", mrr=Decimal("400"))
        assert new.mrr == Decimal("400")

    def test_churned_ends_the_contract_without_a_successor(self, account, success, health):
        old = contract(account)
        ended = contract_record_renewal(contract=old, by=success, outcome="churned", on=TODAY)
        assert (ended.status, ended.outcome, ended.renewed_by, ended.end) == ("ended", "churned", None, TODAY)
        assert Contract.objects.count() == 1

    def test_an_outcome_is_recorded_once(self, account, success, health):
        old = contract(account)
        contract_record_renewal(contract=old, by=success, outcome="churned")
        with pytest.raises(ValidationError):
            contract_record_renewal(contract=old, by=success, outcome="renewed")

    def test_renewal_periods(self):
        assert renewal_period(start=date(2027, 1, 1), term="one_year") == date(2027, 12, 31)
        assert renewal_period(start=date(2028, 2, 29), term="two_year") == date(2030, 2, 27)
        assert renewal_period(start=date(2027, 1, 1), term="month_to_month") is None


class TestRenewalReminders:
    def test_each_threshold_is_sent_once_to_the_success_owner(self, account, success):
        row = contract(account, end=TODAY + timedelta(days=80))
        first = contracts_send_renewal_reminders(today=TODAY)
        again = contracts_send_renewal_reminders(today=TODAY)
        assert (first.reminded, again.reminded) == (1, 0)
        row.refresh_from_db()
        assert row.last_reminder_days == 90
        task = Activity.objects.get(kind="task")
        assert task.owner == success and task.account == account and f"renewal:{row.pk}:" in task.key
        assert Notification.objects.get().recipient == success

    def test_the_next_thresholds_follow_and_a_late_contract_gets_only_its_current_one(self, account, success):
        row = contract(account, end=TODAY + timedelta(days=80))
        late = contract(account, end=TODAY + timedelta(days=10))
        contracts_send_renewal_reminders(today=TODAY)
        contracts_send_renewal_reminders(today=TODAY + timedelta(days=25))  # 55 days left
        row.refresh_from_db()
        late.refresh_from_db()
        assert (row.last_reminder_days, late.last_reminder_days) == (60, 30)
        assert Activity.objects.filter(kind="task").count() == 3
        assert Notification.objects.count() == 3

    def test_the_sales_owner_is_the_fallback(self, org):
        row = contract(AccountFactory(owner=org["owner"]), end=TODAY + timedelta(days=20))
        contracts_send_renewal_reminders(today=TODAY)
        assert Notification.objects.get().recipient == org["owner"]
        assert Activity.objects.get().account == row.account

    def test_far_ended_and_decided_contracts_are_not_reminded(self, account, success):
        contract(account, end=TODAY + timedelta(days=120))
        contract(account, status="ended")
        contract(account, outcome="renewed", outcome_at=TODAY)
        contract(account, end=None, term="month_to_month")
        assert contracts_send_renewal_reminders(today=TODAY).reminded == 0

    def test_batches_are_bounded_and_all_are_done(self, account, success):
        for _i in range(5):
            contract(account, end=TODAY + timedelta(days=30))
        run = contracts_send_renewal_reminders(today=TODAY, batch_size=2)
        assert run.reminded == 5 and Notification.objects.count() == 5

    def test_renewed_contracts_past_their_end_are_closed(self, account, success):
        old = contract(account, end=TODAY - timedelta(days=1), outcome="renewed", outcome_at=TODAY)
        pending = contract(account, end=TODAY - timedelta(days=1))
        assert contracts_send_renewal_reminders(today=TODAY).closed == 1
        old.refresh_from_db()
        pending.refresh_from_db()
        assert (old.status, pending.status) == ("ended", "active")

    def test_the_task_calls_the_service(self):
        from customers.tasks import contracts_renewal_reminders_task
        with mock.patch("customers.services.contracts.contracts_send_renewal_reminders") as run:
            run.return_value.as_dict.return_value = {"reminded": 0, "closed": 0}
            assert contracts_renewal_reminders_task() == {"reminded": 0, "closed": 0}


def test_the_reminders_run_daily_from_beat(settings):
    from salesops.celery import app
    entry = settings.CELERY_BEAT_SCHEDULE["customers-renewal-reminders-daily"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_tasks_open_opens_each_key_once(account, success):
    from customers.services import activities

    def task(key):
        return {"owner": success, "account": account, "key": key, "summary": "Call", "due_at": None}

    assert activities.tasks_open(tasks=[task("k1"), task("k1"), task("k2")]) == 2
    assert activities.tasks_open(tasks=[task("k2"), task("k3")]) == 1
    assert sorted(Activity.objects.values_list("key", flat=True)) == ["k1", "k2", "k3"]
    with pytest.raises(ValueError):
        activities.tasks_open(tasks=[task("")])
