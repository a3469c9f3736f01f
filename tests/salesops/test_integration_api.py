"""Issue 15: what an integration needs from the API — sync, upsert, error codes, request ids, ETags,
the event-type catalogue, checklist ticks and refused naive date-times."""
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Lead
from leads.services import lead_update
from leads.services.scoring import leads_rescore_range
from pipeline.models import ChecklistTick
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import log_meeting, make_opportunity

pytestmark = pytest.mark.django_db
LEADS = "/api/v1/leads/"


def _sync_all(client, url, *, between_pages=lambda page: None, page_size=3):
    """Follow a sync to the end; returns the ids in the order received and the last cursor."""
    seen, cursor, page = [], "", 0
    while True:
        response = client.get(url, {"cursor": cursor, "page_size": page_size})
        assert response.status_code == 200, response.json()
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        cursor = body["next_cursor"]
        page += 1
        between_pages(page)
        if not body["has_more"]:
            return seen, cursor


class TestSync:
    def test_paging_with_inserts_and_updates_between_pages_repeats_and_skips_nothing(self, api, org):
        leads = [LeadFactory(owner=org["owner"]) for _ in range(7)]
        client = api.as_user(org["owner"])
        added = []

        def change(page):
            if page == 1:  # a new lead arrives and an unseen one changes
                added.append(LeadFactory(owner=org["owner"]).pk)
                lead_update(lead=leads[5], by=org["owner"], company="Changed Co")
            if page == 2:
                added.append(LeadFactory(owner=org["owner"]).pk)

        seen, cursor = _sync_all(client, f"{LEADS}sync/", between_pages=change)
        assert len(seen) == len(set(seen)), "a row came twice"
        assert set(seen) == {lead.pk for lead in leads} | set(added)
        # caught up: the same cursor gives nothing until something changes; then only that
        again = client.get(f"{LEADS}sync/", {"cursor": cursor}).json()
        assert again["results"] == [] and again["next_cursor"] == cursor
        lead_update(lead=leads[0], by=org["owner"], phone="123")
        assert [r["id"] for r in client.get(f"{LEADS}sync/", {"cursor": cursor}).json()["results"]] == [leads[0].pk]

    def test_a_rescore_moves_updated_at_so_sync_sees_score_changes(self, api, org, settings):
        lead = LeadFactory(owner=org["owner"], company_size=5000)
        Lead.objects.filter(pk=lead.pk).update(updated_at=timezone.now() - timedelta(days=2), score=-999)
        before = timezone.now() - timedelta(seconds=1)
        leads_rescore_range(lo=lead.pk, hi=lead.pk, reason="data")
        lead.refresh_from_db()
        assert lead.score != -999 and lead.updated_at >= before
        response = api.as_user(org["owner"]).get(LEADS, {"updated_after": before.isoformat()})
        assert [r["id"] for r in response.json()["results"]] == [lead.pk]

    def test_updated_after_and_before_filter_and_ordering_by_updated_at_then_id(self, api, org):
        old, new = LeadFactory(owner=org["owner"]), LeadFactory(owner=org["owner"])
        stamp = timezone.now() - timedelta(days=1)
        Lead.objects.filter(pk=old.pk).update(updated_at=stamp - timedelta(days=1))
        client = api.as_user(org["owner"])
        after = client.get(LEADS, {"updated_after": stamp.isoformat()}).json()
        assert [r["id"] for r in after["results"]] == [new.pk]
        before = client.get(LEADS, {"updated_before": stamp.isoformat()}).json()
        assert [r["id"] for r in before["results"]] == [old.pk]
        ordered = client.get(LEADS, {"ordering": "updated_at"}).json()["results"]
        assert [r["id"] for r in ordered] == [old.pk, new.pk]
        assert [r["id"] for r in client.get(LEADS, {"ordering": "-id"}).json()["results"]] == [new.pk, old.pk]

    def test_a_naive_updated_after_is_a_400(self, api, org):
        response = api.as_user(org["owner"]).get(LEADS, {"updated_after": "2026-05-01T10:00:00"})
        assert response.status_code == 400
        assert response.json()["codes"] == {"updated_after": ["naive_datetime"]}

    def test_a_bad_cursor_is_a_400(self, api, org):
        response = api.as_user(org["owner"]).get(f"{LEADS}sync/", {"cursor": "not-a-cursor"})
        assert response.status_code == 400 and "cursor" in response.json()

    @pytest.mark.parametrize("url", ["/api/v1/opportunities/sync/", "/api/v1/accounts/sync/",
                                     "/api/v1/contacts/sync/", "/api/v1/activities/sync/"])
    def test_every_synced_resource_has_a_sync_list(self, api, org, url):
        response = api.as_user(org["admin"]).get(url, {"updated_after": "2020-01-01T00:00:00Z"})
        assert response.status_code == 200 and set(response.json()) == {"next_cursor", "has_more", "next", "results"}

    def test_unknown_query_parameters_are_a_400_listing_the_allowed_ones(self, api, org):
        client = api.as_user(org["owner"])
        response = client.get(LEADS, {"updated_since": "2026-01-01T00:00:00Z"})
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "unknown_parameter"
        assert "updated_after" in body["updated_since"][0] and "page_size" in body["updated_since"][0]
        for known in ({"page": 1, "page_size": 10}, {"ordering": "-updated_at"}, {"format": "json"},
                      {"external_ref": "x"}, {"q": "a"}):
            assert client.get(LEADS, known).status_code == 200, known
        assert client.get("/api/v1/opportunities/", {"bogus": 1}).status_code == 400
        assert client.get(f"{LEADS}sync/", {"page": 2}).status_code == 400  # sync pages by cursor only

    def test_etag_and_if_none_match_answer_304(self, api, org):
        lead = LeadFactory(owner=org["owner"])
        client = api.as_user(org["owner"])
        first = client.get(f"{LEADS}{lead.pk}/")
        tag = first["ETag"]
        assert first.status_code == 200 and tag
        assert client.get(f"{LEADS}{lead.pk}/", HTTP_IF_NONE_MATCH=tag).status_code == 304
        lead_update(lead=lead, by=org["owner"], company="Other")
        changed = client.get(f"{LEADS}{lead.pk}/", HTTP_IF_NONE_MATCH=tag)
        assert changed.status_code == 200 and changed["ETag"] != tag


