"""Webhooks and the change feed: events published by the services, signed deliveries, retries with
back-off, the delivery log, redelivery, and the paged change feed scoped to the caller."""
import json
from unittest import mock

import pytest
import requests

from integrations import signing
from integrations.events import publish
from integrations.models import ChangeEvent, Delivery, Subscription
from integrations.services import subscription_create
from leads.models import Lead
from leads.services import lead_create


class FakeResponse:
    def __init__(self, status_code, text="ok"):
        self.status_code, self.text = status_code, text


@pytest.fixture
def subscription(org):
    return subscription_create(by=org["admin"], name="CRM sync", url="https://hooks.example.com/in",
                               event_types=["lead.created", "lead.scored"])


def test_a_created_lead_is_delivered_signed(org, subscription, django_capture_on_commit_callbacks):
    with mock.patch("integrations.services.requests.post", return_value=FakeResponse(200)) as post:
        with django_capture_on_commit_callbacks(execute=True):
            lead = lead_create(by=org["owner"], name="Ada", email="ada@example.com")
    calls = [c for c in post.call_args_list if json.loads(c.kwargs["data"])["type"] == "lead.created"]
    assert len(calls) == 1
    call = calls[0]
    body, headers = call.kwargs["data"], call.kwargs["headers"]
    assert call.args[0] == "https://hooks.example.com/in"
    assert json.loads(body)["data"]["id"] == lead.pk and json.loads(body)["data"]["email"] == "ada@example.com"
    # the receiver's check (README): HMAC-SHA256 over "<t>.<body>" with the subscription's secret
    assert signing.verify(subscription.secret, body, headers["X-SalesOps-Signature"])
    assert not signing.verify("whsec_wrong", body, headers["X-SalesOps-Signature"])
    assert not signing.verify(subscription.secret, body + b" ", headers["X-SalesOps-Signature"])
    delivery = Delivery.objects.get(event__event_type="lead.created")
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 1 and delivery.status_code == 200
    assert delivery.attempt_log.get().duration_ms is not None


def test_a_failed_delivery_is_retried_and_logged(org, subscription, django_capture_on_commit_callbacks):
    answers = [FakeResponse(500, "boom"), requests.ConnectionError("refused"), FakeResponse(204, "")]
    with mock.patch("integrations.services.requests.post", side_effect=answers):
        with django_capture_on_commit_callbacks(execute=True):
            publish("lead.created", object_id=1, owner_id=org["owner"].pk, payload={"id": 1})
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 3
    log = list(delivery.attempt_log.order_by("number").values_list("number", "status_code", "response_excerpt"))
    assert log == [(1, 500, "boom"), (2, None, ""), (3, 204, "")]
    assert "ConnectionError" in delivery.attempt_log.get(number=2).error


def test_after_max_attempts_the_delivery_fails_with_its_reason(org, subscription, django_capture_on_commit_callbacks):
    Subscription.objects.filter(pk=subscription.pk).update(max_attempts=2)
    with mock.patch("integrations.services.requests.post", return_value=FakeResponse(503, "busy")) as post:
        with django_capture_on_commit_callbacks(execute=True):
            publish("lead.created", object_id=1, payload={})
    assert post.call_count == 2
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "503" in delivery.failure_reason


