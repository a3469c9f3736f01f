"""Nurture over HTTP: the public click link, the lead page's Nurture section, the API."""
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import LeadEvent, NurtureEnrollment, NurtureSend, NurtureStep, NurtureTrack
from leads.services import nurture
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(db):
    track = NurtureTrack.objects.create(name="Welcome")
    NurtureStep.objects.create(track=track, order=1, subject="Hi {{ name }}", body="Read {{ link }}",
                               link_url="https://example.com/guide")
    NurtureStep.objects.create(track=track, order=2, delay_days=3, subject="Two", body="{{ link }}")
    return track


@pytest.fixture
def lead(org):
    return LeadFactory(owner=org["owner"], name="Ada", consent=True)


def send_step(lead, track, by):
    nurture.nurture_enroll(lead=lead, track=track, by=by)
    nurture.nurture_send_due(now=timezone.now())
    return NurtureSend.objects.filter(enrollment__lead=lead).order_by("-pk").first()


class TestClickLink:
    def test_a_click_redirects_to_the_content_and_counts_once(self, client, lead, track, org):
        send = send_step(lead, track, org["owner"])
        url = f"/n/c/{send.token}/"
        assert reverse("nurture-click", kwargs={"token": send.token}) == url
        with mock.patch("leads.services.scoring.lead_queue_rescore") as rescore:
            first, second = client.get(url), client.get(url)  # signed out, as from a mail client
        assert first.status_code == second.status_code == 302
        assert first["Location"] == "https://example.com/guide"
        assert LeadEvent.objects.filter(lead=lead, event_type__code="email_click").count() == 1
        assert rescore.call_count == 1
        send.refresh_from_db()
        assert send.clicked_at is not None

    def test_without_a_content_link_it_thanks_the_reader(self, client, lead, track, org):
        NurtureStep.objects.filter(order=1).update(link_url="")
        send = send_step(lead, track, org["owner"])
        response = client.get(f"/n/c/{send.token}/")
        assert response.status_code == 200 and "Thank you" in response.content.decode()

    @pytest.mark.parametrize("token", ["unknown-token", "x" * 300, "abc_DEF-123"])
    def test_an_unknown_token_is_a_404_page(self, client, token):
        assert client.get(f"/n/c/{token}/").status_code == 404
        assert not LeadEvent.objects.exists()

    def test_odd_characters_are_a_404_not_a_500(self, client):
        assert client.get("/n/c/a%20b%00/").status_code == 404

    def test_only_get(self, client, lead, track, org):
        send = send_step(lead, track, org["owner"])
        assert client.post(f"/n/c/{send.token}/").status_code == 405


class TestLeadPage:
    def test_the_owner_sees_the_section_and_enrolls(self, client, lead, track, org):
        client.force_login(org["owner"])
        body = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        assert 'data-section="nurture"' in body and "Welcome" in body and "Enroll" in body
        response = client.post(reverse("leads:nurture-enroll", args=[lead.pk]), {"track": track.pk})
        assert response.status_code == 302 and response.url.endswith(f"/leads/{lead.pk}/#nurture")
        assert NurtureEnrollment.objects.filter(lead=lead, track=track, status="active").exists()
        nurture.nurture_send_due(now=timezone.now())
        body = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        assert "data-send=" in body and "Hi {{ name }}" in body  # the step, as marketing wrote it

    def test_a_top_grade_lead_is_refused_with_a_message(self, client, lead, track, org):
        lead.grade = "MQL"
        lead.save()
        client.force_login(org["owner"])
        response = client.post(reverse("leads:nurture-enroll", args=[lead.pk]), {"track": track.pk}, follow=True)
        assert response.status_code == 200 and "top grade" in response.content.decode()
        assert not NurtureEnrollment.objects.exists()

    def test_marketing_may_enroll_any_lead(self, client, lead, track, org):
        client.force_login(org["marketing"])
        assert "Enroll" in client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        client.post(reverse("leads:nurture-enroll", args=[lead.pk]), {"track": track.pk})
        assert NurtureEnrollment.objects.filter(lead=lead).exists()

    def test_others_cannot_enroll(self, client, lead, track, org):
        client.force_login(org["outsider"])
        assert client.post(reverse("leads:nurture-enroll", args=[lead.pk]), {"track": track.pk}).status_code == 404
        assert not NurtureEnrollment.objects.exists()

    def test_bad_input_is_a_message_not_a_500(self, client, lead, track, org):
        client.force_login(org["owner"])
        url = reverse("leads:nurture-enroll", args=[lead.pk])
        for data in ({}, {"track": "abc"}, {"track": 99999}, {"track": "9" * 30}):
            assert client.post(url, data).status_code == 302
        track.is_active = False
        track.save()
        assert client.post(url, {"track": track.pk}).status_code == 302
        assert not NurtureEnrollment.objects.exists()
        assert client.get(url).status_code == 405

    def test_signed_out_users_go_to_the_login_page(self, client, lead, track):
        response = client.post(reverse("leads:nurture-enroll", args=[lead.pk]), {"track": track.pk})
        assert response.status_code == 302 and "/accounts/login/" in response.url


