"""/api/v1/contracts/: CRUD through the services, the renewal action, filters, permissions."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Contract
from teams.models import User
from tests.customers.contract_factories import ContractFactory
from tests.customers.factories import AccountFactory
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contracts/"


@pytest.fixture
def success(org):
    return UserFactory(username="csm", role=User.Role.SUCCESS, team=org["east"])


@pytest.fixture
def account(org, success):
    return AccountFactory(owner=org["owner"], success_owner=success)


def body(account, **extra):
    return {"account": account.pk, "product": "Platform", "term": "one_year", "start": "2026-01-01",
            "end": "2026-12-31", "mrr": "1500.00", "currency": "CNY", **extra}


class TestContractApi:
    def test_the_success_owner_creates_changes_and_lists(self, api, account, success):
        client = api.as_user(success)
        created = client.post(URL, body(account), format="json")
        assert created.status_code == 201, created.json()
        pk = created.json()["id"]
        assert created.json()["status"] == "active"
        changed = client.patch(f"{URL}{pk}/", {"mrr": "1600.00"}, format="json")
        assert changed.status_code == 200 and changed.json()["mrr"] == "1600.00"
        assert [row["id"] for row in client.get(URL).json()["results"]] == [pk]

    def test_bad_input_is_a_400_and_stores_nothing(self, api, account, success):
        client = api.as_user(success)
        for bad in (body(account, currency="XXX"), body(account, mrr="-5"), body(account, end="2025-01-01"),
                    body(account, start="not a date"), body(account, mrr=1e30), body(account, product=""),
                    body(account, status="ended")):
            response = client.post(URL, bad, format="json")
            if "status" in bad and bad["status"] == "ended":
                assert response.status_code == 201 and response.json()["status"] == "active"  # read-only
                Contract.objects.all().delete()
                continue
            assert response.status_code == 400, (bad, response.json())
        assert not Contract.objects.exists()

    def test_a_rep_sees_only_its_accounts_contracts(self, api, org, account):
        mine = ContractFactory(account=account)
        ContractFactory(account=AccountFactory(owner=org["outsider"]))
        assert [r["id"] for r in api.as_user(org["owner"]).get(URL).json()["results"]] == [mine.pk]
        assert api.as_user(org["outsider"]).get(f"{URL}{mine.pk}/").status_code == 404
        assert api.as_user(org["mgr"]).get(f"{URL}{mine.pk}/").status_code == 200
        other = api.as_user(org["outsider"]).post(URL, body(account), format="json")
        assert other.status_code == 400

    def test_support_and_product_read_and_change_nothing(self, api, account):
        row = ContractFactory(account=account)
        for role in (User.Role.SUPPORT, User.Role.PRODUCT):
            client = api.as_user(UserFactory(role=role))
            assert client.get(f"{URL}{row.pk}/").status_code == 200
            assert client.patch(f"{URL}{row.pk}/", {"mrr": "1"}, format="json").status_code == 404
            assert client.delete(f"{URL}{row.pk}/").status_code == 404
            assert client.post(f"{URL}{row.pk}/renewal/", {"outcome": "churned"}, format="json").status_code == 404
            assert client.post(URL, body(account), format="json").status_code == 403
        row.refresh_from_db()
        assert row.mrr == Decimal("1000.00") and row.outcome == ""

    def test_delete_is_for_managers(self, api, org, account, success):
        row = ContractFactory(account=account)
        assert api.as_user(success).delete(f"{URL}{row.pk}/").status_code == 403
        assert api.as_user(org["mgr"]).delete(f"{URL}{row.pk}/").status_code == 204

    def test_filters(self, api, org, account):
        today = timezone.localdate()
        soon = ContractFactory(account=account, start=today - timedelta(300), end=today + timedelta(20))
        ContractFactory(account=account, start=today - timedelta(300), end=today + timedelta(200), product="Add-on")
        client = api.as_user(org["owner"])
        assert [r["id"] for r in client.get(URL, {"ending_within": 30}).json()["results"]] == [soon.pk]
        assert len(client.get(URL, {"product": "add"}).json()["results"]) == 1
        assert len(client.get(URL, {"account": account.pk, "status": "active"}).json()["results"]) == 2
        assert client.get(URL, {"ending_within": -1}).status_code == 400
        assert client.get(URL, {"status": "bogus"}).status_code == 400

    def test_list_query_count_is_constant(self, api, org, account, django_assert_max_num_queries):
        for _i in range(30):
            ContractFactory(account=AccountFactory(owner=org["owner"]))
        client = api.as_user(org["owner"])
        with django_assert_max_num_queries(5):
            assert len(client.get(URL).json()["results"]) == 30


class TestRenewalAction:
    def test_expanded_returns_the_successor(self, api, account, success):
        row = ContractFactory(account=account, start=date(2026, 1, 1), end=date(2026, 12, 31))
        response = api.as_user(success).post(f"{URL}{row.pk}/renewal/", {"outcome": "expanded", "mrr": "1200.00"},
                                             format="json")
        assert response.status_code == 200, response.json()
        data = response.json()
        assert data["contract"]["outcome"] == "expanded" and data["contract"]["renewed_by"] == data["successor"]["id"]
        assert (data["successor"]["start"], data["successor"]["end"], data["successor"]["mrr"]) == (
            "2027-01-01", "2027-12-31", "1200.00")

    def test_churned_has_no_successor_and_a_second_outcome_is_refused(self, api, account, success):
        row = ContractFactory(account=account)
        client = api.as_user(success)
        response = client.post(f"{URL}{row.pk}/renewal/", {"outcome": "churned"}, format="json")
        assert response.status_code == 200 and response.json()["successor"] is None
        assert response.json()["contract"]["status"] == "ended"
        again = client.post(f"{URL}{row.pk}/renewal/", {"outcome": "renewed"}, format="json")
        assert again.status_code == 400

    def test_bad_outcomes_are_400(self, api, account, success):
        row = ContractFactory(account=account)
        client = api.as_user(success)
        assert client.post(f"{URL}{row.pk}/renewal/", {"outcome": "maybe"}, format="json").status_code == 400
        assert client.post(f"{URL}{row.pk}/renewal/", {"outcome": "expanded", "mrr": "10"},
                           format="json").status_code == 400
        assert client.post(f"{URL}{row.pk}/renewal/", {"outcome": "churned", "mrr": "10"},
                           format="json").status_code == 400
        assert Contract.objects.count() == 1
