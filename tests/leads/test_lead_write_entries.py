"""Every entry to a lead write — API, HTML pages, admin form, admin actions — goes through the
service: the assignment row, the audit entry, the notification, the 409, the 400 with its message."""
from unittest import mock

import pytest
from django.urls import reverse

from leads.models import Assignment, Lead, LeadAudit, NurtureSend, NurtureStep, NurtureTrack
from leads.services import nurture
from teams.models import Notification
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/leads/"


@pytest.fixture
def lead(org):
    return LeadFactory(owner=org["owner"], phone="1", status="working")


class TestApi:
    def test_patch_status_is_a_400_naming_the_rule(self, api, org, lead):
        for status in ("converted", "new"):
            response = api.as_user(org["owner"]).patch(f"{URL}{lead.pk}/", {"status": status}, format="json")
            assert response.status_code == 400
            assert "only through its actions" in response.json()["status"][0]
        lead.refresh_from_db()
        assert lead.status == "working"

    def test_a_put_carrying_the_current_status_is_fine(self, api, org, lead):
        client = api.as_user(org["owner"])
        body = client.get(f"{URL}{lead.pk}/").json()
        body.update(phone="2", owner=org["owner"].pk)
        response = client.put(f"{URL}{lead.pk}/", body, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["version"] == 2 and response.json()["phone"] == "2"

    def test_a_stale_version_answers_409_and_saves_nothing(self, api, org, lead):
        client = api.as_user(org["owner"])
        assert client.patch(f"{URL}{lead.pk}/", {"phone": "2", "version": 1}, format="json").json()["version"] == 2
        response = client.patch(f"{URL}{lead.pk}/", {"phone": "3", "version": 1}, format="json")
        assert response.status_code == 409
        assert response.json()["version"] == 2 and "changed by someone else" in response.json()["detail"]
        lead.refresh_from_db()
        assert lead.phone == "2"

    def test_a_manager_patching_the_owner_writes_an_assignment_and_notifies(self, api, org, lead):
        response = api.as_user(org["mgr"]).patch(f"{URL}{lead.pk}/", {"owner": org["teammate"].pk}, format="json")
        assert response.status_code == 200 and response.json()["owner"] == org["teammate"].pk
        row = Assignment.objects.get(lead=lead)
        assert (row.rep, row.assigned_by, row.previous_owner) == (org["teammate"], org["mgr"], org["owner"])
        assert Notification.objects.filter(recipient=org["teammate"], kind="lead_assigned").exists()
        assert response.json()["first_touch_due_at"] is not None

    def test_a_rep_cannot_null_the_owner(self, api, org, lead):
        response = api.as_user(org["owner"]).patch(f"{URL}{lead.pk}/", {"owner": None}, format="json")
        assert response.status_code == 400 and "pool" in response.json()["owner"][0]
        lead.refresh_from_db()
        assert lead.owner == org["owner"]

    def test_a_rep_cannot_hand_the_lead_to_a_teammate(self, api, org, lead):
        response = api.as_user(org["owner"]).patch(f"{URL}{lead.pk}/", {"owner": org["teammate"].pk}, format="json")
        assert response.status_code == 400 and "owner" in response.json()
        assert not Assignment.objects.exists()

    def test_creating_as_a_rep_owns_the_lead_with_an_assignment_row(self, api, org):
        response = api.as_user(org["owner"]).post(URL, {"name": "New", "email": "new@example.com"}, format="json")
        assert response.status_code == 201 and response.json()["owner"] == org["owner"].pk
        assert response.json()["status"] == "new" and response.json()["version"] == 2
        assert Assignment.objects.get(lead_id=response.json()["id"]).assigned_by == org["owner"]

    def test_creating_with_a_status_is_refused(self, api, org):
        response = api.as_user(org["owner"]).post(URL, {"name": "New", "status": "converted"}, format="json")
        assert response.status_code == 400 and "status" in response.json()
        assert not Lead.objects.exists()

    def test_disqualify_with_a_reason_is_stored_and_audited(self, api, org, lead):
        client = api.as_user(org["owner"])
        assert client.post(f"{URL}{lead.pk}/disqualify/", {}, format="json").status_code == 400
        response = client.post(f"{URL}{lead.pk}/disqualify/", {"reason": "Student, no budget"}, format="json")
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["disqualified_reason"]) == (
            "disqualified", "Student, no budget")
        assert LeadAudit.objects.get(lead_id=lead.pk).action == "disqualified"

    def test_qualify_and_nurturing_actions(self, api, org, lead):
        client = api.as_user(org["mgr"])
        assert client.post(f"{URL}{lead.pk}/nurturing/", {}, format="json").json()["status"] == "nurturing"
        response = client.post(f"{URL}{lead.pk}/qualify/", {"version": 1}, format="json")
        assert response.status_code == 409 and response.json()["version"] == 2
        assert client.post(f"{URL}{lead.pk}/qualify/", {"version": 2}, format="json").json()["status"] == "qualified"
        assert api.as_user(org["outsider"]).post(f"{URL}{lead.pk}/qualify/").status_code == 404

    def test_delete_goes_through_the_service(self, api, org, lead):
        response = api.as_user(org["owner"]).delete(f"{URL}{lead.pk}/")
        assert response.status_code == 403 and Lead.objects.filter(pk=lead.pk).exists()
        assert api.as_user(org["outsider"]).delete(f"{URL}{lead.pk}/").status_code == 404
        assert api.as_user(org["admin"]).delete(f"{URL}{lead.pk}/").status_code == 204
        entry = LeadAudit.objects.get(lead_id=lead.pk)
        assert (entry.action, entry.by) == ("deleted", org["admin"])

    def test_assign_with_a_stale_version_answers_409(self, api, org, lead):
        client = api.as_user(org["mgr"])
        response = client.post(f"{URL}{lead.pk}/assign/", {"rep": org["teammate"].pk, "version": 7}, format="json")
        assert response.status_code == 409 and response.json()["version"] == 1
        assert not Assignment.objects.exists()


