"""The training and awards demo: course, exam, certification for reps, one certificate expiring soon,
a failed attempt, the best newcomer, a nomination. A second run adds nothing."""
from datetime import date

import pytest

from teams import exams
from teams.demo import seed_organisation
from teams.demo_training import seed_training
from teams.models import Award, CertificationGrant, Course, Exam, ExamAttempt, Nomination
from tests.teams.test_awards import fake_quota  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)


def test_the_demo_is_complete_and_idempotent(fake_quota):  # noqa: F811
    people = seed_organisation(today=TODAY)
    fake_quota.update({people["rep.ortiz"].pk: 120.0, people["rep.sun"].pk: 90.0})
    seed_training(today=TODAY)
    counts = [m.objects.count() for m in (Course, Exam, ExamAttempt, CertificationGrant, Award, Nomination)]
    assert counts == [1, 1, 5, 4, 2, 1]  # best newcomer of this month and last month
    seed_training(today=TODAY)
    assert [m.objects.count() for m in (Course, Exam, ExamAttempt, CertificationGrant, Award, Nomination)] == counts
    exam = Exam.objects.get()
    exams.validate_questions(exam.questions)
    chen = CertificationGrant.objects.get(user__username="rep.chen")
    assert exams.certification_status(chen.expires_on, TODAY, warn_days=30) == exams.EXPIRING
    assert set(Award.objects.values_list("user__username", flat=True)) == {"rep.ortiz"}
