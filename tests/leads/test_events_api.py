"""/api/v1/lead-events/: POST one or many (all-or-nothing, idempotent), GET scoped and filtered."""
import pytest

from leads.models import LeadEvent
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/lead-events/"


@pytest.fixture
def leads(org):
    return {
        "own": LeadFactory(owner=org["owner"], industry="technology", company_size=10),
        "teammate": LeadFactory(owner=org["teammate"]),
    }


def event(lead, type="webinar_attended", external_id="e1", occurred_at="2026-03-01T10:00:00Z"):
    return {"lead": lead.pk, "type": type, "occurred_at": occurred_at, "external_id": external_id}


class TestPostEvents:
    def test_one_event_is_created_and_changes_the_score_once(self, api, org, leads, django_capture_on_commit_callbacks):
        client = api.as_user(org["owner"])
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(URL, event(leads["own"]), format="json")
        with django_capture_on_commit_callbacks(execute=True):
            again = client.post(URL, event(leads["own"]), format="json")
        assert first.status_code == 201, first.json()
        body = first.json()
        assert body["created"] == 1 and body["duplicates"] == 0
        assert body["created_ids"] == [LeadEvent.objects.get().pk]
        assert again.status_code == 201
        assert again.json()["created"] == 0 and again.json()["duplicate_external_ids"] == ["e1"]
        leads["own"].refresh_from_db()
        assert (leads["own"].score, leads["own"].grade) == (35, "SQL")  # technology 15 + webinar 20

    def test_a_list_is_stored_in_bulk(self, api, org, leads, django_capture_on_commit_callbacks):
        items = [event(leads["own"], external_id=str(i), type=t)
                 for i, t in enumerate(["whitepaper_download", "webinar_attended", "pricing_page_visit"])]
        with django_capture_on_commit_callbacks(execute=True):
            response = api.as_user(org["owner"]).post(URL, items, format="json")
        assert response.status_code == 201
        assert response.json()["created"] == 3
        assert [row["status"] for row in response.json()["items"]] == ["created"] * 3
        leads["own"].refresh_from_db()
        assert (leads["own"].score, leads["own"].grade) == (65, "MQL")

    def test_an_unknown_type_in_a_list_is_a_400_and_nothing_is_stored(self, api, org, leads):
        items = [event(leads["own"], external_id="a"), event(leads["own"], type="telepathy", external_id="b")]
        response = api.as_user(org["owner"]).post(URL, items, format="json")
        assert response.status_code == 400
        body = response.json()
        assert set(body["items"]) == {"1"}
        assert body["items"]["1"]["type"] == ["Unknown event type “telepathy”."]
        assert "detail" in body
        assert not LeadEvent.objects.exists()
        leads["own"].refresh_from_db()
        assert leads["own"].score == 0

    def test_a_single_bad_event_answers_with_a_message_per_field(self, api, org, leads):
        response = api.as_user(org["owner"]).post(URL, {"lead": leads["own"].pk, "type": "x", "occurred_at": "soon"},
                                                  format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"type", "occurred_at", "code", "codes"}
        assert response.json()["codes"] == {"type": ["unknown_event_type"], "occurred_at": ["invalid"]}

    def test_a_rep_cannot_post_events_for_another_reps_lead(self, api, org, leads):
        response = api.as_user(org["owner"]).post(URL, event(leads["teammate"]), format="json")
        assert response.status_code == 400
        assert "lead" in response.json()
        assert not LeadEvent.objects.exists()

    def test_marketing_may_post_events_for_any_lead(self, api, org, leads):
        response = api.as_user(org["marketing"]).post(URL, event(leads["teammate"]), format="json")
        assert response.status_code == 201

    @pytest.mark.parametrize("payload", ["{not json", "[1, 2", "42", '"text"', "null", "[]", '[{"lead": {"a": 1}}]',
                                         '{"lead": 1e400, "type": [], "occurred_at": 5, "external_id": {}}'])
    def test_malformed_input_is_a_400_never_a_500(self, api, org, leads, payload):
        response = api.as_user(org["owner"]).post(URL, data=payload, content_type="application/json")
        assert response.status_code == 400, response.content
        assert not LeadEvent.objects.exists()

    def test_anonymous_callers_get_a_401(self, client):
        assert client.post(URL, {}, content_type="application/json").status_code == 401


