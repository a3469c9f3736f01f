"""Compensation API: who reads what, the calculator, approval, disputes, bad input."""
from datetime import date, datetime
from datetime import timezone as tz
from unittest import mock

import pytest

from teams.models import Payout, PayoutDispute
from teams.services import compensation as comp
from tests.teams.compensation_fixtures import SEED_COMPONENTS, compute_q3, seed_plan

pytestmark = pytest.mark.django_db
SEED_VALUES = {"quota_attainment": 110, "csat": 90, "activity_logged_within_24h": 80, "data_completeness": 80,
               "training_participation": 80}


@pytest.fixture
def payouts(org, plan, fake_metrics):
    return {person: compute_q3(plan, org[person]) for person in ("owner", "teammate", "outsider")}


def ids(response):
    return {row["id"] for row in response.json()["results"]}


class TestReading:
    def test_a_rep_reads_only_their_own_payouts(self, api, org, payouts):
        client = api.as_user(org["owner"])
        assert ids(client.get("/api/v1/payouts/")) == {payouts["owner"].pk}
        assert client.get(f"/api/v1/payouts/{payouts['teammate'].pk}/").status_code == 404
        line = payouts["teammate"].lines.first()
        assert client.get(f"/api/v1/payouts/lines/{line.pk}/").status_code == 404

    def test_a_manager_reads_their_teams_payouts(self, api, org, payouts):
        assert ids(api.as_user(org["mgr"]).get("/api/v1/payouts/")) == {payouts["owner"].pk, payouts["teammate"].pk}
        assert len(ids(api.as_user(org["admin"]).get("/api/v1/payouts/"))) == 3

    def test_a_payout_comes_with_its_explained_lines(self, api, org, payouts, fake_metrics):
        body = api.as_user(org["owner"]).get(f"/api/v1/payouts/{payouts['owner'].pk}/").json()
        assert body["period"] == "2026-Q3" and [line["component_key"] for line in body["lines"]] == [
            "quota", "csat", "process"]
        assert body["lines"][0]["records_url"].startswith("/records/")

    def test_the_list_costs_the_same_queries_for_more_payouts(self, api, org, plan, payouts,
                                                              django_assert_max_num_queries):
        client = api.as_user(org["admin"])
        client.get("/api/v1/payouts/")
        with django_assert_max_num_queries(8):
            assert len(client.get("/api/v1/payouts/").json()["results"]) == 3

    def test_a_rep_reads_only_published_versions_of_their_own_plan(self, api, org, plan):
        other = seed_plan(org["admin"], name="Other plan")
        draft = comp.plan_new_version(by=org["admin"], plan=plan, effective_from=date(2027, 1, 1))
        client = api.as_user(org["owner"])
        assert ids(client.get("/api/v1/compensation/plans/")) == {plan.pk}
        assert client.get(f"/api/v1/compensation/plans/{other.pk}/").status_code == 404
        assert client.get(f"/api/v1/compensation/plans/{draft.pk}/").status_code == 404
        assert ids(api.as_user(org["mgr"]).get("/api/v1/compensation/plans/")) == {plan.pk, draft.pk}
        assert api.as_user(org["marketing"]).get("/api/v1/compensation/plans/").json()["results"] == []


class TestCalculator:
    def test_the_seed_example(self, api, org, plan):
        response = api.as_user(org["owner"]).post(f"/api/v1/compensation/plans/{plan.pk}/preview/",
                                                  {"values": SEED_VALUES}, format="json")
        body = response.json()
        assert response.status_code == 200 and body["total"] == "10000.00" and body["currency"] == "CNY"
        assert [(x["key"], x["contribution"]) for x in body["lines"]] == [
            ("quota", "6600.00"), ("csat", "1800.00"), ("process", "1600.00")]
        assert not Payout.objects.exists()

    @pytest.mark.parametrize("body", [
        {"values": {"nps": 3}}, {"values": {"csat": -1}}, {"values": {"csat": "ninety"}}, {"values": [1, 2]},
        {"values": {"csat": 1e9}}, {"commission_amount": "-1"},
    ])
    def test_bad_input_is_a_400(self, api, org, plan, body):
        response = api.as_user(org["owner"]).post(f"/api/v1/compensation/plans/{plan.pk}/preview/", body, format="json")
        assert response.status_code == 400, response.content

    def test_a_plan_you_may_not_read_is_a_404(self, api, org, plan):
        other = seed_plan(org["admin"], name="Other plan")
        assert api.as_user(org["owner"]).post(f"/api/v1/compensation/plans/{other.pk}/preview/", {},
                                              format="json").status_code == 404


