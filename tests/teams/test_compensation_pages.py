"""Compensation pages: My pay, the statement (approve, dispute, answer), the review list, plans."""
from datetime import datetime
from datetime import timezone as tz
from unittest import mock

import pytest
from django.urls import reverse

from teams.models import CompensationPlan, PayoutDispute
from tests.teams.compensation_fixtures import compute_q3, seed_plan

pytestmark = pytest.mark.django_db
AFTER_Q3 = datetime(2026, 10, 5, 9, tzinfo=tz.utc)


@pytest.fixture
def payouts(org, plan, fake_metrics):
    fake_metrics.set("quota_attainment", org["owner"], 110, ids=[org["owner"].pk])
    fake_metrics.set("csat", org["owner"], 90)
    fake_metrics.set("data_completeness", org["owner"], 80)
    return {person: compute_q3(plan, org[person]) for person in ("owner", "teammate", "outsider")}


def test_my_pay_shows_the_latest_statement_with_links_to_the_records(client, org, payouts):
    client.force_login(org["owner"])
    page = client.get(reverse("teams:my-pay")).content.decode()
    assert "10,000.00" in page and f'data-payout="{payouts["owner"].pk}"' in page
    assert f'data-payout="{payouts["teammate"].pk}"' not in page
    assert "/records/quota_attainment/" in page


def test_a_rep_opens_only_their_own_statement(client, org, payouts):
    client.force_login(org["owner"])
    assert client.get(reverse("teams:payout", args=[payouts["teammate"].pk])).status_code == 404
    page = client.get(reverse("teams:payout", args=[payouts["owner"].pk])).content.decode()
    assert "data-dispute-form" in page and "data-approve" not in page


def test_a_rep_disputes_and_the_manager_answers_on_the_statement(client, org, payouts):
    line = payouts["owner"].lines.first()
    client.force_login(org["owner"])
    client.post(reverse("teams:payout-line-dispute", args=[line.pk]), {"text": "Missing deal"})
    dispute = PayoutDispute.objects.get()
    client.post(reverse("teams:payout-line-dispute", args=[line.pk]), {"text": ""})
    assert PayoutDispute.objects.count() == 1
    client.force_login(org["mgr"])
    page = client.get(reverse("teams:payout", args=[payouts["owner"].pk])).content.decode()
    assert "Missing deal" in page and "data-answer-form" in page
    client.post(reverse("teams:payout-dispute-answer", args=[dispute.pk]), {"answer": "Closed in October"})
    dispute.refresh_from_db()
    assert dispute.status == "answered"


def test_a_manager_approves_from_the_statement(client, org, payouts):
    client.force_login(org["mgr"])
    with mock.patch("django.utils.timezone.now", return_value=AFTER_Q3):
        assert client.post(reverse("teams:payout-approve", args=[payouts["outsider"].pk])).status_code == 404
        client.post(reverse("teams:payout-approve", args=[payouts["owner"].pk]))
    payouts["owner"].refresh_from_db()
    assert payouts["owner"].status == "approved"


def test_the_review_list_is_for_managers_with_constant_queries(client, org, payouts, django_assert_max_num_queries):
    client.force_login(org["owner"])
    assert client.get(reverse("teams:payout-review")).status_code == 403
    client.force_login(org["admin"])
    client.get(reverse("teams:payout-review"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("teams:payout-review")).content.decode()
    assert page.count("data-payout=") == 3
    client.force_login(org["mgr"])
    assert client.get(reverse("teams:payout-review")).content.decode().count("data-payout=") == 2
    assert client.get(reverse("teams:payout-review") + "?status=nonsense").status_code == 200


def test_the_plan_page_calculates_and_shows_the_what_if(client, org, plan, payouts):
    client.force_login(org["mgr"])
    url = reverse("teams:plan", args=[plan.pk])
    page = client.get(url, {"quota_attainment": "110", "csat": "90", "data_completeness": "80",
                            "activity_logged_within_24h": "80", "training_participation": "80"}).content.decode()
    assert "10,000.00" in page and "data-what-if" in page
    assert client.get(url, {"csat": "-5"}).status_code == 200
    client.force_login(org["owner"])
    assert "data-what-if" not in client.get(url).content.decode()
    other = seed_plan(org["admin"], name="Other")
    assert client.get(reverse("teams:plan", args=[other.pk])).status_code == 404


def test_an_admin_makes_a_plan_on_the_page(client, org, fake_metrics):
    client.force_login(org["admin"])
    data = {"name": "Page plan", "effective_from": "2026-01-01", "period": "quarterly", "target_bonus": "5000",
            "currency": "CNY", "commission_metric": "",
            "c-TOTAL_FORMS": "2", "c-INITIAL_FORMS": "0", "c-MIN_NUM_FORMS": "0", "c-MAX_NUM_FORMS": "12",
            "c-0-key": "quota", "c-0-label": "Quota", "c-0-metric_codes": "quota_attainment", "c-0-weight": "80",
            "c-0-target": "100", "c-0-missing": "skip",
            "c-1-key": "csat", "c-1-label": "CSAT", "c-1-metric_codes": "csat", "c-1-weight": "20",
            "c-1-target": "100", "c-1-missing": "skip",
            "t-TOTAL_FORMS": "0", "t-INITIAL_FORMS": "0", "t-MIN_NUM_FORMS": "0", "t-MAX_NUM_FORMS": "10"}
    response = client.post(reverse("teams:plan-new"), data)
    assert response.status_code == 302
    plan = CompensationPlan.objects.get(name="Page plan")
    assert [c.weight for c in plan.components.all()] == [80, 20]
    response = client.post(reverse("teams:plan-new"), {**data, "name": "Bad", "c-1-weight": "10"})
    assert response.status_code == 200 and "not 100" in response.content.decode()
    client.post(reverse("teams:plan-publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "published"
    client.force_login(org["mgr"])
    assert client.get(reverse("teams:plan-new")).status_code == 403


def test_an_admin_assigns_a_plan_on_its_page(client, org, plan):
    client.force_login(org["admin"])
    url = reverse("teams:plan-assign", args=[plan.pk])
    client.post(url, {"user": org["mgr"].pk, "starts_on": "2026-04-01"})
    assert plan.assignments.filter(user=org["mgr"]).exists()
    client.post(url, {"user": org["marketing"].pk, "starts_on": "2026-04-01"})  # not a seller: refused
    assert not plan.assignments.filter(user=org["marketing"]).exists()
    assert "data-assign-form" in client.get(reverse("teams:plan", args=[plan.pk])).content.decode()
    client.force_login(org["mgr"])
    assert client.post(url, {"user": org["mgr"].pk, "starts_on": "2026-05-01"}).status_code == 403
