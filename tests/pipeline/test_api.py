import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pipeline import services
from pipeline.models import Opportunity, StageTransition
from tests.customers.factories import AccountFactory

from .factories import make_opportunity, stage

pytestmark = pytest.mark.django_db
URL = "/api/v1/opportunities/"


@pytest.fixture
def deal(org):
    return make_opportunity(owner=org["owner"], name="Acme rollout")


def test_create_starts_in_the_first_stage_and_ignores_stage(api, org):
    account = AccountFactory(owner=org["owner"])
    response = api.as_user(org["owner"]).post(URL, {"name": "API deal", "account": account.pk, "amount": "900",
                                                    "stage": stage("closed_won").pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage_code"] == "lead_identified" and body["owner"] == org["owner"].pk and body["currency"] == "CNY"


def test_update_cannot_change_the_stage_and_a_stale_version_is_409(api, org, deal):
    client = api.as_user(org["owner"])
    response = client.patch(f"{URL}{deal.pk}/", {"stage": stage("closed_won").pk, "next_step": "Call"},
                            format="json")
    assert response.status_code == 200 and response.json()["stage_code"] == "lead_identified"
    response = client.patch(f"{URL}{deal.pk}/", {"next_step": "Other", "version": 1}, format="json")
    assert response.status_code == 409


def test_transition_200_then_400_with_every_unmet_criterion(api, org, deal):
    client = api.as_user(org["owner"])
    response = client.post(f"{URL}{deal.pk}/transition/", {"stage": "needs_confirmed"}, format="json")
    assert response.status_code == 200 and response.json()["stage_code"] == "needs_confirmed"
    response = client.post(f"{URL}{deal.pk}/transition/", {"stage": stage("negotiation").pk}, format="json")
    assert response.status_code == 400
    assert [u["code"] for u in response.json()["unmet"]] == ["skip_forward", "required_field:confirmed_needs"]
    response = client.post(f"{URL}{deal.pk}/transition/", {"stage": "solution_demo"}, format="json")
    assert response.json()["unmet"] == [{"code": "required_field:confirmed_needs",
                                         "message": "“Confirmed needs” must be filled in."}]


def test_unmet_messages_are_translated(api, org, deal):
    response = api.as_user(org["owner"]).post(f"{URL}{deal.pk}/transition/", {"stage": "closed_lost"},
                                              format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["unmet"][0]["code"] == "required_field:loss_reason"


def test_transition_with_a_stale_version_is_409(api, org, deal):
    client = api.as_user(org["owner"])
    seen = deal.version
    assert client.post(f"{URL}{deal.pk}/transition/", {"stage": "needs_confirmed", "version": seen},
                       format="json").status_code == 200
    response = client.post(f"{URL}{deal.pk}/transition/", {"stage": "needs_confirmed", "version": seen},
                           format="json")
    assert response.status_code == 409 and response.json()["stage"] == stage("needs_confirmed").pk


def test_a_rep_cannot_see_or_move_another_reps_deal(api, org, deal):
    client = api.as_user(org["teammate"])
    assert client.get(f"{URL}{deal.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0
    assert client.post(f"{URL}{deal.pk}/transition/", {"stage": "needs_confirmed"}, format="json").status_code == 404
    assert client.patch(f"{URL}{deal.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api.as_user(org["mgr"]).get(URL).json()["count"] == 1
    assert api.as_user(org["other_mgr"]).get(URL).json()["count"] == 0


@pytest.mark.parametrize("payload", [
    {}, {"stage": None}, {"stage": "nope"}, {"stage": 10**30}, {"stage": True}, {"stage": [1]},
    {"stage": "needs_confirmed", "version": "x"}, {"stage": "needs_confirmed", "version": 10**20},
    {"stage": "needs_confirmed", "loss_reason": "abc"}, {"stage": {"a": 1}},
])
def test_malformed_transitions_are_400(api, org, deal, payload):
    response = api.as_user(org["owner"]).post(f"{URL}{deal.pk}/transition/", payload, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["min_amount=abc", "owner=0", "stage=abc", "close_after=x", "team=1e5",
                                   "max_amount=99999999999999999999", "ordering=nope"])
def test_bad_filters_are_not_500(api, org, query):
    assert api.as_user(org["owner"]).get(f"{URL}?{query}").status_code in (200, 400)


def test_filters(api, org):
    make_opportunity(owner=org["owner"], amount=Decimal("100"))
    big = make_opportunity(owner=org["owner"], amount=Decimal("5000"))
    client = api.as_user(org["admin"])
    assert [r["id"] for r in client.get(f"{URL}?min_amount=1000").json()["results"]] == [big.pk]
    assert client.get(f"{URL}?team={org['east'].pk}").json()["count"] == 2
    assert client.get(f"{URL}?team={org['west'].pk}").json()["count"] == 0
    assert client.get(f"{URL}?stage={stage('lead_identified').pk}").json()["count"] == 2


def test_stages_list_their_criteria(api, org):
    body = api.as_user(org["owner"]).get("/api/v1/stages/").json()
    needs = next(s for s in body if s["code"] == "needs_confirmed")
    assert needs["criteria"][0]["kind"] == "required_field" and needs["criteria"][0]["target"] == "confirmed_needs"
    assert [s["code"] for s in body][:2] == ["lead_identified", "needs_confirmed"]


def test_approval_flow_through_the_api(api, org, deal):
    services.opportunity_update(opportunity=deal, by=org["owner"], discount_percent=Decimal("30"))
    response = api.as_user(org["owner"]).post(f"{URL}{deal.pk}/request-approval/", {"note": "Big logo"},
                                              format="json")
    assert response.status_code == 201
    approval_id = response.json()["id"]
    assert api.as_user(org["owner"]).post(f"/api/v1/approvals/{approval_id}/approve/").status_code == 403
    response = api.as_user(org["mgr"]).post(f"/api/v1/approvals/{approval_id}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_only_admins_delete(api, org, deal):
    assert api.as_user(org["owner"]).delete(f"{URL}{deal.pk}/").status_code == 403
    assert api.as_user(org["admin"]).delete(f"{URL}{deal.pk}/").status_code == 204


def test_list_uses_a_constant_number_of_queries(api, org):
    client = api.as_user(org["mgr"])
    counts = []
    for n in (2, 10):
        for _ in range(n):
            make_opportunity(owner=org["owner"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_one_wins_the_other_conflicts(org):
    if connection.vendor != "postgresql":
        pytest.skip("Real row locks need PostgreSQL (SQLite serialises whole-database writes); "
                    "the version conflict itself is tested with expected_version on every database.")
    rep, mgr = org["owner"], org["mgr"]
    deal = make_opportunity(owner=rep)
    seen = deal.version
    barrier = threading.Barrier(2)
    results = []

    def worker(user, code):
        from django.db import connection as thread_connection
        try:
            barrier.wait()
            services.opportunity_transition(opportunity=Opportunity.objects.get(pk=deal.pk), to_stage=stage(code),
                                            by=user, expected_version=seen)
            results.append("ok")
        except services.TransitionConflict:
            results.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker, args=(rep, "needs_confirmed")),
               threading.Thread(target=worker, args=(mgr, "needs_confirmed"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["conflict", "ok"]
    deal.refresh_from_db()
    assert deal.version == seen + 1 and deal.stage.code == "needs_confirmed"
    assert StageTransition.objects.filter(opportunity=deal).count() == 2
