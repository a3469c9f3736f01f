"""Survey services: sending with personal links, single-use expiring tokens, the one door for answers,
follow-up tasks once per account and reason, health recompute on commit."""
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from customers import services
from customers.models import Activity, SurveyInvitation, SurveyResponse
from customers.services.surveys import LinkNotOpen, survey_invitations_email
from teams.models import User
from tests.customers.factories import AccountFactory, ContactFactory, SurveyFactory
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db



class TestSurveyCreate:
    def test_success_creates_a_survey_with_further_questions(self, success):
        survey = services.survey_create(by=success, name="NPS", kind="nps", question="Recommend us?",
                                        extra_questions=[" Why? "])
        assert survey.extra_questions == ["Why?"]

    def test_a_rep_may_not(self, org):
        with pytest.raises(PermissionDenied):
            services.survey_create(by=org["owner"], name="NPS", kind="nps", question="Q")

    def test_bad_questions_are_a_clear_error(self, success):
        with pytest.raises(ValidationError) as exc:
            services.survey_create(by=success, name="NPS", kind="nps", question="Q", extra_questions="Why?")
        assert "extra_questions" in exc.value.message_dict

    def test_a_sent_survey_keeps_its_kind_and_is_not_deleted(self, success, account):
        survey = SurveyFactory()
        services.survey_send(survey=survey, contact_ids=[ContactFactory(account=account).pk], by=success)
        with pytest.raises(ValidationError):
            services.survey_update(survey=survey, by=success, kind="csat")
        with pytest.raises(ValidationError):
            services.survey_delete(survey=survey, by=success)
        services.survey_update(survey=survey, by=success, is_active=False)
        survey.refresh_from_db()
        assert survey.is_active is False


class TestSurveySend:
    def test_it_mails_a_personal_link_in_the_active_language(self, success, account, django_capture_on_commit_callbacks):
        contact = ContactFactory(account=account, name="Ann", email="ann@example.com")
        no_email = ContactFactory(account=account, email="")
        survey = SurveyFactory(name="Q4 NPS")
        with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
            outcome = services.survey_send(survey=survey, contact_ids=[contact.pk, no_email.pk], by=success)
        invitation = SurveyInvitation.objects.get()
        assert outcome.no_email == [no_email.pk] and outcome.invitations == [invitation]
        assert invitation.status == "sent" and invitation.sent_at and invitation.language == "zh-hans"
        assert invitation.expires_at - invitation.created_at == timedelta(days=30)
        assert len(invitation.token) >= 40
        [email] = mail.outbox
        assert email.to == ["ann@example.com"] and f"/s/{invitation.token}/" in email.body
        assert "Acme" in email.subject and "谢谢" in email.body  # the catalogue has "Thank you"

    def test_an_open_invitation_is_not_sent_twice(self, success, account, django_capture_on_commit_callbacks):
        contact = ContactFactory(account=account)
        survey = SurveyFactory()
        with django_capture_on_commit_callbacks(execute=True):
            services.survey_send(survey=survey, contact_ids=[contact.pk], by=success)
            again = services.survey_send(survey=survey, contact_ids=[contact.pk], by=success)
        assert again.already_invited == [contact.pk] and SurveyInvitation.objects.count() == 1
        assert len(mail.outbox) == 1
        assert survey_invitations_email(invitation_ids=[SurveyInvitation.objects.get().pk]) == 0  # claimed once

    def test_a_hidden_contact_refuses_the_whole_batch(self, success, account, org):
        mine = ContactFactory(account=account)
        theirs = ContactFactory(account=AccountFactory(owner=org["outsider"]))
        with pytest.raises(ValidationError):
            services.survey_send(survey=SurveyFactory(), contact_ids=[mine.pk, theirs.pk], by=success)
        assert not SurveyInvitation.objects.exists()

    def test_reps_do_not_send_and_batches_are_bounded(self, org, success, account):
        with pytest.raises(PermissionDenied):
            services.survey_send(survey=SurveyFactory(), contact_ids=[1], by=org["owner"])
        with pytest.raises(ValidationError):
            services.survey_send(survey=SurveyFactory(), contact_ids=range(1, 202), by=success)
        with pytest.raises(ValidationError):
            services.survey_send(survey=SurveyFactory(), contact_ids=[], by=success)

    def test_an_inactive_survey_is_not_sent(self, success, account):
        with pytest.raises(ValidationError):
            services.survey_send(survey=SurveyFactory(is_active=False),
                                 contact_ids=[ContactFactory(account=account).pk], by=success)

    def test_a_refused_email_marks_the_invitation_failed(self, success, account, django_capture_on_commit_callbacks):
        with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")), \
                django_capture_on_commit_callbacks(execute=True):
            services.survey_send(survey=SurveyFactory(), contact_ids=[ContactFactory(account=account).pk], by=success)
        invitation = SurveyInvitation.objects.get()
        assert invitation.status == "failed" and invitation.error == "down" and invitation.sent_at is None


def _invitation(success, account, **survey):
    outcome = services.survey_send(survey=SurveyFactory(**survey), contact_ids=[ContactFactory(account=account).pk],
                                   by=success, deliver=False)
    return outcome.invitations[0]


