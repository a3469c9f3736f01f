"""Nurture service: enrolment rules, due sends (consent, retries, completion), top-grade stop, clicks."""
from datetime import datetime, timedelta, timezone as dt_timezone
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from leads.models import LeadEvent, NurtureEnrollment, NurtureSend, NurtureStep, NurtureTrack
from leads.services import nurture
from leads.tasks import nurture_send_due_task
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=dt_timezone.utc)


@pytest.fixture
def track(db):
    track = NurtureTrack.objects.create(name="Welcome")
    NurtureStep.objects.create(track=track, order=1, delay_days=0, subject="Hi {{ name }}",
                               body="Dear {{name}} at {{ company }}, read {{ link }} now.",
                               link_url="https://example.com/guide")
    NurtureStep.objects.create(track=track, order=2, delay_days=2, subject="Step two", body="Two {{ link }}")
    NurtureStep.objects.create(track=track, order=5, delay_days=5, subject="Last", body="Bye {{ name }}")
    return track


@pytest.fixture
def lead(org):
    return LeadFactory(owner=org["owner"], name="Ada Lovelace", company="Engines Ltd", email="ada@example.com",
                       consent=True)


def enroll(lead, track, by, now=NOW):
    return nurture.nurture_enroll(lead=lead, track=track, by=by, now=now)


class TestEnroll:
    def test_it_enrolls_a_lead_below_the_top_grade_due_at_the_first_step(self, lead, track, org):
        enrollment = enroll(lead, track, org["owner"])
        assert enrollment.status == "active" and enrollment.next_step == 1 and enrollment.next_due_at == NOW

    def test_it_is_idempotent_per_lead_and_track(self, lead, track, org):
        first = enroll(lead, track, org["owner"])
        assert enroll(lead, track, org["marketing"]).pk == first.pk
        assert NurtureEnrollment.objects.count() == 1

    def test_it_refuses_a_lead_at_the_top_grade_with_a_translated_message(self, lead, track, org):
        assert nurture.nurture_top_grade() == "MQL"  # the default published rule set
        lead.grade = "MQL"
        lead.save()
        with pytest.raises(ValidationError, match="top grade"):
            enroll(lead, track, org["owner"])
        from django.utils import translation
        with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
            enroll(lead, track, org["owner"])
        assert exc.value.messages  # translated text if the catalogue has it; never an exception
        assert not NurtureEnrollment.objects.exists()

    def test_lower_grades_may_enroll(self, lead, track, org):
        lead.grade = "SQL"
        lead.save()
        assert enroll(lead, track, org["owner"]).pk

    def test_inactive_tracks_and_empty_tracks_are_refused(self, lead, track, org):
        track.is_active = False
        track.save()
        with pytest.raises(ValidationError):
            enroll(lead, track, org["owner"])
        empty = NurtureTrack.objects.create(name="Empty")
        with pytest.raises(ValidationError):
            enroll(lead, empty, org["owner"])

    def test_only_users_who_can_change_the_lead_or_marketing_enroll(self, lead, track, org):
        for user in (org["teammate"], org["outsider"], org["other_mgr"]):
            with pytest.raises(PermissionDenied):
                enroll(lead, track, user)
        for user in (org["mgr"], org["marketing"], org["admin"]):
            assert enroll(lead, track, user)