class TestPages:
    def form_data(self, lead, **changes):
        data = {"name": lead.name, "email": lead.email, "phone": lead.phone, "company": lead.company,
                "industry": lead.industry, "company_size": lead.company_size, "region": lead.region,
                "source": lead.source, "owner": lead.owner_id or "", "version": lead.version}
        return {**data, **changes}

    def test_the_edit_form_has_no_status_and_carries_the_version(self, client, org, lead):
        client.force_login(org["owner"])
        body = client.get(reverse("leads:edit", args=[lead.pk])).content.decode()
        assert 'name="version"' in body and 'type="hidden"' in body and 'name="status"' not in body

    def test_a_stale_form_shows_a_message_and_saves_nothing(self, client, org, lead):
        client.force_login(org["owner"])
        Lead.objects.filter(pk=lead.pk).update(version=2, company="Theirs")
        response = client.post(reverse("leads:edit", args=[lead.pk]), self.form_data(lead, phone="2"))
        assert response.status_code == 200 and "changed by someone else" in response.content.decode()
        lead.refresh_from_db()
        assert (lead.phone, lead.company) == ("1", "Theirs")

    def test_a_posted_status_is_ignored(self, client, org, lead):
        client.force_login(org["owner"])
        response = client.post(reverse("leads:edit", args=[lead.pk]),
                               self.form_data(lead, phone="2", status="converted"))
        assert response.status_code == 302
        lead.refresh_from_db()
        assert (lead.phone, lead.status, lead.version) == ("2", "working", 2)

    def test_changing_the_owner_in_the_form_is_an_assignment(self, client, org, lead):
        client.force_login(org["mgr"])
        response = client.post(reverse("leads:edit", args=[lead.pk]), self.form_data(lead, owner=org["teammate"].pk))
        assert response.status_code == 302
        assert Assignment.objects.get(lead=lead).rep == org["teammate"]
        assert Notification.objects.filter(recipient=org["teammate"], kind="lead_assigned").exists()

    def test_a_rep_emptying_the_owner_gets_the_rule(self, client, org, lead):
        client.force_login(org["owner"])
        response = client.post(reverse("leads:edit", args=[lead.pk]), self.form_data(lead, owner=""))
        assert response.status_code == 200 and "pool" in response.content.decode()
        lead.refresh_from_db()
        assert lead.owner == org["owner"]

    def test_the_lead_page_buttons_work(self, client, org, lead):
        client.force_login(org["owner"])
        body = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        assert 'data-action="qualify"' in body and 'data-action="disqualify"' in body
        response = client.post(reverse("leads:qualify", args=[lead.pk]), {"version": 1}, follow=True)
        assert "Lead qualified." in response.content.decode()
        response = client.post(reverse("leads:disqualify", args=[lead.pk]), {"version": 1, "reason": "x"},
                               follow=True)
        assert "changed by someone else" in response.content.decode()
        response = client.post(reverse("leads:disqualify", args=[lead.pk]), {"version": 2, "reason": ""}, follow=True)
        assert "This field is required." in response.content.decode()
        client.post(reverse("leads:disqualify", args=[lead.pk]), {"version": 2, "reason": "Went elsewhere"})
        lead.refresh_from_db()
        assert (lead.status, lead.disqualified_reason) == ("disqualified", "Went elsewhere")
        assert list(LeadAudit.objects.filter(lead_id=lead.pk).order_by("pk").values_list("action", flat=True)) == [
            "qualified", "disqualified"]

    def test_others_get_a_404_on_the_buttons(self, client, org, lead):
        client.force_login(org["outsider"])
        assert client.post(reverse("leads:qualify", args=[lead.pk])).status_code == 404