class TestSurveyAnswer:
    def test_a_link_takes_one_answer(self, success, account):
        invitation = _invitation(success, account, extra_questions=["Why?"])
        response = services.survey_answer(token=invitation.token, score=9, reason="Great", answers={"Why?": "Fast",
                                                                                                   "Other": "x"})
        invitation.refresh_from_db()
        assert invitation.response == response and invitation.answered_at
        assert (response.score, response.reason, response.answers, response.contact_id) == (
            9, "Great", {"Why?": "Fast"}, invitation.contact_id)
        with pytest.raises(LinkNotOpen) as exc:
            services.survey_answer(token=invitation.token, score=3)
        assert exc.value.state == "answered" and SurveyResponse.objects.count() == 1

    def test_an_expired_or_unknown_link_records_nothing(self, success, account):
        invitation = _invitation(success, account)
        with pytest.raises(LinkNotOpen) as exc:
            services.survey_answer(token=invitation.token, score=9, now=timezone.now() + timedelta(days=31))
        assert exc.value.state == "expired"
        with pytest.raises(LinkNotOpen) as exc:
            services.survey_answer(token="nope", score=9)
        assert exc.value.state == "unknown" and not SurveyResponse.objects.exists()

    def test_an_answer_outside_the_scale_changes_nothing(self, success, account):
        invitation = _invitation(success, account, kind="csat")
        with pytest.raises(ValidationError):
            services.survey_answer(token=invitation.token, score=0)
        invitation.refresh_from_db()
        assert invitation.answered_at is None and not SurveyResponse.objects.exists()


class TestSurveyResponseRecord:
    def test_it_is_idempotent_by_external_id(self, success, account):
        survey = SurveyFactory()
        first, created = services.survey_response_record(survey=survey, account=account, score=8, external_id="x-1",
                                                         by=success)
        again, created_again = services.survey_response_record(survey=survey, account=account, score=2,
                                                               external_id="x-1", by=success)
        assert created and not created_again and again == first and again.score == 8
        assert SurveyResponse.objects.count() == 1

    def test_it_asks_for_a_health_recompute_on_commit(self, success, account, django_capture_on_commit_callbacks):
        with mock.patch("customers.services.surveys.health_recompute_later") as recompute:
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                services.survey_response_record(survey=SurveyFactory(), account=account, score=9, by=success)
            recompute.assert_not_called()
            for callback in callbacks:
                callback()
        recompute.assert_called_once_with([account.pk])

    def test_an_account_the_user_cannot_see_is_refused(self, success, org):
        with pytest.raises(ValidationError):
            services.survey_response_record(survey=SurveyFactory(), account=AccountFactory(owner=org["outsider"]),
                                            score=9, by=success)

    def test_support_reads_but_does_not_record(self, account):
        with pytest.raises(PermissionDenied):
            services.survey_response_record(survey=SurveyFactory(), account=account, score=9,
                                            by=UserFactory(role=User.Role.SUPPORT))

    def test_future_answers_and_foreign_contacts_are_refused(self, success, account):
        with pytest.raises(ValidationError):
            services.survey_response_record(survey=SurveyFactory(), account=account, score=9, by=success,
                                            responded_at=timezone.now() + timedelta(days=1))
        with pytest.raises(ValidationError):
            services.survey_response_record(survey=SurveyFactory(), account=account, score=9, by=success,
                                            contact=ContactFactory())


def _tasks(account):
    return list(Activity.objects.filter(account=account, kind="task").order_by("pk"))


class TestSurveyFollowup:
    def test_a_detractor_opens_one_task_for_the_success_owner(self, success, account):
        survey = SurveyFactory()
        services.survey_response_record(survey=survey, account=account, score=3, reason="Slow", by=success)
        services.survey_response_record(survey=survey, account=account, score=5, by=success)  # while open: no more
        [task] = _tasks(account)
        assert task.owner == success and task.key == f"survey-followup:{account.pk}:nps-detractor"
        assert "Slow" in task.summary and task.done_at is None
        assert task.due_at.weekday() < 5 and timedelta(days=1) < task.due_at - timezone.now() <= timedelta(days=4)

    def test_promoters_and_passives_open_none(self, success, account):
        for score in (7, 8, 9, 10):
            services.survey_response_record(survey=SurveyFactory(), account=account, score=score, by=success)
        assert _tasks(account) == []

    def test_one_per_reason_a_low_csat_opens_its_own(self, success, account):
        services.survey_response_record(survey=SurveyFactory(), account=account, score=0, by=success)
        services.survey_response_record(survey=SurveyFactory(kind="csat"), account=account, score=2, by=success)
        services.survey_response_record(survey=SurveyFactory(kind="csat"), account=account, score=3, by=success)
        assert [t.key.rsplit(":", 1)[1] for t in _tasks(account)] == ["nps-detractor", "csat-low"]

    def test_after_the_task_is_done_a_new_detractor_opens_a_new_one(self, success, account):
        survey = SurveyFactory()
        services.survey_response_record(survey=survey, account=account, score=1, by=success)
        Activity.objects.filter(account=account).update(done_at=timezone.now())
        response, _ = services.survey_response_record(survey=survey, account=account, score=2, by=success)
        services.survey_response_record(survey=survey, account=account, score=4, by=success)
        tasks = _tasks(account)
        assert len(tasks) == 2 and tasks[1].key.endswith(f":nps-detractor:{response.pk}") and tasks[1].done_at is None

    def test_without_a_success_owner_the_sales_owner_follows_up(self, org, success):
        account = AccountFactory(owner=org["owner"])
        services.survey_response_record(survey=SurveyFactory(), account=account, score=0, by=org["mgr"])
        assert _tasks(account)[0].owner == org["owner"]
