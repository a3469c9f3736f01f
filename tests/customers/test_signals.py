"""Usage events and tickets: bulk ingest (service and API), idempotency, per-item errors, scope."""
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import Ticket, UsageEvent
from customers.services import tickets_ingest, usage_events_ingest
from salesops.ingest import BatchError
from teams.models import User
from tests.customers.contract_factories import TicketFactory, UsageEventFactory
from tests.customers.factories import AccountFactory
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db

WHEN = "2026-11-20T10:00:00Z"


@pytest.fixture
def account(org):
    return AccountFactory(owner=org["owner"], external_ref="crm-42")


@pytest.fixture
def health():
    with mock.patch("customers.services.signals.health_recompute_later") as later:
        yield later


def usage(account, external_id="u1", **extra):
    return {"account": account.pk, "external_id": external_id, "feature": "reports", "quantity": 3,
            "occurred_at": WHEN, **extra}


def ticket(account, external_id="t1", **extra):
    return {"account_ref": account.external_ref, "external_id": external_id, "subject": "Login fails",
            "priority": "high", "opened_at": WHEN, **extra}


class TestUsageIngest:
    def test_it_stores_events_and_asks_for_a_health_recompute(self, org, account, health):
        result = usage_events_ingest(by=org["owner"], items=[usage(account), usage(account, "u2", quantity="1.5")])
        assert result.count("created") == 2
        assert sorted(UsageEvent.objects.values_list("quantity", flat=True)) == [1.5, 3]
        health.assert_called_once_with([account.pk])

    def test_resending_the_same_id_changes_nothing(self, org, account, health):
        first = usage_events_ingest(by=org["owner"], items=[usage(account)])
        health.reset_mock()
        again = usage_events_ingest(by=org["owner"], items=[usage(account, quantity=99), usage(account, quantity=5)])
        assert [s for s, _pk in again.statuses] == ["duplicate", "duplicate"]
        assert again.statuses[0][1] == first.statuses[0][1]
        assert UsageEvent.objects.get().quantity == 3
        health.assert_called_once_with([])

    def test_a_repeat_within_the_batch_is_stored_once(self, org, account, health):
        result = usage_events_ingest(by=org["owner"], items=[usage(account), usage(account)])
        assert [s for s, _pk in result.statuses] == ["created", "duplicate"]
        assert UsageEvent.objects.count() == 1

    def test_every_invalid_item_is_reported_by_index_and_nothing_is_stored(self, org, account, health):
        future = (timezone.now() + timedelta(days=3)).isoformat()
        items = [usage(account), "nope", {**usage(account, "u3"), "account": 999999}, usage(account, "u4", quantity=-1),
                 usage(account, "u5", occurred_at=future), {"account": account.pk, "colour": "red"},
                 usage(account, "x" * 101), usage(account, "u6", account_ref="crm-42"),
                 usage(account, "u7", quantity="1.234"), usage(account, "u8", feature=7)]
        with pytest.raises(BatchError) as info:
            usage_events_ingest(by=org["owner"], items=items)
        errors = info.value.item_errors
        assert sorted(errors) == [1, 2, 3, 4, 5, 6, 7, 8, 9]
        assert "JSON object" in errors[1]["non_field_errors"][0]
        assert "No account" in errors[2]["account"][0]
        assert "quantity" in errors[3] and "future" in errors[4]["occurred_at"][0]
        assert errors[5]["colour"] == ["Unknown field."] and "feature" in errors[5] and "external_id" in errors[5]
        assert "100" in errors[6]["external_id"][0] and "either" in errors[7]["account"][0]
        assert "decimal" in errors[8]["quantity"][0] and "feature" in errors[9]
        assert not UsageEvent.objects.exists()
        health.assert_not_called()

    def test_empty_and_oversized_batches_are_refused(self, org, account):
        with pytest.raises(ValidationError):
            usage_events_ingest(by=org["owner"], items=[])
        with pytest.raises(ValidationError):
            usage_events_ingest(by=org["owner"], items=[usage(account, str(i)) for i in range(1001)])

    def test_a_rep_cannot_post_for_another_reps_account_nor_support(self, org, account):
        for user in (org["outsider"], UserFactory(role=User.Role.SUPPORT)):
            with pytest.raises(BatchError):
                usage_events_ingest(by=user, items=[usage(account)])
        usage_events_ingest(by=org["mgr"], items=[usage(account)])
        assert UsageEvent.objects.count() == 1


