"""/api/v1/activities/ and /api/v1/accounts/{id}/timeline/: through the services, scoped, strict."""
from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Activity
from teams.models import User
from tests.leads.factories import LeadFactory
from tests.teams.factories import UserFactory

from .factories import AccountFactory, ActivityFactory, ContactFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/activities/"


def iso(delta: timedelta) -> str:
    return (timezone.now() + delta).isoformat()


def test_a_call_is_logged_on_a_lead_and_when_defaults_to_now(api, org):
    lead = LeadFactory(owner=org["owner"])
    response = api.as_user(org["owner"]).post(URL, {"lead": lead.pk, "kind": "call", "summary": "Intro"},
                                              format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["lead"], body["account"], body["owner"], body["late"]) == (lead.pk, None, org["owner"].pk, False)


def test_a_late_activity_is_created_and_flagged(api, org):
    account = AccountFactory(owner=org["owner"])
    response = api.as_user(org["owner"]).post(URL, {"account": account.pk, "kind": "meeting", "summary": "Demo",
                                                    "occurred_at": iso(-timedelta(hours=30))}, format="json")
    assert response.status_code == 201 and response.json()["late"] is True


@pytest.mark.parametrize("payload", [
    {"kind": "call", "summary": "x"},                                   # neither account nor lead
    {"kind": "call", "summary": "x", "both": True},                      # both
    {"kind": "call", "summary": "x", "occurred_at": "future"},           # future-dated
    {"kind": "task", "summary": "x"},                                    # a task without due date
    {"kind": "dance", "summary": "x"},
    {"kind": "call", "summary": ""},
    {"kind": "call", "summary": "x" * 5001},
])
def test_bad_input_is_a_400_and_changes_nothing(api, org, payload):
    account, lead = AccountFactory(owner=org["owner"]), LeadFactory(owner=org["owner"])
    payload = dict(payload)
    if payload.pop("both", False):
        payload.update(account=account.pk, lead=lead.pk)
    elif payload.get("kind") != "call" or payload.get("summary") != "x" or "occurred_at" in payload:
        payload["account"] = account.pk
    if payload.get("occurred_at") == "future":
        payload["occurred_at"] = iso(timedelta(hours=3))
    response = api.as_user(org["owner"]).post(URL, payload, format="json")
    assert response.status_code == 400, response.json()
    assert not Activity.objects.exists()


def test_someone_elses_lead_account_or_contact_is_an_invalid_id(api, org):
    client = api.as_user(org["outsider"])
    account = AccountFactory(owner=org["owner"])
    for payload in ({"lead": LeadFactory(owner=org["owner"]).pk}, {"account": account.pk},
                    {"account": AccountFactory(owner=org["outsider"]).pk, "contact": ContactFactory(account=account).pk}):
        response = client.post(URL, {"kind": "call", "summary": "x", **payload}, format="json")
        assert response.status_code == 400, payload
    assert not Activity.objects.exists()


def test_support_reads_but_may_not_log(api, org):
    account = AccountFactory(owner=org["owner"])
    ActivityFactory(account=account, owner=org["owner"])
    client = api.as_user(UserFactory(role=User.Role.SUPPORT))
    assert client.get(URL).json()["count"] == 1
    assert client.post(URL, {"account": account.pk, "kind": "call", "summary": "x"}, format="json").status_code == 403


def test_filters_by_lead_contact_kind_late_and_range(api, org):
    account, lead = AccountFactory(owner=org["owner"]), LeadFactory(owner=org["owner"])
    contact = ContactFactory(account=account)
    on_lead = ActivityFactory(account=None, lead=lead, owner=org["owner"], kind="note")
    late = ActivityFactory(account=account, contact=contact, owner=org["owner"],
                           occurred_at=timezone.now() - timedelta(days=2))
    fresh = ActivityFactory(account=account, owner=org["owner"], kind="email")
    client = api.as_user(org["owner"])

    def ids(query):
        response = client.get(URL + query)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"?lead={lead.pk}") == {on_lead.pk}
    assert ids(f"?contact={contact.pk}") == {late.pk}
    assert ids("?kind=email") == {fresh.pk}
    assert ids("?late=true") == {late.pk}
    assert ids("?late=false") == {on_lead.pk, fresh.pk}
    assert ids(f"?account={account.pk}&occurred_before={iso(-timedelta(days=1)).replace('+', '%2B')}") == {late.pk}
    assert client.get(URL + "?late=maybe").status_code == 400
    assert client.get(URL + "?lead=-1").status_code == 400


def test_update_and_delete_go_through_the_services(api, org):
    activity = ActivityFactory(account=AccountFactory(owner=org["owner"]), owner=org["owner"])
    client = api.as_user(org["owner"])
    changed = client.patch(f"{URL}{activity.pk}/", {"summary": "Better", "account": 999}, format="json")
    assert changed.status_code == 200 and changed.json()["summary"] == "Better"
    assert changed.json()["account"] == activity.account_id  # what it is about stays
    future = client.patch(f"{URL}{activity.pk}/", {"occurred_at": iso(timedelta(days=1))}, format="json")
    assert future.status_code == 400
    assert api.as_user(org["teammate"]).delete(f"{URL}{activity.pk}/").status_code == 404
    assert api.as_user(org["owner"]).delete(f"{URL}{activity.pk}/").status_code == 204
    assert not Activity.objects.exists()


def test_the_list_costs_the_same_queries_for_one_or_many(api, org, django_assert_max_num_queries):
    account = AccountFactory(owner=org["owner"])
    lead = LeadFactory(owner=org["owner"])
    for _ in range(20):
        ActivityFactory(account=account, owner=org["owner"])
        ActivityFactory(account=None, lead=lead, owner=org["owner"])
    client = api.as_user(org["owner"])
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.json()["count"] == 40


def test_the_account_timeline_is_paginated_newest_first(api, org):
    account = AccountFactory(owner=org["owner"])
    now = timezone.now()
    made = [ActivityFactory(account=account, owner=org["owner"], summary=f"#{i}", occurred_at=now - timedelta(hours=i))
            for i in range(5)]
    client = api.as_user(org["owner"])
    first = client.get(f"/api/v1/accounts/{account.pk}/timeline/?page_size=2").json()
    assert [row["body"] for row in first["results"]] == ["#0", "#1"] and first["previous"] is None
    assert "page=2" in first["next"]
    last = client.get(f"/api/v1/accounts/{account.pk}/timeline/?page_size=2&page=3").json()
    assert [row["body"] for row in last["results"]] == ["#4"] and last["next"] is None
    assert client.get(f"/api/v1/accounts/{account.pk}/timeline/?page_size=2&page=4").status_code == 404
    assert client.get(f"/api/v1/accounts/{account.pk}/timeline/?page=0").status_code == 400
    assert client.get(f"/api/v1/accounts/{account.pk}/timeline/?page_size=51").status_code == 400
    assert api.as_user(org["outsider"]).get(f"/api/v1/accounts/{account.pk}/timeline/").status_code == 404
    assert len(made) == 5


def test_the_late_flag_is_in_the_timeline_api(api, org):
    account = AccountFactory(owner=org["owner"])
    ActivityFactory(account=account, owner=org["owner"], occurred_at=timezone.now() - timedelta(days=2))
    row = api.as_user(org["owner"]).get(f"/api/v1/accounts/{account.pk}/timeline/").json()["results"][0]
    assert row["flags"] == ["late"] and row["kind"] == "call"