class TestSendDue:
    def test_it_emails_the_step_with_the_placeholders_filled(self, lead, track, org):
        enroll(lead, track, org["owner"])
        with override_settings(SALESOPS_BASE_URL="https://crm.example.com/"):
            result = nurture.nurture_send_due(now=NOW)
        assert result.sent == 1 and len(mail.outbox) == 1
        send = NurtureSend.objects.get()
        message = mail.outbox[0]
        assert message.to == ["ada@example.com"] and message.subject == "Hi Ada Lovelace"
        assert message.body == (f"Dear Ada Lovelace at Engines Ltd, read https://crm.example.com/n/c/{send.token}/ now.")
        assert message.from_email == settings.DEFAULT_FROM_EMAIL
        assert "{{" not in message.body and send.status == "sent"

    def test_it_advances_to_the_next_step_by_its_delay_then_completes(self, lead, track, org):
        enrollment = enroll(lead, track, org["owner"])
        nurture.nurture_send_due(now=NOW)
        enrollment.refresh_from_db()
        assert enrollment.next_step == 2 and enrollment.next_due_at == NOW + timedelta(days=2)
        assert nurture.nurture_send_due(now=NOW + timedelta(days=1)).sent == 0  # not due yet
        nurture.nurture_send_due(now=NOW + timedelta(days=2))
        enrollment.refresh_from_db()
        assert enrollment.next_step == 5 and enrollment.next_due_at == NOW + timedelta(days=7)
        result = nurture.nurture_send_due(now=NOW + timedelta(days=7))
        enrollment.refresh_from_db()
        assert result.completed == 1 and enrollment.status == "completed" and enrollment.next_due_at is None
        assert [m.subject for m in mail.outbox] == ["Hi Ada Lovelace", "Step two", "Last"]
        assert nurture.nurture_send_due(now=NOW + timedelta(days=30)).sent == 0

    @pytest.mark.parametrize("fields", [{"consent": False}, {"do_not_email": True}, {"email": ""}])
    def test_consent_is_honoured_skipped_and_no_email(self, lead, track, org, fields):
        for name, value in fields.items():
            setattr(lead, name, value)
        lead.save()
        enrollment = enroll(lead, track, org["owner"])
        result = nurture.nurture_send_due(now=NOW)
        assert result.skipped == 1 and result.sent == 0 and mail.outbox == []
        assert NurtureSend.objects.get().status == "skipped"
        enrollment.refresh_from_db()
        assert enrollment.next_step == 2  # the track goes on; later steps are checked again

    def test_a_retried_run_sends_nothing_twice(self, lead, track, org):
        enroll(lead, track, org["owner"])
        nurture.nurture_send_due(now=NOW)
        nurture.nurture_send_due(now=NOW)  # the task is retried with the same clock
        nurture.nurture_send_due(now=NOW + timedelta(minutes=10))  # and beat fires again
        assert len(mail.outbox) == 1 and NurtureSend.objects.count() == 1

    def test_a_step_already_recorded_is_never_emailed_again(self, lead, track, org):
        """A run killed after recording the send (or a racing worker) left the step recorded."""
        enrollment = enroll(lead, track, org["owner"])
        NurtureSend.objects.create(enrollment=enrollment, step=track.steps.get(order=1), status="sent", token="t1")
        nurture.nurture_send_due(now=NOW)
        assert mail.outbox == [] and NurtureSend.objects.count() == 1
        enrollment.refresh_from_db()
        assert enrollment.next_step == 2

    def test_a_failed_smtp_call_is_logged_and_not_retried(self, lead, track, org):
        enroll(lead, track, org["owner"])
        with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")):
            result = nurture.nurture_send_due(now=NOW)
        assert result.failed == 1 and NurtureSend.objects.count() == 1
        assert nurture.nurture_send_due(now=NOW).sent == 0 and mail.outbox == []

    def test_inactive_tracks_pause(self, lead, track, org):
        enroll(lead, track, org["owner"])
        NurtureTrack.objects.filter(pk=track.pk).update(is_active=False)
        assert nurture.nurture_send_due(now=NOW).sent == 0 and mail.outbox == []

    def test_it_sends_every_due_enrollment_set_based(self, track, org):
        leads = [LeadFactory(owner=org["owner"], consent=True) for _ in range(4)]
        for lead in leads:
            enroll(lead, track, org["owner"])
        assert nurture.nurture_send_due(now=NOW).sent == 4
        assert sorted(m.to[0] for m in mail.outbox) == sorted(lead.email for lead in leads)