def test_backoff_grows_exponentially():
    assert [signing.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert signing.backoff_seconds(50) == 6 * 3600


def test_redelivery_through_the_api(api, org, subscription, django_capture_on_commit_callbacks):
    with mock.patch("integrations.services.requests.post", return_value=FakeResponse(410, "gone")):
        with django_capture_on_commit_callbacks(execute=True):
            publish("lead.created", object_id=7, payload={})
    Subscription.objects.filter(pk=subscription.pk).update(max_attempts=1)
    failed = Delivery.objects.get()
    client = api.as_user(org["admin"])
    with mock.patch("integrations.services.requests.post", return_value=FakeResponse(200)) as post:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/webhooks/deliveries/{failed.pk}/redeliver/")
    assert response.status_code == 202, response.content
    assert post.call_count == 1
    again = Delivery.objects.get(pk=response.json()["id"])
    assert again.redelivery_of_id == failed.pk and again.status == Delivery.Status.SUCCEEDED
    assert api.as_user(org["owner"]).post(f"/api/v1/webhooks/deliveries/{failed.pk}/redeliver/").status_code == 403


def test_the_rescore_publishes_scored_and_grade_changes_set_based(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leads.services.scoring import leads_rescore_range

    for n in range(30):
        Lead.objects.create(name=f"L{n}", email=f"l{n}@example.com", company_size=5000, job_title="CEO",
                            industry="technology", owner=org["owner"])
    ids = sorted(Lead.objects.values_list("pk", flat=True))
    ChangeEvent.objects.all().delete()
    from leads.models import RuleSet
    from leads.selectors import rule_set_loaded

    rule_set_loaded(RuleSet.objects.get(status=RuleSet.Status.PUBLISHED))  # the per-process cache (issue 14) warm
    with CaptureQueriesContext(connection) as few:
        changed = leads_rescore_range(lo=ids[0], hi=ids[2], reason="data")
    with CaptureQueriesContext(connection) as many:  # the same queries for 27 leads as for 3: none per lead
        changed += leads_rescore_range(lo=ids[3], hi=ids[-1], reason="data")
    assert len(few) == len(many) and changed == 30
    scored = ChangeEvent.objects.filter(event_type="lead.scored")
    assert scored.count() == changed
    first = scored.first()
    lead = Lead.objects.get(pk=first.object_id)
    assert first.payload["score"] == lead.score and first.payload["grade"] == lead.grade
    assert first.owner_id == org["owner"].pk
    graded = ChangeEvent.objects.filter(event_type="lead.grade_changed")
    assert set(graded.values_list("object_id", flat=True)) == set(
        Lead.objects.exclude(grade="").values_list("pk", flat=True))


def test_change_feed_pages_with_a_cursor_and_is_scoped(api, org, settings):
    settings.INTEGRATIONS_CHANGES_SETTLE_SECONDS = 0
    mine = [publish("lead.created", object_id=n, owner_id=org["owner"].pk, payload={"n": n}) for n in range(5)]
    publish("lead.created", object_id=99, owner_id=org["outsider"].pk, payload={})
    client = api.as_user(org["owner"])
    page1 = client.get("/api/v1/changes/", {"limit": 3}).json()
    assert [e["id"] for e in page1["results"]] == mine[:3] and page1["has_more"] is True
    page2 = client.get("/api/v1/changes/", {"after": page1["next_cursor"], "limit": 3}).json()
    assert [e["id"] for e in page2["results"]] == mine[3:] and page2["has_more"] is False
    later = publish("lead.created", object_id=6, owner_id=org["owner"].pk, payload={})
    page3 = client.get("/api/v1/changes/", {"after": page2["next_cursor"]}).json()
    assert [e["id"] for e in page3["results"]] == [later]
    admin_ids = [e["id"] for e in api.as_user(org["admin"]).get("/api/v1/changes/", {"limit": 500}).json()["results"]]
    assert len(admin_ids) == 7
    for bad in ({"limit": 0}, {"limit": 501}, {"after": "x"}, {"after": "-1"}, {"event_type": "nope"}):
        assert client.get("/api/v1/changes/", bad).status_code == 400


def test_subscriptions_are_for_administrators(api, org):
    body = {"name": "x", "url": "https://example.com/h", "event_types": ["lead.created"]}
    assert api.as_user(org["owner"]).post("/api/v1/webhooks/subscriptions/", body, format="json").status_code == 403
    response = api.as_user(org["admin"]).post("/api/v1/webhooks/subscriptions/", body, format="json")
    assert response.status_code == 201 and response.json()["secret"].startswith("whsec_")
    bad = api.as_user(org["admin"]).post("/api/v1/webhooks/subscriptions/", {**body, "event_types": ["nope"]},
                                         format="json")
    assert bad.status_code == 400 and "event_types" in bad.json()


def test_the_event_type_catalogue_lists_every_registered_type(api, org):
    body = api.as_user(org["admin"]).get("/api/v1/webhooks/subscriptions/event-types/").json()
    codes = {entry["code"] for entry in body}
    assert {"lead.created", "lead.scored", "lead.grade_changed", "lead.assigned", "opportunity.stage_changed",
            "opportunity.won", "opportunity.lost", "account.health_band_changed", "survey.answered"} <= codes


@pytest.mark.django_db
def test_set_based_publishing_without_an_owner_column_records_no_owner(org):
    """publish_rows(owner_id=None): the owner is a typed NULL (inside publish_select's derived table an
    untyped NULL is text to PostgreSQL, which refused to insert it into the bigint column)."""
    from django.db.models import F
    from django.db.models.functions import JSONObject

    from integrations.events import publish_rows

    lead = lead_create(by=org["owner"], name="Ann", email="ann@example.com")
    ChangeEvent.objects.all().delete()
    assert publish_rows("lead.created", Lead.objects.filter(pk=lead.pk), object_id="pk", owner_id=None,
                        payload=JSONObject(id=F("pk"))) == 1
    change = ChangeEvent.objects.get()
    assert (change.object_id, change.owner_id, change.payload) == (lead.pk, None, {"id": lead.pk})