TRACKS = "/api/v1/nurture/tracks/"
ENROLLMENTS = "/api/v1/nurture/enrollments/"


class TestTrackApi:
    def test_it_needs_authentication(self, client):
        assert client.get(TRACKS).status_code == 401
        assert client.get(ENROLLMENTS).status_code == 401

    def test_everyone_signed_in_reads_tracks_with_their_steps(self, api, track, org):
        body = api.as_user(org["owner"]).get(TRACKS).json()
        assert body["count"] == 1
        assert [s["order"] for s in body["results"][0]["steps"]] == [1, 2]

    def test_only_marketing_and_admins_write(self, api, org):
        payload = {"name": "New", "steps": [{"order": 1, "subject": "S", "body": "B"}]}
        assert api.as_user(org["owner"]).post(TRACKS, payload, format="json").status_code == 403
        assert api.as_user(org["mgr"]).post(TRACKS, payload, format="json").status_code == 403
        response = api.as_user(org["marketing"]).post(TRACKS, payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["steps"][0]["subject"] == "S"

    def test_steps_are_replaced_by_order(self, api, track, org):
        client = api.as_user(org["marketing"])
        response = client.patch(f"{TRACKS}{track.pk}/", {"steps": [
            {"order": 1, "subject": "New first", "body": "b"}, {"order": 3, "subject": "Third", "body": "c"}]},
            format="json")
        assert response.status_code == 200, response.json()
        assert list(track.steps.values_list("order", "subject")) == [(1, "New first"), (3, "Third")]

    def test_sent_steps_cannot_be_removed(self, api, track, lead, org):
        send_step(lead, track, org["owner"])
        response = api.as_user(org["marketing"]).patch(
            f"{TRACKS}{track.pk}/", {"steps": [{"order": 2, "subject": "x", "body": "y"}]}, format="json")
        assert response.status_code == 400 and NurtureStep.objects.filter(order=1).exists()

    @pytest.mark.parametrize("payload", [
        {"name": ""},
        {"name": "Dup", "steps": [{"order": 1, "subject": "a", "body": "b"}, {"order": 1, "subject": "c", "body": "d"}]},
        {"name": "Neg", "steps": [{"order": -1, "subject": "a", "body": "b"}]},
        {"name": "Huge", "steps": [{"order": 2**40, "subject": "a", "body": "b"}]},
        {"name": "Url", "steps": [{"order": 1, "subject": "a", "body": "b", "link_url": "javascript:alert(1)"}]},
        {"name": "Welcome"},
        {"name": "Steps", "steps": "nope"},
    ])
    def test_bad_input_is_a_400(self, api, track, org, payload):
        assert api.as_user(org["marketing"]).post(TRACKS, payload, format="json").status_code == 400

    def test_tracks_are_deactivated_not_deleted(self, api, track, org):
        assert api.as_user(org["admin"]).delete(f"{TRACKS}{track.pk}/").status_code == 405


class TestEnrollmentApi:
    def test_a_rep_enrolls_their_lead_idempotently(self, api, lead, track, org):
        client = api.as_user(org["owner"])
        first = client.post(ENROLLMENTS, {"lead": lead.pk, "track": track.pk}, format="json")
        again = client.post(ENROLLMENTS, {"lead": lead.pk, "track": track.pk}, format="json")
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["id"] == again.json()["id"] and first.json()["status"] == "active"

    def test_enrollments_are_scoped_to_visible_leads(self, api, lead, track, org):
        mine = nurture.nurture_enroll(lead=lead, track=track, by=org["owner"])
        theirs = nurture.nurture_enroll(lead=LeadFactory(owner=org["outsider"]), track=track, by=org["outsider"])
        nurture.nurture_send_due(now=timezone.now())
        ids = lambda user: {e["id"] for e in api.as_user(user).get(ENROLLMENTS).json()["results"]}  # noqa: E731
        assert ids(org["owner"]) == {mine.pk}
        assert ids(org["outsider"]) == {theirs.pk}
        assert ids(org["marketing"]) == ids(org["admin"]) == {mine.pk, theirs.pk}
        assert api.as_user(org["owner"]).get(f"{ENROLLMENTS}{theirs.pk}/").status_code == 404
        sends = api.as_user(org["owner"]).get(f"{ENROLLMENTS}{mine.pk}/").json()["sends"]
        assert sends[0]["step_order"] == 1 and "token" not in sends[0]

    def test_others_leads_are_invalid_input(self, api, lead, track, org):
        response = api.as_user(org["outsider"]).post(ENROLLMENTS, {"lead": lead.pk, "track": track.pk}, format="json")
        assert response.status_code == 400 and "lead" in response.json()

    def test_marketing_enrolls_any_lead_but_a_teammate_cannot(self, api, lead, track, org):
        payload = {"lead": lead.pk, "track": track.pk}
        assert api.as_user(org["teammate"]).post(ENROLLMENTS, payload, format="json").status_code == 400
        assert api.as_user(org["marketing"]).post(ENROLLMENTS, payload, format="json").status_code == 201

    def test_a_top_grade_lead_is_a_400_with_a_message(self, api, lead, track, org):
        lead.grade = "MQL"
        lead.save()
        response = api.as_user(org["owner"]).post(ENROLLMENTS, {"lead": lead.pk, "track": track.pk}, format="json")
        assert response.status_code == 400 and "top grade" in str(response.json())

    @pytest.mark.parametrize("payload", [{}, {"lead": "x", "track": 1}, {"lead": 2**70, "track": 1},
                                         {"lead": None, "track": None}])
    def test_bad_input_is_a_400(self, api, lead, track, org, payload):
        assert api.as_user(org["owner"]).post(ENROLLMENTS, payload, format="json").status_code == 400

    def test_filters_validate(self, api, lead, track, org):
        client = api.as_user(org["owner"])
        assert client.get(ENROLLMENTS, {"status": "bogus"}).status_code == 400
        assert client.get(ENROLLMENTS, {"lead": "x"}).status_code == 400
        assert client.get(ENROLLMENTS, {"status": "active", "track": track.pk}).status_code == 200


def test_the_schema_documents_the_nurture_api(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert {TRACKS, ENROLLMENTS, "/api/v1/reports/lead-quality/"} <= set(paths)


def test_a_stopped_enrollment_shows_on_the_page(client, lead, track, org):
    enrollment = nurture.nurture_enroll(lead=lead, track=track, by=org["owner"])
    nurture.nurture_stop(enrollment_ids=[enrollment.pk])
    client.force_login(org["mgr"])
    body = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Stopped" in body  # the manager sees the team lead's nurture history


def test_the_admin_pages_work(client, lead, track, org):
    send = send_step(lead, track, org["owner"])
    client.force_login(org["admin"])
    for name, args in [("admin:leads_nurturetrack_changelist", []), ("admin:leads_nurturetrack_change", [track.pk]),
                       ("admin:leads_nurtureenrollment_changelist", []),
                       ("admin:leads_nurturesend_changelist", []), ("admin:leads_nurturesend_change", [send.pk])]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    assert client.get(reverse("admin:leads_nurturesend_add")).status_code == 403
    response = client.post(reverse("admin:leads_nurtureenrollment_changelist"), {
        "action": "stop_selected", "_selected_action": [send.enrollment_id]})
    assert response.status_code == 302
    assert NurtureEnrollment.objects.get(pk=send.enrollment_id).status == "stopped"


def test_a_patch_with_incomplete_steps_is_a_400_not_a_500(api, org):
    from leads.models import NurtureTrack
    client = api.as_user(org["marketing"])
    created = client.post("/api/v1/nurture/tracks/", {"name": "Patch me", "steps": [
        {"order": 1, "delay_days": 0, "subject": "Hi", "body": "Hello {{ name }}"}]}, format="json")
    assert created.status_code == 201, created.json()
    response = client.patch(f"/api/v1/nurture/tracks/{created.json()['id']}/", {"steps": [{"subject": "x"}]},
                            format="json")
    assert response.status_code == 400 and "steps" in response.json()
    assert NurtureTrack.objects.get(pk=created.json()["id"]).steps.get().subject == "Hi"
