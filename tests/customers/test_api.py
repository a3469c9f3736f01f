import pytest
from django.utils import timezone

from tests.pipeline.factories import make_opportunity

from .factories import AccountFactory, ContactFactory, ActivityFactory

pytestmark = pytest.mark.django_db


def test_accounts_are_scoped_by_owner(api, org):
    mine = AccountFactory(owner=org["owner"])
    AccountFactory(owner=org["outsider"])
    body = api.as_user(org["owner"]).get("/api/v1/accounts/").json()
    assert [a["id"] for a in body["results"]] == [mine.pk]
    assert api.as_user(org["mgr"]).get("/api/v1/accounts/").json()["count"] == 1
    assert api.as_user(org["admin"]).get("/api/v1/accounts/").json()["count"] == 2


def test_create_account_contact_and_activity(api, org):
    client = api.as_user(org["owner"])
    account = client.post("/api/v1/accounts/", {"name": "Initech", "industry": "finance"}, format="json").json()
    assert account["owner"] == org["owner"].pk
    contact = client.post("/api/v1/contacts/", {"account": account["id"], "name": "Bill"}, format="json")
    assert contact.status_code == 201
    response = client.post("/api/v1/activities/", {"account": account["id"], "kind": "meeting",
                                                     "occurred_at": timezone.now().isoformat(),
                                                     "summary": "Kick-off", "contact": contact.json()["id"]},
                           format="json")
    assert response.status_code == 201 and response.json()["owner"] == org["owner"].pk


def test_cannot_add_contacts_or_activities_to_other_peoples_accounts(api, org):
    theirs = AccountFactory(owner=org["outsider"])
    client = api.as_user(org["owner"])
    assert client.post("/api/v1/contacts/", {"account": theirs.pk, "name": "X"}, format="json").status_code == 400
    response = client.post("/api/v1/activities/", {"account": theirs.pk, "kind": "call", "summary": "x",
                                                     "occurred_at": timezone.now().isoformat()}, format="json")
    assert response.status_code == 400


def test_contacts_and_activities_are_hidden_from_outsiders(api, org):
    contact = ContactFactory(account=AccountFactory(owner=org["owner"]))
    ActivityFactory(account=contact.account)
    client = api.as_user(org["outsider"])
    assert client.get("/api/v1/contacts/").json()["count"] == 0
    assert client.get("/api/v1/activities/").json()["count"] == 0
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 404


def test_an_activity_knows_no_deal_the_deal_link_is_pipelines(api, org):
    account = AccountFactory(owner=org["owner"])
    response = api.as_user(org["owner"]).post("/api/v1/activities/", {
        "account": account.pk, "kind": "call", "summary": "x", "occurred_at": timezone.now().isoformat()},
        format="json")
    assert response.status_code == 201 and "opportunity" not in response.json()


def test_account_with_opportunities_cannot_be_deleted(api, org):
    opp = make_opportunity(owner=org["owner"])
    response = api.as_user(org["admin"]).delete(f"/api/v1/accounts/{opp.account_id}/")
    assert response.status_code == 400
    assert "opportunities cannot be deleted" in response.json()["non_field_errors"][0]
    assert api.as_user(org["owner"]).delete(f"/api/v1/accounts/{opp.account_id}/").status_code == 403


@pytest.mark.parametrize("payload", [{"name": ""}, {"name": "x", "employees": -1}, {"name": "x", "industry": "??"},
                                     {"name": "x", "owner": 10**12}, {"name": ["x"]}])
def test_bad_account_input_is_400(api, org, payload):
    assert api.as_user(org["owner"]).post("/api/v1/accounts/", payload, format="json").status_code == 400
