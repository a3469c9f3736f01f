"""Issue 7: deleting a lead never deletes the record of the nurture emails it was sent. The sends stay with
their enrolment emptied, the lead's id and address kept; the sender goes on for the other leads."""
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from leads.models import Lead, LeadAudit, LeadEvent, NurtureEnrollment, NurtureSend
from leads.services import lead_delete, leads_delete, nurture
from tests.leads.factories import LeadFactory

from .test_nurture import NOW, enroll, lead, track  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(lead, track, org):  # noqa: F811
    """`lead` got step 1; `other` (no consent) had step 1 skipped; both are due for step 2 in two days."""
    other = LeadFactory(owner=org["owner"], name="Grace", email="grace@example.com", consent=False)
    enroll(lead, track, org["owner"])
    enroll(other, track, org["owner"])
    result = nurture.nurture_send_due(now=NOW)
    assert (result.sent, result.skipped, len(mail.outbox)) == (1, 1, 1)
    return lead, other


def test_the_send_outlives_the_lead_with_its_id_address_and_step(sent, track, org):  # noqa: F811
    ada, other = sent
    send = NurtureSend.objects.get(lead_ref=ada.pk)
    assert (send.email, send.enrollment.lead_id) == ("ada@example.com", ada.pk)
    entry = lead_delete(lead=ada, by=org["admin"], reason="duplicate")
    assert not Lead.objects.filter(pk=ada.pk).exists()
    assert not NurtureEnrollment.objects.filter(lead_id=ada.pk).exists()  # the plan goes, the record stays
    send.refresh_from_db()
    assert (send.enrollment_id, send.lead_ref, send.email, send.step.order, send.status) == (
        None, ada.pk, "ada@example.com", 1, "sent")
    assert send.is_orphaned
    assert (entry.lead_id, entry.details["nurture_sends_kept"]) == (send.lead_ref, 1)
    kept_for_other = NurtureSend.objects.get(lead_ref=other.pk)
    assert (kept_for_other.enrollment.lead_id, kept_for_other.status) == (other.pk, "skipped")


def test_the_sender_goes_on_for_the_other_leads_and_never_resends(sent, track, org):  # noqa: F811
    ada, other = sent
    other.consent = True
    other.save()
    lead_delete(lead=ada, by=org["admin"])
    mail.outbox.clear()
    result = nurture.nurture_send_due(now=NOW + timedelta(days=2))
    assert (result.sent, result.skipped, result.failed) == (1, 0, 0)
    assert [m.to for m in mail.outbox] == [["grace@example.com"]]
    assert NurtureSend.objects.filter(lead_ref=other.pk).count() == 2
    assert nurture.nurture_send_due(now=NOW + timedelta(days=2)).sent == 0  # a retry claims nothing twice
    assert NurtureSend.objects.filter(enrollment__isnull=True).count() == 1  # the deleted lead's one email


def test_a_sent_step_stays_protected_after_its_lead_is_deleted(sent, track, org):  # noqa: F811
    ada, other = sent
    leads_delete(lead_ids=[ada.pk, other.pk], by=org["admin"])
    assert NurtureSend.objects.filter(enrollment__isnull=True).count() == 2
    assert sorted(LeadAudit.objects.values_list("details__nurture_sends_kept", flat=True)) == [1, 1]
    with pytest.raises(ValidationError, match="already sent cannot be removed"):
        nurture.nurture_track_save(by=org["admin"], track=track, steps=[{"order": 2}, {"order": 5}])
    assert track.steps.filter(order=1).exists()


def test_a_click_on_a_deleted_leads_email_is_recorded_without_an_event(client, sent, org):
    ada, _other = sent
    send = NurtureSend.objects.get(lead_ref=ada.pk)
    lead_delete(lead=ada, by=org["admin"])
    response = client.get(reverse("nurture-click", kwargs={"token": send.token}))
    assert response.status_code == 302 and response["Location"] == "https://example.com/guide"
    send.refresh_from_db()
    assert send.clicked_at is not None and not LeadEvent.objects.exists()


def test_api_and_admin_deletion_keep_the_sends_and_the_admin_lists_them(api, client, sent, org):
    ada, other = sent
    assert api.as_user(org["admin"]).delete(f"/api/v1/leads/{ada.pk}/").status_code == 204
    client.force_login(org["admin"])
    response = client.post(reverse("admin:leads_lead_delete", args=[other.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Lead.objects.exists()
    assert NurtureSend.objects.filter(enrollment__isnull=True).count() == 2
    listing = client.get(reverse("admin:leads_nurturesend_changelist"))
    assert listing.status_code == 200
    assert f"Deleted lead #{ada.pk}" in listing.content.decode() and "grace@example.com" in listing.content.decode()
    send = NurtureSend.objects.get(lead_ref=ada.pk)
    assert client.get(reverse("admin:leads_nurturesend_delete", args=[send.pk])).status_code == 403