class TestPlanWrites:
    def test_an_admin_creates_versions_and_publishes(self, api, org, fake_metrics):
        client = api.as_user(org["admin"])
        body = {"name": "Bonus", "effective_from": "2026-01-01", "target_bonus": "10000", "period": "quarterly",
                "components": [{**c, "weight": str(c["weight"])} for c in SEED_COMPONENTS],
                "tiers": [{"lower": "0", "upper": None, "rate": "2"}]}
        response = client.post("/api/v1/compensation/plans/", body, format="json")
        assert response.status_code == 201, response.content
        plan_id = response.json()["id"]
        assert client.post(f"/api/v1/compensation/plans/{plan_id}/publish/").json()["status"] == "published"
        assert client.post(f"/api/v1/compensation/plans/{plan_id}/publish/").status_code == 400
        new = client.post(f"/api/v1/compensation/plans/{plan_id}/new-version/", {"effective_from": "2027-01-01"},
                          format="json")
        assert new.status_code == 201 and new.json()["version"] == 2
        assert client.post("/api/v1/compensation/plans/", body, format="json").status_code == 400  # same name

    def test_others_may_not_create_plans(self, api, org, fake_metrics):
        body = {"name": "Mine", "effective_from": "2026-01-01", "target_bonus": "99999999", "period": "quarterly",
                "components": [{"key": "q", "label": "q", "metric_codes": ["csat"], "weight": "100"}]}
        assert api.as_user(org["mgr"]).post("/api/v1/compensation/plans/", body, format="json").status_code == 403

    def test_the_what_if_lists_last_periods_payouts(self, api, org, plan, payouts):
        rows = api.as_user(org["mgr"]).get(f"/api/v1/compensation/plans/{plan.pk}/what-if/").json()
        assert {row["user"] for row in rows} == {org["owner"].pk, org["teammate"].pk}
        assert {row["current"] for row in rows} == {"0.00"}  # decimals are strings, as documented (schemathesis)


class TestApproval:
    AFTER = datetime(2026, 10, 5, 9, tzinfo=tz.utc)

    def test_a_manager_approves_their_teams_payout_only(self, api, org, payouts):
        client = api.as_user(org["mgr"])
        with mock.patch("django.utils.timezone.now", return_value=self.AFTER):
            assert client.post(f"/api/v1/payouts/{payouts['outsider'].pk}/approve/").status_code == 404
            assert api.as_user(org["owner"]).post(f"/api/v1/payouts/{payouts['owner'].pk}/approve/").status_code == 403
            client = api.as_user(org["mgr"])
            response = client.post(f"/api/v1/payouts/{payouts['owner'].pk}/approve/")
            assert response.status_code == 200 and response.json()["status"] == "approved"
            assert client.post(f"/api/v1/payouts/{payouts['owner'].pk}/approve/").status_code == 400


class TestDisputes:
    def test_a_rep_disputes_a_line_and_the_manager_answers(self, api, org, payouts):
        line = payouts["owner"].lines.first()
        response = api.as_user(org["owner"]).post(f"/api/v1/payouts/lines/{line.pk}/dispute/",
                                                  {"text": "A deal is missing"}, format="json")
        assert response.status_code == 201
        dispute_id = response.json()["id"]
        assert api.as_user(org["owner"]).post(f"/api/v1/payouts/lines/{line.pk}/dispute/", {"text": ""},
                                              format="json").status_code == 400
        assert api.as_user(org["mgr"]).post(f"/api/v1/payouts/lines/{line.pk}/dispute/", {"text": "x"},
                                            format="json").status_code == 403
        assert api.as_user(org["other_mgr"]).post(f"/api/v1/payouts/disputes/{dispute_id}/answer/", {"answer": "no"},
                                                  format="json").status_code == 404
        answered = api.as_user(org["mgr"]).post(f"/api/v1/payouts/disputes/{dispute_id}/answer/",
                                                {"answer": "Closed in October"}, format="json")
        assert answered.status_code == 200 and PayoutDispute.objects.get().status == "answered"
