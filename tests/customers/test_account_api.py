"""/api/v1/accounts/ and /api/v1/contacts/: filters, fields, the duplicate check, bad input."""
import pytest

from customers.models import Account

from .factories import AccountFactory, ContactFactory
from .roles import customer_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return customer_people(org)


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_account_filters(api, people):
    AccountFactory(owner=people["owner"], name="Acme", domain="acme.com", success_owner=people["success"])
    AccountFactory(owner=people["teammate"], name="Globex", domain="globex.cn")
    client = api.as_user(people["mgr"])
    assert _names(client.get("/api/v1/accounts/", {"q": "globex.c"})) == ["Globex"]
    assert _names(client.get("/api/v1/accounts/", {"owner": people["owner"].pk})) == ["Acme"]
    assert _names(client.get("/api/v1/accounts/", {"success_owner": people["success"].pk})) == ["Acme"]
    owner = api.as_user(people["owner"])
    assert _names(owner.get("/api/v1/accounts/", {"mine": "true"})) == ["Acme"]
    success = api.as_user(people["success"])
    assert _names(success.get("/api/v1/accounts/", {"mine": "true"})) == ["Acme"]


@pytest.mark.parametrize("params", [{"owner": "abc"}, {"owner": "99999999999999999999999"}, {"owner": "-1"},
                                    {"success_owner": "0"}, {"mine": "maybe"}, {"q": "x" * 201}])
def test_bad_filters_are_a_400(api, people, params):
    assert api.as_user(people["owner"]).get("/api/v1/accounts/", params).status_code == 400


def test_account_fields(api, people):
    account = AccountFactory(owner=people["owner"], success_owner=people["success"], domain="acme.com")
    row = api.as_user(people["owner"]).get(f"/api/v1/accounts/{account.pk}/").json()
    assert row["owner_name"] == str(people["owner"]) and row["success_owner_name"] == str(people["success"])
    assert row["page_url"] == account.get_absolute_url() and row["domain"] == "acme.com"


def test_created_domains_are_normalised(api, people):
    response = api.as_user(people["owner"]).post("/api/v1/accounts/", {"name": "Initech",
                                                                       "domain": "https://www.Initech.com/x"},
                                                 format="json")
    assert response.status_code == 201 and response.json()["domain"] == "initech.com"


def test_duplicates_endpoint_returns_visible_duplicates_and_counts_the_rest(api, people):
    acme = AccountFactory(owner=people["owner"], name="Acme", domain="acme.com")
    AccountFactory(owner=people["outsider"], name="Other", domain="acme.com")
    client = api.as_user(people["owner"])
    body = client.get("/api/v1/accounts/duplicates/", {"name": "ACME", "domain": "www.acme.com"}).json()
    assert [row["id"] for row in body["results"]] == [acme.pk] and body["hidden_count"] == 1
    body = client.get("/api/v1/accounts/duplicates/", {"name": "acme", "exclude": acme.pk}).json()
    assert body == {"results": [], "hidden_count": 0}


@pytest.mark.parametrize("params", [{}, {"name": " "}, {"name": "a" * 201}, {"exclude": "x"},
                                    {"name": ["a", "b"]}])
def test_duplicates_endpoint_rejects_bad_input(api, people, params):
    assert api.as_user(people["owner"]).get("/api/v1/accounts/duplicates/", params).status_code == 400


def test_contacts_filter_by_account_and_search(api, people):
    account = AccountFactory(owner=people["owner"])
    ContactFactory(account=account, name="Ann Lee", email="ann@acme.com")
    ContactFactory(account=AccountFactory(owner=people["owner"]), name="Bob")
    client = api.as_user(people["owner"])
    assert _names(client.get("/api/v1/contacts/", {"account": account.pk})) == ["Ann Lee"]
    assert _names(client.get("/api/v1/contacts/", {"q": "acme.com"})) == ["Ann Lee"]
    row = client.get("/api/v1/contacts/", {"account": account.pk}).json()["results"][0]
    assert row["account_name"] == account.name
    manager = api.as_user(people["mgr"])
    assert len(_names(manager.get("/api/v1/contacts/", {"owner": people["owner"].pk}))) == 2
    assert _names(manager.get("/api/v1/contacts/", {"owner": people["teammate"].pk})) == []


def test_account_list_has_a_constant_query_count(api, people, django_assert_max_num_queries):
    client = api.as_user(people["mgr"])
    AccountFactory(owner=people["owner"], success_owner=people["success"])
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/accounts/")
    AccountFactory.create_batch(30, owner=people["teammate"], success_owner=people["success"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/accounts/").json()["count"] == 31
    assert Account.objects.count() == 31