class TestTicketIngest:
    def test_a_resent_ticket_updates_closed_at_satisfaction_and_priority(self, org, account, health):
        tickets_ingest(by=org["owner"], items=[ticket(account)])
        result = tickets_ingest(by=org["owner"], items=[ticket(account, priority="low", subject="changed",
                                                                closed_at="2026-11-21T10:00:00Z", satisfaction=4)])
        row = Ticket.objects.get()
        assert result.statuses == [("updated", row.pk)]
        assert (row.priority, row.satisfaction, row.subject) == ("low", 4, "Login fails")
        assert row.closed_at.isoformat() == "2026-11-21T10:00:00+00:00"
        unchanged = tickets_ingest(by=org["owner"], items=[ticket(account, priority="low")])
        assert unchanged.statuses == [("duplicate", row.pk)]
        assert Ticket.objects.get().satisfaction == 4  # left out: kept

    def test_a_ticket_cannot_close_before_it_opened_or_move_to_another_account(self, org, account, health):
        tickets_ingest(by=org["owner"], items=[ticket(account)])
        other = AccountFactory(owner=org["owner"])
        with pytest.raises(BatchError) as info:
            tickets_ingest(by=org["owner"], items=[ticket(account, closed_at="2026-11-19T10:00:00Z"),
                                                   {**ticket(account), "account_ref": None, "account": other.pk},
                                                   ticket(account, "t9", satisfaction=6, priority="meh")])
        errors = info.value.item_errors
        assert "closed_at" in errors[0] and "external_id" in errors[1]
        assert "satisfaction" in errors[2] and "priority" in errors[2]
        assert Ticket.objects.get().closed_at is None

    def test_a_new_ticket_repeated_in_the_batch_takes_its_last_state(self, org, account, health):
        result = tickets_ingest(by=org["owner"], items=[ticket(account), ticket(account, satisfaction=5,
                                                                                 closed_at=WHEN)])
        assert [s for s, _pk in result.statuses] == ["created", "duplicate"]
        assert Ticket.objects.get().satisfaction == 5


class TestSignalsApi:
    def test_post_a_batch_then_the_same_again(self, api, org, account, health):
        client = api.as_user(org["owner"])
        first = client.post("/api/v1/usage-events/", [usage(account), usage(account, "u2")], format="json")
        assert first.status_code == 201 and first.json()["created"] == 2
        again = client.post("/api/v1/usage-events/", [usage(account), usage(account, "u2")], format="json")
        assert again.json()["duplicates"] == 2 and UsageEvent.objects.count() == 2

    def test_one_object_is_a_batch_of_one(self, api, org, account, health):
        response = api.as_user(org["owner"]).post("/api/v1/tickets/", ticket(account), format="json")
        assert response.status_code == 201 and response.json()["items"][0]["status"] == "created"

    def test_item_errors_come_by_index(self, api, org, account, health):
        response = api.as_user(org["owner"]).post("/api/v1/tickets/", [ticket(account), ticket(account, "t2",
                                                                                                 opened_at="x")],
                                                  format="json")
        assert response.status_code == 400
        assert list(response.json()["items"]) == ["1"] and "opened_at" in response.json()["items"]["1"]
        assert not Ticket.objects.exists()

    @pytest.mark.parametrize("payload", ["[1, 2", "null", "\"text\"", "[]", "{\"account\": \"\\u0000\"}"])
    def test_a_malformed_body_is_a_whole_request_400(self, api, org, payload):
        response = api.as_user(org["owner"]).post("/api/v1/usage-events/", payload, content_type="application/json")
        assert response.status_code == 400

    def test_lists_are_scoped_and_filtered(self, api, org, account):
        old = timezone.now() - timedelta(days=30)
        UsageEventFactory(account=account, occurred_at=old)
        recent = UsageEventFactory(account=account)
        UsageEventFactory(account=AccountFactory(owner=org["outsider"]))
        TicketFactory(account=account, closed_at=timezone.now())
        open_ticket = TicketFactory(account=account)
        client = api.as_user(org["owner"])
        since = (timezone.now() - timedelta(days=1)).isoformat()
        assert [r["id"] for r in client.get("/api/v1/usage-events/", {"since": since}).json()["results"]] == [recent.pk]
        assert len(client.get("/api/v1/usage-events/").json()["results"]) == 2
        assert [r["id"] for r in client.get("/api/v1/tickets/", {"is_open": "true"}).json()["results"]] == [
            open_ticket.pk]
        support = api.as_user(UserFactory(role=User.Role.SUPPORT))
        assert len(support.get("/api/v1/usage-events/").json()["results"]) == 3
        assert support.post("/api/v1/usage-events/", [usage(account, "s1")], format="json").status_code == 400

    def test_list_query_count_is_constant(self, api, org, account, django_assert_max_num_queries):
        for i in range(30):
            TicketFactory(account=AccountFactory(owner=org["owner"]), external_id=f"q{i}")
        client = api.as_user(org["owner"])
        with django_assert_max_num_queries(5):
            assert len(client.get("/api/v1/tickets/").json()["results"]) == 30