class TestUpsert:
    ITEMS = [{"source_system": "hubspot", "external_ref": "hs-1", "name": "Ada", "email": "ada@example.com"},
             {"source_system": "hubspot", "external_ref": "hs-2", "name": "Grace", "company": "Navy"}]

    def test_upsert_by_external_ref_is_idempotent(self, api, org):
        client = api.as_user(org["owner"])
        first = client.post(f"{LEADS}upsert/", self.ITEMS, format="json")
        assert first.status_code == 200, first.json()
        assert [r["status"] for r in first.json()["results"]] == ["created", "created"]
        again = client.post(f"{LEADS}upsert/", self.ITEMS, format="json").json()
        assert [r["status"] for r in again["results"]] == ["unchanged", "unchanged"]
        assert [r["id"] for r in again["results"]] == [r["id"] for r in first.json()["results"]]
        assert Lead.objects.count() == 2
        changed = client.post(f"{LEADS}upsert/", [{**self.ITEMS[1], "company": "Yale"}], format="json").json()
        assert changed["results"][0]["status"] == "updated" and changed["updated"] == 1
        assert Lead.objects.get(external_ref="hs-2").company == "Yale"
        found = client.get(LEADS, {"external_ref": "hs-2"}).json()["results"]
        assert [r["id"] for r in found] == [changed["results"][0]["id"]]

    def test_the_same_ref_in_another_source_system_is_another_lead(self, api, org):
        client = api.as_user(org["owner"])
        client.post(f"{LEADS}upsert/", self.ITEMS[:1], format="json")
        other = client.post(f"{LEADS}upsert/", [{**self.ITEMS[1], "source_system": "salesforce", "external_ref": "hs-1"}],
                            format="json").json()
        assert other["results"][0]["status"] == "created" and Lead.objects.filter(external_ref="hs-1").count() == 2

    def test_matches_by_email_and_invalid_input_refuses_the_batch(self, api, org):
        lead = LeadFactory(owner=org["owner"], email="known@example.com", company="Old")
        client = api.as_user(org["owner"])
        refused = client.post(f"{LEADS}upsert/", [{"email": "KNOWN@example.com", "company": "New"},
                                                  {"name": "No email", "company_size": -5}, "not an object"],
                              format="json")
        assert refused.status_code == 400 and refused.json()["code"] == "invalid_items"
        assert set(refused.json()["items"]) == {"1", "2"} and "company_size" in refused.json()["items"]["1"]
        lead.refresh_from_db()
        assert lead.company == "Old"
        response = client.post(f"{LEADS}upsert/", [{"email": "KNOWN@example.com", "company": "New"},
                                                   {"company": "No name, no key"}], format="json").json()
        assert [r["status"] for r in response["results"]] == ["updated", "error"]
        assert response["results"][0]["id"] == lead.pk and response["results"][1]["code"] == "blank"
        assert "name" in response["results"][1]["errors"]
        lead.refresh_from_db()
        assert lead.company == "New" and Lead.objects.count() == 1

    def test_a_lead_the_caller_cannot_change_is_not_updated(self, api, org):
        theirs = LeadFactory(owner=org["outsider"], email="theirs@example.com", company="Kept")
        response = api.as_user(org["owner"]).post(f"{LEADS}upsert/", [{"email": "theirs@example.com", "company": "X"}],
                                                  format="json").json()
        assert response["results"][0]["code"] == "permission_denied"
        theirs.refresh_from_db()
        assert theirs.company == "Kept"

    def test_a_body_that_is_not_a_list_is_a_400(self, api, org):
        response = api.as_user(org["owner"]).post(f"{LEADS}upsert/", {"name": "x"}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "not_a_list"

    def test_a_duplicate_email_on_create_is_409_with_the_existing_id(self, api, org):
        existing = LeadFactory(owner=org["outsider"], email="dup@example.com")
        response = api.as_user(org["owner"]).post(LEADS, {"name": "Again", "email": "DUP@example.com"}, format="json")
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "duplicate" and body["existing_id"] == existing.pk and body["field"] == "email"
        assert Lead.objects.count() == 1


class TestErrorsAndHeaders:
    def test_errors_carry_a_code_beside_the_message(self, api, org):
        client = api.as_user(org["owner"])
        missing = client.get(f"{LEADS}999999/")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found" and missing.json()["detail"]
        invalid = client.post(LEADS, {"email": "x"}, format="json").json()
        assert invalid["codes"]["name"] == ["required"] and invalid["name"]
        unauthenticated = api.__class__().get(LEADS)
        assert unauthenticated.status_code == 401 and unauthenticated.json()["code"] == "not_authenticated"

    def test_every_response_has_a_request_id_and_a_valid_one_is_echoed(self, api, org, client):
        response = api.as_user(org["owner"]).get(LEADS)
        assert len(response["X-Request-ID"]) == 32
        echoed = api.get(LEADS, HTTP_X_REQUEST_ID="crm-sync-20260501-0001")
        assert echoed["X-Request-ID"] == "crm-sync-20260501-0001"
        refused = api.get(LEADS, HTTP_X_REQUEST_ID="bad id\r\nX-Evil: 1")
        assert refused["X-Request-ID"] != "bad id\r\nX-Evil: 1" and len(refused["X-Request-ID"]) == 32
        assert client.get("/healthz")["X-Request-ID"]

    def test_a_naive_occurred_at_is_a_400_with_its_code(self, api, org):
        lead = LeadFactory(owner=org["owner"])
        response = api.as_user(org["owner"]).post("/api/v1/lead-events/", {
            "lead": lead.pk, "type": "site_visit", "occurred_at": "2026-03-01T18:00:00"}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "naive_datetime" and response.json()["occurred_at"]
        activity = api.as_user(org["owner"]).post("/api/v1/activities/", {
            "lead": lead.pk, "kind": "call", "occurred_at": "2026-03-01T18:00:00", "summary": "x"}, format="json")
        assert activity.status_code == 400 and activity.json()["codes"]["occurred_at"] == ["naive_datetime"]

    def test_the_event_type_catalogue_lists_codes_with_translated_labels(self, api, org):
        client = api.as_user(org["marketing"])
        english = client.get("/api/v1/event-types/").json()
        codes = [row["code"] for row in english]
        assert "site_visit" in codes and codes == sorted(codes)
        chinese = client.get("/api/v1/event-types/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        assert [row["label"] for row in chinese] != [row["label"] for row in english]
        assert client.get("/api/v1/event-types/site_visit/").json()["code"] == "site_visit"


class TestChecklistThroughTheApi:
    def test_ticking_the_demo_item_lets_the_deal_pass_solution_demo(self, api, org):
        deal = make_opportunity(owner=org["owner"], confirmed_needs="CRM for 40 reps")
        client = api.as_user(org["owner"])
        url = f"/api/v1/opportunities/{deal.pk}/"
        assert client.post(f"{url}transition/", {"stage": "needs_confirmed"}, format="json").status_code == 200
        assert client.post(f"{url}transition/", {"stage": "solution_demo"}, format="json").status_code == 200
        log_meeting(deal)
        refused = client.post(f"{url}transition/", {"stage": "negotiation"}, format="json")
        assert refused.status_code == 400 and refused.json()["code"] == "unmet_criteria"
        assert [u["code"] for u in refused.json()["unmet"]] == ["checklist_item:solution_accepted"]
        ticked = client.post(f"{url}checklist/", {"item": "solution_accepted"}, format="json")
        assert ticked.status_code == 200
        assert {row["item"]: row["ticked"] for row in ticked.json()}["solution_accepted"] is True
        moved = client.post(f"{url}transition/", {"stage": "negotiation"}, format="json")
        assert moved.status_code == 200, moved.json()
        assert moved.json()["stage_code"] == "negotiation"

    def test_untick_and_unknown_items(self, api, org):
        deal = make_opportunity(owner=org["owner"])
        client = api.as_user(org["owner"])
        url = f"/api/v1/opportunities/{deal.pk}/checklist/"
        client.post(url, {"item": "budget_confirmed"}, format="json")
        assert ChecklistTick.objects.filter(opportunity=deal).count() == 1
        client.post(url, {"item": "budget_confirmed", "ticked": False}, format="json")
        assert not ChecklistTick.objects.filter(opportunity=deal).exists()
        assert client.post(url, {"item": "nope"}, format="json").status_code == 400
        outsider = api.as_user(org["outsider"]).post(url, {"item": "budget_confirmed"}, format="json")
        assert outsider.status_code == 404 and not ChecklistTick.objects.exists()
