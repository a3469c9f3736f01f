"""Training services: exam attempts, retakes, certificates, expiry reminders; figures and metrics."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from salesops import metrics
from teams.models import CertificationGrant, CertificationReminder, ExamAttempt, Notification, User
from teams.selectors import training as sel
from teams.services.training import certification_reminders_send, exam_submit, training_save
from tests.teams.training_fixtures import FOUR_RIGHT, QUESTIONS, RIGHT, THREE_RIGHT, make_course

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 12, 1, 10, 0))


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class TestExamSubmit:
    def test_passing_records_the_attempt_and_grants_the_certificate(self, org):
        _course, exam, cert = make_course()
        attempt = exam_submit(exam=exam, by=org["owner"], answers=FOUR_RIGHT, now=NOW)
        assert (attempt.score, attempt.passed, attempt.correct) == (Decimal("80.0"), True, 4)
        grant = CertificationGrant.objects.get(user=org["owner"], certification=cert)
        assert (grant.granted_on, grant.expires_on, grant.attempt) == (date(2026, 12, 1), date(2027, 12, 1), attempt)
        assert Notification.objects.filter(recipient=org["owner"], kind="certification_granted").count() == 1

    def test_failing_records_the_attempt_and_grants_nothing(self, org):
        _course, exam, _cert = make_course()
        attempt = exam_submit(exam=exam, by=org["owner"], answers=THREE_RIGHT, now=NOW)
        assert (attempt.score, attempt.passed) == (Decimal("60.0"), False)
        assert not CertificationGrant.objects.exists()

    def test_a_retake_waits_for_the_cool_down_and_stops_after_the_most_attempts(self, org):
        _course, exam, _cert = make_course(max_attempts=2, cooldown_hours=24)
        exam_submit(exam=exam, by=org["owner"], answers=THREE_RIGHT, now=NOW)
        with pytest.raises(ValidationError, match="retake"):
            exam_submit(exam=exam, by=org["owner"], answers=RIGHT, now=NOW + timedelta(hours=23))
        exam_submit(exam=exam, by=org["owner"], answers=THREE_RIGHT, now=NOW + timedelta(hours=24))
        with pytest.raises(ValidationError, match="all 2 attempts"):
            exam_submit(exam=exam, by=org["owner"], answers=RIGHT, now=NOW + timedelta(days=5))
        assert ExamAttempt.objects.filter(user=org["owner"]).count() == 2

    def test_passing_again_renews_the_same_certificate(self, org):
        _course, exam, cert = make_course(cooldown_hours=0)
        exam_submit(exam=exam, by=org["owner"], answers=RIGHT, now=NOW)
        exam_submit(exam=exam, by=org["owner"], answers=RIGHT, now=NOW + timedelta(days=300))
        grant = CertificationGrant.objects.get(user=org["owner"], certification=cert)
        assert grant.expires_on == date(2028, 9, 27)

    def test_bad_answers_are_a_clear_error_and_change_nothing(self, org):
        _course, exam, _cert = make_course()
        with pytest.raises(ValidationError) as error:
            exam_submit(exam=exam, by=org["owner"], answers=[[9]], now=NOW)
        assert "answers" in error.value.message_dict
        assert not ExamAttempt.objects.exists()

    def test_an_inactive_user_or_a_closed_exam_is_refused(self, org):
        _course, exam, _cert = make_course()
        org["owner"].is_active = False
        with pytest.raises(PermissionDenied):
            exam_submit(exam=exam, by=org["owner"], answers=RIGHT, now=NOW)
        exam.is_active = False
        exam.save()
        with pytest.raises(ValidationError):
            exam_submit(exam=exam, by=org["teammate"], answers=RIGHT, now=NOW)


class TestTrainingSave:
    def test_only_admins_create_courses_and_questions_are_checked(self, org):
        with pytest.raises(PermissionDenied):
            training_save(model=sel.Course, by=org["mgr"], title="X")
        course = training_save(model=sel.Course, by=org["admin"], title="X", roles=["rep"])
        with pytest.raises(ValidationError) as error:
            training_save(model=sel.Exam, by=org["admin"], course=course, title="E", questions=[{"text": "?"}])
        assert "questions" in error.value.message_dict
        with pytest.raises(ValidationError):
            training_save(model=sel.Course, by=org["admin"], obj=course, roles=["pilot"])
        exam = training_save(model=sel.Exam, by=org["admin"], course=course, title="E", questions=QUESTIONS)
        assert exam.pass_mark == 80


class TestReminders:
    def grant(self, cert, user, expires_on):
        return CertificationGrant.objects.create(certification=cert, user=user, granted_on=expires_on - timedelta(365),
                                                 expires_on=expires_on)

    def test_reminders_are_sent_at_most_once_per_threshold(self, org, django_capture_on_commit_callbacks):
        _course, _exam, cert = make_course()
        grant = self.grant(cert, org["owner"], date(2026, 12, 31))
        self.grant(cert, org["teammate"], date(2027, 6, 1))  # far away: nothing
        with django_capture_on_commit_callbacks(execute=True):
            assert certification_reminders_send(today=date(2026, 12, 1)) == 1
            assert certification_reminders_send(today=date(2026, 12, 1)) == 0
            assert certification_reminders_send(today=date(2026, 12, 10)) == 0
            assert certification_reminders_send(today=date(2026, 12, 24)) == 1
            assert certification_reminders_send(today=date(2026, 12, 25)) == 0
        assert list(CertificationReminder.objects.filter(grant=grant).order_by("days_before")
                    .values_list("days_before", flat=True)) == [7, 30]
        assert Notification.objects.filter(recipient=org["owner"], kind="certification_expiring").count() == 2
        assert len(mail.outbox) == 2 and "Solution selling" in mail.outbox[0].subject

    def test_a_renewed_certificate_is_reminded_again_before_its_new_expiry(self, org):
        _course, _exam, cert = make_course()
        grant = self.grant(cert, org["owner"], date(2026, 12, 31))
        assert certification_reminders_send(today=date(2026, 12, 1)) == 1
        grant.expires_on = date(2027, 12, 31)
        grant.save()
        assert certification_reminders_send(today=date(2027, 12, 1)) == 1

    def test_a_run_is_bounded(self, org):
        _course, _exam, cert = make_course()
        for user in (org["owner"], org["teammate"], org["outsider"]):
            self.grant(cert, user, date(2026, 12, 20))
        assert certification_reminders_send(today=date(2026, 12, 1), limit=2) == 2
        assert certification_reminders_send(today=date(2026, 12, 1), limit=2) == 1

    def test_the_beat_job_is_scheduled(self):
        from django.conf import settings

        assert settings.CELERY_BEAT_SCHEDULE["teams-certification-reminders-daily"]["task"] == \
            "teams.tasks.certification_reminders_task"


@pytest.fixture
def counted(org):
    """Hand-counted: East (owner, teammate, mgr) and West (outsider). Reps need the certification.
    owner: passed (valid); teammate: failed once, then passed, expired certificate; outsider: failed.
    A second course "Demo skills" for reps: owner attempted it (failed)."""
    _course, exam, cert = make_course(cooldown_hours=0)
    _c2, exam2, _cert2 = make_course(title="Demo skills")
    day = date(2026, 11, 10)
    for user, passed in ((org["owner"], True), (org["teammate"], False), (org["teammate"], True),
                         (org["outsider"], False)):
        ExamAttempt.objects.create(exam=exam, user=user, score=100 if passed else 40, passed=passed, taken_at=at(day))
    ExamAttempt.objects.create(exam=exam2, user=org["owner"], score=0, passed=False, taken_at=at(day))
    CertificationGrant.objects.create(certification=cert, user=org["owner"], granted_on=day,
                                      expires_on=date(2027, 11, 10))
    CertificationGrant.objects.create(certification=cert, user=org["teammate"], granted_on=date(2025, 1, 1),
                                      expires_on=date(2026, 1, 1))
    return org


class TestFigures:
    def test_pass_rates_per_course_and_team(self, counted):
        people = sel.people_in_scope(user=counted["admin"])
        rates = sel.pass_rates(people=people, start=date(2026, 11, 1), end=date(2026, 11, 30))
        by_course = {r["label"]: (r["takers"], r["passed"], r["rate"]) for r in rates["courses"]}
        assert by_course == {"Solution selling": (3, 2, 66.7), "Demo skills": (1, 0, 0.0)}
        by_team = {r["label"]: (r["takers"], r["passed"], r["rate"]) for r in rates["teams"]}
        # East: owner×2 courses + teammate×1 = 3 person-courses, 2 passed; West: 1, 0 passed
        assert by_team == {"East": (3, 2, 66.7), "West": (1, 0, 0.0)}

    def test_a_manager_sees_only_their_teams_pass_rates(self, counted):
        rates = sel.pass_rates(people=sel.people_in_scope(user=counted["mgr"]))
        assert [r["label"] for r in rates["teams"]] == ["East"]

    def test_certified_share_metric(self, counted):
        metric = metrics.get("certified_share")
        period = metrics.Period(date(2026, 12, 1), date(2026, 12, 31))
        # reps needing "Solution selling" and "Demo skills": owner, teammate, outsider -> 6 required;
        # valid: owner's Solution selling only
        org_value = metric.compute(metrics.Scope(counted["admin"]), period)
        assert (org_value.value, org_value.count, org_value.extra["required"]) == (16.7, 1, 6)
        east = metric.compute(metrics.Scope(counted["admin"], team_id=counted["east"].pk), period)
        assert (east.value, east.extra["required"]) == (25.0, 4)
        mine = metric.compute(metrics.Scope(counted["teammate"]), period)
        assert mine.value == 0.0
        assert list(metric.records(metrics.Scope(counted["admin"]), period).values_list("user__username", flat=True)) \
            == ["owner"]

    def test_training_participation_metric(self, counted):
        metric = metrics.get("training_participation")
        period = metrics.Period(date(2026, 11, 1), date(2026, 11, 30))
        # assigned (rep courses): 3 reps x 2 courses = 6; attempted: owner 2, teammate 1, outsider 1
        value = metric.compute(metrics.Scope(counted["admin"]), period)
        assert (value.value, value.count, value.extra["assigned"]) == (66.7, 4, 6)
        rep = metric.compute(metrics.Scope(counted["owner"], owner_id=counted["owner"].pk), period)
        assert rep.value == 100.0
        december = metric.compute(metrics.Scope(counted["admin"]), metrics.Period(date(2026, 12, 1), date(2026, 12, 31)))
        assert december.value == 0.0
        assert metric.records(metrics.Scope(counted["owner"]), period).count() == 2

    def test_a_rep_cannot_widen_the_figures_to_someone_else(self, counted):
        metric = metrics.get("certified_share")
        value = metric.compute(metrics.Scope(counted["outsider"], owner_id=counted["owner"].pk),
                               metrics.Period(None, date(2026, 12, 1)))
        assert value.value is None

    def test_the_certification_matrix_statuses(self, counted):
        rows = sel.certification_rows(people=sel.people_in_scope(user=counted["mgr"]), today=date(2026, 12, 1))
        status = {r["person"].username: [c and c["status"] for c in r["cells"]] for r in rows}
        # certifications by name: Demo skills, Solution selling
        assert status == {"mgr": [None, None], "owner": ["missing", "valid"], "teammate": ["missing", "expired"]}


def test_people_in_scope_for_an_anonymous_user_is_empty():
    from django.contrib.auth.models import AnonymousUser

    assert not sel.people_in_scope(user=AnonymousUser()).exists()
    assert User.objects.count() >= 0


@pytest.mark.parametrize("who", ["admin", "mgr", "owner"])
@pytest.mark.parametrize("code", ["certified_share", "training_participation"])
def test_the_drilldown_page_lists_exactly_the_records(client, counted, who, code):
    metric = metrics.get(code)
    client.force_login(counted[who])
    for scope in (metrics.Scope(counted[who]), metrics.Scope(counted[who], team_id=counted["east"].pk)):
        period = metrics.Period(date(2026, 11, 1), date(2026, 12, 31))
        page = client.get(metric.drilldown_url(scope, period))
        assert page.status_code == 200
        assert page.context["paginator"].count == metric.records(scope, period).count(), (code, who)