class TestAdmin:
    def change_data(self, lead, **changes):
        data = {"name": lead.name, "email": lead.email, "phone": lead.phone, "company": lead.company,
                "industry": lead.industry, "company_size": lead.company_size, "region": lead.region,
                "source": lead.source, "job_title": "", "origin": "", "last_activity": "", "external_ref": ""}
        return {**data, **changes}

    def test_the_change_form_saves_through_lead_update(self, client, org, lead):
        client.force_login(org["admin"])
        url = reverse("admin:leads_lead_change", args=[lead.pk])
        body = client.get(url).content.decode()
        assert 'name="owner"' not in body and 'name="status"' not in body and 'name="score"' not in body
        response = client.post(url, self.change_data(lead, phone="2", status="converted", owner=org["admin"].pk,
                                                     score=99))
        assert response.status_code == 302
        lead.refresh_from_db()
        assert (lead.phone, lead.status, lead.owner, lead.score, lead.version) == ("2", "working", org["owner"], 0, 2)

    def test_a_duplicate_email_is_refused_and_nothing_is_saved(self, client, org, lead):
        LeadFactory(owner=org["owner"], email="taken@example.com")
        client.force_login(org["admin"])
        url = reverse("admin:leads_lead_change", args=[lead.pk])
        response = client.post(url, self.change_data(lead, email="TAKEN@example.com", phone="2"))
        assert response.status_code == 200 and "already exists" in response.content.decode()
        lead.refresh_from_db()
        assert (lead.phone, lead.version) == ("1", 1)

    def test_a_stale_version_says_so_and_saves_nothing(self, client, org, lead):
        client.force_login(org["admin"])
        url = reverse("admin:leads_lead_change", args=[lead.pk])
        assert 'name="expected_version"' in client.get(url).content.decode()
        Lead.objects.filter(pk=lead.pk).update(version=2)
        response = client.post(url, self.change_data(lead, phone="2", expected_version=1), follow=True)
        assert "Nothing was saved: This lead was changed by someone else" in response.content.decode()
        lead.refresh_from_db()
        assert (lead.phone, lead.version) == ("1", 2)

    def test_a_refusal_of_the_service_says_so_and_saves_nothing(self, client, org, lead):
        client.force_login(org["admin"])
        url = reverse("admin:leads_lead_change", args=[lead.pk])
        from django.core.exceptions import ValidationError
        with mock.patch("leads.services.lead_update", side_effect=ValidationError("refused by the rule")):
            response = client.post(url, self.change_data(lead, phone="2"), follow=True)
        body = response.content.decode()
        assert "Nothing was saved: refused by the rule" in body and "was changed successfully" not in body
        lead.refresh_from_db()
        assert lead.phone == "1"

    def test_the_assign_action_calls_the_assignment_service(self, client, org, lead):
        client.force_login(org["admin"])
        response = client.post(reverse("admin:leads_lead_changelist"), {
            "action": "assign_to", "_selected_action": [lead.pk], "rep": org["teammate"].pk, "reason": "cover"})
        assert response.status_code == 302
        row = Assignment.objects.get(lead=lead)
        assert (row.rep, row.assigned_by) == (org["teammate"], org["admin"]) and "cover" in row.reason
        assert Notification.objects.filter(recipient=org["teammate"], kind="lead_assigned").exists()

    def test_the_assign_action_without_a_rep_says_so(self, client, org, lead):
        client.force_login(org["admin"])
        response = client.post(reverse("admin:leads_lead_changelist"), {
            "action": "assign_to", "_selected_action": [lead.pk]}, follow=True)
        assert "Choose the person" in response.content.decode() and not Assignment.objects.exists()

    def test_the_disqualify_action_needs_a_reason(self, client, org, lead):
        client.force_login(org["admin"])
        url = reverse("admin:leads_lead_changelist")
        response = client.post(url, {"action": "disqualify_selected", "_selected_action": [lead.pk]}, follow=True)
        assert "Say why" in response.content.decode()
        client.post(url, {"action": "disqualify_selected", "_selected_action": [lead.pk], "reason": "spam"})
        lead.refresh_from_db()
        assert (lead.status, lead.disqualified_reason) == ("disqualified", "spam")
        assert LeadAudit.objects.get(lead_id=lead.pk).action == "disqualified"

    def test_the_qualify_action(self, client, org, lead):
        client.force_login(org["admin"])
        client.post(reverse("admin:leads_lead_changelist"), {"action": "qualify_selected",
                                                              "_selected_action": [lead.pk]})
        lead.refresh_from_db()
        assert lead.status == "qualified" and LeadAudit.objects.get(lead_id=lead.pk).action == "qualified"

    def test_single_and_bulk_delete_are_audited(self, client, org, lead):
        others = LeadFactory.create_batch(2, owner=org["owner"])
        client.force_login(org["admin"])
        response = client.post(reverse("admin:leads_lead_delete", args=[lead.pk]), {"post": "yes"})
        assert response.status_code == 302
        response = client.post(reverse("admin:leads_lead_changelist"), {
            "action": "delete_selected", "_selected_action": [o.pk for o in others], "post": "yes"})
        assert response.status_code == 302
        assert not Lead.objects.exists()
        assert sorted(LeadAudit.objects.filter(action="deleted").values_list("lead_id", flat=True)) == sorted(
            [lead.pk, *[o.pk for o in others]])

    def test_assignments_cannot_be_deleted_in_the_admin(self, client, org, lead):
        from leads.services.routing import lead_assign
        lead_assign(lead=lead, rep=org["teammate"], by=org["mgr"])
        row = Assignment.objects.get()
        client.force_login(org["admin"])
        assert client.get(reverse("admin:leads_assignment_delete", args=[row.pk])).status_code == 403
        response = client.post(reverse("admin:leads_assignment_changelist"), {
            "action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
        assert Assignment.objects.filter(pk=row.pk).exists() and response.status_code in (200, 302)


class TestNurtureStepInline:
    @pytest.fixture
    def sent_track(self, org):
        track = NurtureTrack.objects.create(name="Welcome")
        first = NurtureStep.objects.create(track=track, order=1, subject="One", body="Hi")
        second = NurtureStep.objects.create(track=track, order=2, delay_days=3, subject="Two", body="Again")
        lead = LeadFactory(owner=org["owner"], consent=True)
        nurture.nurture_enroll(lead=lead, track=track, by=org["owner"])
        from django.utils import timezone
        nurture.nurture_send_due(now=timezone.now())
        assert NurtureSend.objects.filter(step=first).exists()
        return track, first, second

    def post_data(self, track, steps, delete=()):
        data = {"name": track.name, "description": "", "is_active": "on",
                "steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": str(len(steps)),
                "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000"}
        for i, step in enumerate(steps):
            data.update({f"steps-{i}-id": step.pk, f"steps-{i}-track": track.pk, f"steps-{i}-order": step.order,
                         f"steps-{i}-delay_days": step.delay_days, f"steps-{i}-subject": step.subject,
                         f"steps-{i}-body": step.body, f"steps-{i}-link_url": ""})
            if step in delete:
                data[f"steps-{i}-DELETE"] = "on"
        return data

    def post(self, client, org, track, steps, delete=()):
        client.force_login(org["admin"])
        return client.post(reverse("admin:leads_nurturetrack_change", args=[track.pk]),
                           self.post_data(track, steps, delete=delete))

    def test_a_sent_step_is_not_deleted(self, client, org, sent_track):
        track, first, second = sent_track
        response = self.post(client, org, track, [first, second], delete=[first])
        assert response.status_code == 200
        assert "protected related objects" in response.content.decode()
        assert NurtureStep.objects.filter(pk=first.pk).exists() and NurtureSend.objects.filter(step=first).exists()

    def test_a_sent_step_is_not_renumbered_away(self, client, org, sent_track):
        track, first, second = sent_track
        first.order = 5
        response = self.post(client, org, track, [first, second])
        assert response.status_code == 200
        assert "already sent cannot be removed" in response.content.decode()
        assert list(track.steps.values_list("order", flat=True)) == [1, 2]

    def test_an_unsent_step_is_deleted_through_the_service(self, client, org, sent_track):
        track, first, second = sent_track
        response = self.post(client, org, track, [first, second], delete=[second])
        assert response.status_code == 302
        assert list(track.steps.values_list("order", flat=True)) == [1]

    def test_the_database_protects_sent_steps(self, sent_track):
        from django.db.models import ProtectedError
        _track, first, _second = sent_track
        with pytest.raises(ProtectedError):
            first.delete()