class TestTopGradeStop:
    def test_leads_that_reach_the_top_grade_stop_their_nurture(self, lead, track, org):
        enrollment = enroll(lead, track, org["owner"])
        other = LeadFactory(owner=org["owner"], consent=True)
        other_enrollment = enroll(other, track, org["owner"])
        lead.grade = "MQL"
        lead.save()
        result = nurture.nurture_send_due(now=NOW)
        enrollment.refresh_from_db()
        other_enrollment.refresh_from_db()
        assert result.stopped == 1 and enrollment.status == "stopped" and enrollment.next_due_at is None
        assert other_enrollment.status == "active" and [m.to for m in mail.outbox] == [[other.email]]

    def test_stop_is_set_based(self, track, org, django_assert_max_num_queries):
        leads = [LeadFactory(owner=org["owner"]) for _ in range(3)]
        for lead in leads:
            enroll(lead, track, org["owner"])
        from leads.models import Lead
        Lead.objects.update(grade="MQL")
        with django_assert_max_num_queries(2):
            assert nurture.nurture_stop_for_top_grade() == 3


class TestClick:
    @pytest.fixture
    def send(self, lead, track, org):
        enroll(lead, track, org["owner"])
        nurture.nurture_send_due(now=NOW)
        return NurtureSend.objects.get()

    def test_a_click_records_one_email_click_event_and_queues_one_rescore(self, send):
        with mock.patch("leads.services.scoring.lead_queue_rescore") as rescore:
            nurture.nurture_record_click(token=send.token, now=NOW + timedelta(hours=1))
            nurture.nurture_record_click(token=send.token, now=NOW + timedelta(hours=2))
        send.refresh_from_db()
        assert send.clicked_at == NOW + timedelta(hours=1)
        event = LeadEvent.objects.get()
        assert event.event_type.code == "email_click" and event.external_id == f"nurture-click-{send.token}"
        assert event.lead_id == send.enrollment.lead_id and event.occurred_at == NOW + timedelta(hours=1)
        rescore.assert_called_once_with(lead_id=send.enrollment.lead_id, reason="event")

    def test_the_rescore_runs_after_commit(self, send, django_capture_on_commit_callbacks):
        with mock.patch("leads.tasks.lead_rescore_task.apply_async") as send_task, \
                django_capture_on_commit_callbacks(execute=True):
            nurture.nurture_record_click(token=send.token)
        send_task.assert_called_once_with(args=(send.enrollment.lead_id, "event"), kwargs={}, retry=False, ignore_result=True)

    def test_an_unknown_token_is_none(self, send):
        assert nurture.nurture_record_click(token="nope") is None
        assert nurture.nurture_record_click(token="x" * 500) is None
        assert not LeadEvent.objects.exists()


class TestTask:
    def test_the_task_calls_the_service(self):
        with mock.patch("leads.services.nurture.nurture_send_due") as service:
            service.return_value = nurture.SendResult(sent=2)
            assert nurture_send_due_task() == {"sent": 2, "skipped": 0, "completed": 0, "stopped": 0, "failed": 0}
        assert service.call_args.kwargs["now"] is not None

    def test_beat_runs_it_every_ten_minutes(self):
        entry = settings.CELERY_BEAT_SCHEDULE["leads-nurture-send-due"]
        assert entry["task"] == "leads.tasks.nurture_send_due_task"
        assert entry["schedule"].minute == set(range(0, 60, 10))


def test_render_fills_only_known_placeholders(org):
    lead = LeadFactory.build(name="Bo", company="")
    assert nurture.nurture_render(text="{{ name }}|{{company}}|{{ link }}|{{ other }}", lead=lead, link="L") == \
        "Bo||L|{{ other }}"


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="row locks need PostgreSQL (SQLite serialises writers anyway)")
@pytest.mark.django_db(transaction=True)  # conftest re-installs the migrations' event types
def test_concurrent_runs_never_email_a_step_twice(org, track):
    """Two workers at once (beat overlap, a redelivered task): SKIP LOCKED splits the work."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    for _ in range(6):
        nurture.nurture_enroll(lead=LeadFactory(owner=org["owner"], consent=True), track=track, by=org["owner"],
                               now=NOW)

    def run(_):
        try:
            return nurture.nurture_send_due(now=NOW).sent
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=3) as pool:
        sent = sum(pool.map(run, range(3)))
    assert sent == 6 and len(mail.outbox) == 6 and NurtureSend.objects.count() == 6