class TestListEvents:
    @pytest.fixture
    def events(self, api, org, leads):
        admin = api.as_user(org["admin"])
        assert admin.post(URL, [
            event(leads["own"], external_id="a", type="site_visit", occurred_at="2026-01-05T10:00:00Z"),
            event(leads["own"], external_id="b", type="email_click", occurred_at="2026-02-05T10:00:00Z"),
            event(leads["teammate"], external_id="c", type="site_visit", occurred_at="2026-02-06T10:00:00Z"),
        ], format="json").status_code == 201
        return {e.external_id: e for e in LeadEvent.objects.all()}

    def external_ids(self, api, user, query=""):
        response = api.as_user(user).get(URL + query)
        assert response.status_code == 200, response.content
        return {row["external_id"] for row in response.json()["results"]}

    def test_a_rep_sees_only_events_of_own_leads(self, api, org, events):
        assert self.external_ids(api, org["owner"]) == {"a", "b"}
        assert api.as_user(org["owner"]).get(f"{URL}{events['c'].pk}/").status_code == 404

    def test_managers_and_marketing_see_their_scope(self, api, org, events):
        assert self.external_ids(api, org["mgr"]) == {"a", "b", "c"}
        assert self.external_ids(api, org["marketing"]) == {"a", "b", "c"}
        assert self.external_ids(api, org["other_mgr"]) == set()

    def test_filters(self, api, org, leads, events):
        admin = org["admin"]
        assert self.external_ids(api, admin, f"?lead={leads['teammate'].pk}") == {"c"}
        assert self.external_ids(api, admin, "?type=site_visit") == {"a", "c"}
        assert self.external_ids(api, admin, "?occurred_after=2026-02-01T00:00:00Z") == {"b", "c"}
        assert self.external_ids(api, admin, "?occurred_before=2026-02-01T00:00:00Z") == {"a"}

    @pytest.mark.parametrize("query", ["?lead=abc", "?type=nope", "?occurred_after=yesterday"])
    def test_bad_filters_are_a_400(self, api, org, events, query):
        assert api.as_user(org["admin"]).get(URL + query).status_code == 400

    def test_rows_show_the_type_code_and_name(self, api, org, events):
        row = api.as_user(org["admin"]).get(URL + "?type=email_click").json()["results"][0]
        assert row["type"] == "email_click" and row["type_name"] == "Email click"


def test_the_lead_page_lists_the_leads_events(client, api, org, leads):
    api.as_user(org["owner"]).post(URL, [event(leads["own"], external_id="p1", type="pricing_page_visit"),
                                         event(leads["own"], external_id="p2", type="demo_request")], format="json")
    client.force_login(org["owner"])
    body = client.get(f"/leads/{leads['own'].pk}/").content.decode()
    assert 'id="lead-events"' in body
    assert "Pricing page visit" in body and "Demo request" in body and "p2" in body


def test_the_event_admin_pages_work(client, api, org, leads):
    api.as_user(org["owner"]).post(URL, event(leads["own"]), format="json")
    client.force_login(org["admin"])
    for url in ("/admin/leads/eventtype/", "/admin/leads/leadevent/", "/admin/leads/importmapping/",
                f"/admin/leads/leadevent/{LeadEvent.objects.get().pk}/change/"):
        assert client.get(url).status_code == 200, url


def test_deleting_an_event_in_the_admin_rescores_the_lead(client, api, org, leads, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.as_user(org["owner"]).post(URL, event(leads["own"]), format="json")
    client.force_login(org["admin"])
    pk = LeadEvent.objects.get().pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/leads/leadevent/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not LeadEvent.objects.exists()
    leads["own"].refresh_from_db()
    assert leads["own"].score == 15  # back to industry points only


def test_nul_characters_are_a_400_not_a_500(api, org):
    response = api.as_user(org["admin"]).post("/api/v1/lead-events/", {
        "email": "a\x00@example.com", "type": "site_visit", "occurred_at": "2026-01-01T00:00:00Z",
        "external_id": "x\x00"}, format="json")
    assert response.status_code == 400
