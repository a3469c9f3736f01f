"""Training pages and API: scoping (own / team / all), taking an exam in the browser form and by
API, bad input (400, nothing written), permissions, constant query counts, admin through services."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from teams.models import CertificationGrant, Course, ExamAttempt
from tests.teams.factories import UserFactory
from tests.teams.training_fixtures import RIGHT, THREE_RIGHT, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(org):
    course, exam, cert = make_course(cooldown_hours=0)
    now = timezone.now()
    for user, passed in ((org["owner"], True), (org["teammate"], False), (org["outsider"], True)):
        attempt = ExamAttempt.objects.create(exam=exam, user=user, score=100 if passed else 40, passed=passed,
                                             taken_at=now)
        if passed:
            CertificationGrant.objects.create(certification=cert, user=user, granted_on=date.today(),
                                              expires_on=date.today() + timedelta(days=10), attempt=attempt)
    return {**org, "course": course, "exam": exam, "cert": cert}


def usernames(body):
    return sorted(row["user"] for row in body["results"])


class TestApiScope:
    @pytest.mark.parametrize("who, expected", [("owner", ["owner"]), ("mgr", ["owner", "teammate"]),
                                               ("outsider", ["outsider"]),
                                               ("admin", ["outsider", "owner", "teammate"])])
    def test_attempts_are_scoped(self, api, training, who, expected):
        body = api.as_user(training[who]).get("/api/v1/exam-attempts/").json()
        assert usernames(body) == sorted(training[name].pk for name in expected)

    def test_certifications_are_scoped_and_carry_their_status(self, api, training):
        body = api.as_user(training["mgr"]).get("/api/v1/certifications/").json()
        assert [(r["user"], r["status"]) for r in body["results"]] == [(training["owner"].pk, "expiring")]
        other = api.as_user(training["owner"]).get(f"/api/v1/certifications/?user={training['outsider'].pk}")
        assert other.json()["results"] == []

    def test_courses_and_exams_never_show_the_right_answers(self, api, training):
        client = api.as_user(training["owner"])
        course = client.get("/api/v1/courses/").json()["results"][0]
        assert course["exams"][0]["question_count"] == 5
        exam = client.get(f"/api/v1/exams/{training['exam'].pk}/").json()
        assert exam["questions"][2] == {"text": "Q3", "choices": ["a", "b", "c", "d"], "multiple": True}
        assert "correct" not in str(exam)


class TestApiSubmit:
    def test_a_rep_takes_the_exam(self, api, org):
        _course, exam, cert = make_course()
        response = api.as_user(org["owner"]).post(f"/api/v1/exams/{exam.pk}/submit/", {"answers": RIGHT},
                                                  format="json")
        assert response.status_code == 201
        assert (response.json()["score"], response.json()["passed"]) == ("100.0", True)
        assert CertificationGrant.objects.filter(user=org["owner"], certification=cert).exists()

    @pytest.mark.parametrize("body", [{}, {"answers": "x"}, {"answers": [[99]]}, {"answers": [[0, 1]]},
                                      {"answers": [[0]] * 6}, {"answers": [["a"]]}, {"answers": [[-1]]}])
    def test_bad_answers_answer_400_and_write_nothing(self, api, org, body):
        _course, exam, _cert = make_course()
        response = api.as_user(org["owner"]).post(f"/api/v1/exams/{exam.pk}/submit/", body, format="json")
        assert response.status_code == 400
        assert not ExamAttempt.objects.exists()

    def test_a_retake_too_soon_answers_400(self, api, org):
        _course, exam, _cert = make_course(cooldown_hours=24)
        client = api.as_user(org["owner"])
        assert client.post(f"/api/v1/exams/{exam.pk}/submit/", {"answers": THREE_RIGHT}, format="json").status_code \
            == 201
        again = client.post(f"/api/v1/exams/{exam.pk}/submit/", {"answers": RIGHT}, format="json")
        assert again.status_code == 400 and "retake" in str(again.json())
        assert ExamAttempt.objects.count() == 1

    def test_an_unknown_or_closed_exam_is_404(self, api, org):
        _course, exam, _cert = make_course()
        exam.is_active = False
        exam.save()
        client = api.as_user(org["owner"])
        assert client.post(f"/api/v1/exams/{exam.pk}/submit/", {"answers": RIGHT}, format="json").status_code == 404
        assert client.post("/api/v1/exams/999999/submit/", {"answers": RIGHT}, format="json").status_code == 404

    def test_anonymous_is_401(self, api, org):
        assert api.get("/api/v1/courses/").status_code == 401

    def test_lists_use_a_constant_number_of_queries(self, api, training, django_assert_max_num_queries):
        for n in range(5):
            make_course(title=f"Course {n}")
            UserFactory(username=f"extra{n}", team=training["east"])
        client = api.as_user(training["admin"])
        for url in ("/api/v1/courses/", "/api/v1/exams/", "/api/v1/exam-attempts/", "/api/v1/certifications/",
                    "/api/v1/awards/"):
            with django_assert_max_num_queries(10):
                assert client.get(url).status_code == 200


class TestPages:
    def test_a_rep_takes_the_exam_in_the_browser(self, client, org):
        course, exam, cert = make_course()
        client.force_login(org["owner"])
        assert client.get(reverse("teams:courses")).status_code == 200
        assert b"Take the exam" in client.get(reverse("teams:course-detail", args=[course.pk])).content
        form = client.get(reverse("teams:exam-take", args=[exam.pk]))
        assert form.status_code == 200 and b'type="checkbox"' in form.content and b'type="radio"' in form.content
        response = client.post(reverse("teams:exam-take", args=[exam.pk]),
                               {"q0": "0", "q1": "1", "q2": ["0", "2"], "q3": "1", "q4": "0"}, follow=True)
        assert response.status_code == 200 and b"Passed with 100.0" in response.content
        assert CertificationGrant.objects.filter(user=org["owner"], certification=cert).exists()
        mine = client.get(reverse("teams:my-certifications"))
        assert b'data-status="valid"' in mine.content

    def test_a_failed_attempt_says_so_and_a_bad_choice_is_a_form_error(self, client, org):
        _course, exam, _cert = make_course(cooldown_hours=0)
        client.force_login(org["owner"])
        response = client.post(reverse("teams:exam-take", args=[exam.pk]), {"q0": "1"}, follow=True)
        assert b"Not passed" in response.content
        bad = client.post(reverse("teams:exam-take", args=[exam.pk]), {"q0": "7"})
        assert bad.status_code == 400 and ExamAttempt.objects.count() == 1

    def test_the_team_matrix_is_for_managers(self, client, training):
        client.force_login(training["owner"])
        assert client.get(reverse("teams:team-certifications")).status_code == 403
        client.force_login(training["mgr"])
        page = client.get(reverse("teams:team-certifications"))
        assert page.status_code == 200
        assert page.context["share"] == 50.0 and (page.context["valid"], page.context["required"]) == (1, 2)
        assert b'data-person="%d"' % training["outsider"].pk not in page.content
        assert b'data-status="expiring"' in page.content and b'data-status="missing"' in page.content
        assert client.get(reverse("teams:team-certifications") + "?team=abc").status_code == 200

    def test_retired_courses_are_hidden_from_reps(self, client, org):
        course, _exam, _cert = make_course()
        Course.objects.filter(pk=course.pk).update(is_active=False)
        client.force_login(org["owner"])
        assert client.get(reverse("teams:course-detail", args=[course.pk])).status_code == 404


class TestAdmin:
    def test_a_course_is_created_and_refused_through_the_service(self, client, org):
        client.force_login(org["admin"])
        response = client.post(reverse("admin:teams_course_add"), {
            "title": "Negotiation", "description": "", "kind": "method", "roles": '["rep"]', "material_url": "",
            "material_text": "", "is_active": "on"})
        assert response.status_code == 302 and Course.objects.filter(title="Negotiation").exists()
        bad = client.post(reverse("admin:teams_course_add"), {
            "title": "Bad", "description": "", "kind": "method", "roles": '["pilot"]', "material_url": "",
            "material_text": "", "is_active": "on"})
        assert bad.status_code == 200 and not Course.objects.filter(title="Bad").exists()
        from django.contrib.admin.models import LogEntry

        assert LogEntry.objects.filter(object_repr="Negotiation").count() == 1
        assert client.get(reverse("admin:teams_examattempt_changelist")).status_code == 200
