"""GET /api/v1/metrics/retention/ and /api/v1/spend/: auth, permissions, filters, bad input."""
from datetime import date

import pytest
from django.contrib.admin.models import LogEntry

from customers.models import Spend

from .retention_fixture import build

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/retention/"
JAN = {"start": "2026-01-01", "end": "2026-01-31"}


class TestRetentionApi:
    def test_it_needs_a_signed_in_user(self, api):
        assert api.get(URL).status_code in (401, 403)

    def test_a_rep_reads_their_own_cohort(self, api, org):
        build(org)
        body = api.as_user(org["owner"]).get(URL, JAN).json()
        assert (body["total"]["accounts"], body["total"]["churned_accounts"]) == (4, 1)
        assert body["total"]["logo_churn"] == pytest.approx(0.25)
        assert body["total"]["grr"] == pytest.approx(0.54) and body["total"]["nrr"] == pytest.approx(0.60)
        assert body["by_contract_type"] == []
        assert body["cac_shown"] is False and body["cac"] is None
        assert [m["key"] for m in body["months"]] == ["2026-01"]

    def test_group_by_contract_type(self, api, org):
        build(org)
        body = api.as_user(org["owner"]).get(URL, {**JAN, "group_by": "contract_type"}).json()
        rows = {row["key"]: row for row in body["by_contract_type"]}
        assert rows["month_to_month"]["logo_churn"] == 0.5 and rows["one_year"]["logo_churn"] == 0.0

    def test_an_admin_gets_cac(self, api, org):
        build(org)
        body = api.as_user(org["admin"]).get(URL, JAN).json()
        assert body["total"]["accounts"] == 5
        assert (body["new_customers"], body["cac"]) == (1, 1000.0)
        assert body["ltv_cac"] == pytest.approx(400 * 0.8 / 0.73 / 1000)

    def test_narrowing(self, api, org):
        build(org)
        client = api.as_user(org["admin"])
        assert client.get(URL, {**JAN, "team": org["west"].pk}).json()["total"]["accounts"] == 1
        body = client.get(URL, {**JAN, "owner": org["owner"].pk}).json()
        assert body["total"]["accounts"] == 4 and body["cac_shown"] is False

    def test_a_rep_may_not_narrow_to_another_team(self, api, org):
        build(org)
        assert api.as_user(org["owner"]).get(URL, {**JAN, "team": org["west"].pk}).status_code == 403

    @pytest.mark.parametrize("params", [
        {"start": "2026-02-01", "end": "2026-01-01"}, {"start": "nonsense"}, {"group_by": "stage"},
        {"currency": "euro"}, {"team": "0"}, {"team": "999999"}, {"start": "2020-01-01", "end": "2026-01-01"},
        {"start": ""},
    ])
    def test_bad_input_is_a_400(self, api, org, params):
        response = api.as_user(org["admin"]).get(URL, params)
        assert response.status_code == 400, response.content

    def test_defaults_to_the_last_whole_month(self, api, org):
        body = api.as_user(org["admin"]).get(URL).json()
        assert body["start"].endswith("-01") and body["total"]["accounts"] == 0


class TestSpendApi:
    URL = "/api/v1/spend/"

    def test_marketing_records_spend_through_the_service(self, api, org):
        response = api.as_user(org["marketing"]).post(self.URL, {"month": "2026-03-17", "channel": "events",
                                                                 "amount": "1200.50", "currency": "USD"}, format="json")
        assert response.status_code == 201, response.content
        spend = Spend.objects.get()
        assert (spend.month, str(spend.amount), spend.recorded_by) == (date(2026, 3, 1), "1200.50", org["marketing"])
        assert LogEntry.objects.filter(object_id=str(spend.pk)).exists()

    def test_reps_and_success_may_not(self, api, org):
        for user in (org["owner"],):
            client = api.as_user(user)
            assert client.get(self.URL).status_code == 403
            assert client.post(self.URL, {"month": "2026-03-01", "channel": "events", "amount": "1"},
                               format="json").status_code == 403
        assert Spend.objects.count() == 0

    def test_one_entry_per_month_channel_and_currency(self, api, org):
        client = api.as_user(org["mgr"])
        payload = {"month": "2026-03-01", "channel": "events", "amount": "10", "currency": "CNY"}
        assert client.post(self.URL, payload, format="json").status_code == 201
        assert client.post(self.URL, payload, format="json").status_code == 400
        assert Spend.objects.count() == 1

    def test_filters_update_and_delete(self, api, org):
        build(org)
        client = api.as_user(org["admin"])
        assert len(client.get(self.URL, {"channel": "sales"}).json()["results"]) == 1
        assert len(client.get(self.URL, {"month_from": "2026-02-01"}).json()["results"]) == 0
        spend = Spend.objects.get(channel="sales")
        assert client.patch(f"{self.URL}{spend.pk}/", {"amount": "700"}, format="json").status_code == 200
        spend.refresh_from_db()
        assert str(spend.amount) == "700.00"
        assert client.delete(f"{self.URL}{spend.pk}/").status_code == 204
        assert not Spend.objects.filter(pk=spend.pk).exists()

    @pytest.mark.parametrize("payload", [
        {"month": "2026-03-01", "channel": "events", "amount": "-1"},
        {"month": "2026-03-01", "channel": "tv", "amount": "1"},
        {"month": "2026-03-01", "channel": "events", "amount": "1", "currency": "usd"},
        {"month": "x", "channel": "events", "amount": "1"},
    ])
    def test_bad_spend_is_a_400(self, api, org, payload):
        assert api.as_user(org["admin"]).post(self.URL, payload, format="json").status_code == 400
        assert Spend.objects.count() == 0

    def test_the_list_has_a_constant_query_count(self, api, org, django_assert_max_num_queries):
        client = api.as_user(org["admin"])
        for month in range(1, 13):
            Spend.objects.create(month=date(2025, month, 1), channel="sales", amount=month, currency="CNY",
                                 recorded_by=org["admin"])
        with django_assert_max_num_queries(6):
            assert len(client.get(self.URL).json()["results"]) == 12


class TestSpendAdmin:
    def test_the_admin_records_through_the_service(self, client, org):
        client.force_login(org["admin"])
        response = client.post("/admin/customers/spend/add/", {
            "month": "2026-04-09", "channel": "content", "amount": "300", "currency": "CNY", "note": ""})
        assert response.status_code == 302, response.content[:500]
        spend = Spend.objects.get()
        assert spend.month == date(2026, 4, 1) and spend.recorded_by == org["admin"]
        response = client.post("/admin/customers/spend/", {"action": "delete_selected", "_selected_action": [spend.pk],
                                                           "post": "yes"})
        assert not Spend.objects.exists()
