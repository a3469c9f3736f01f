"""Onboarding API and pages: status codes, bad input, permissions, constant query counts."""
from datetime import date

import pytest
from django.urls import reverse

from teams.models import OnboardingPlan, OnboardingTemplate
from teams.services.onboarding import onboarding_plan_create, onboarding_task_tick
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db
PLANS, TEMPLATES = "/api/v1/onboarding/plans/", "/api/v1/onboarding/templates/"


@pytest.fixture
def plan(org):
    return onboarding_plan_create(by=org["mgr"], hire=org["owner"], mentor=org["teammate"], start_date=date(2026, 9, 1))


def task_url(plan, task, verb):
    return f"{PLANS}{plan.pk}/tasks/{task.pk}/{verb}/"


class TestPlansApi:
    def test_the_hire_reads_their_plan_others_get_404(self, api, org, plan):
        body = api.as_user(org["owner"]).get(PLANS).json()
        assert [p["id"] for p in body["results"]] == [plan.pk]
        assert body["results"][0]["progress"] == 0 and len(body["results"][0]["tasks"]) == plan.tasks.count()
        assert api.as_user(org["outsider"]).get(f"{PLANS}{plan.pk}/").status_code == 404
        assert api.as_user(org["teammate"]).get(f"{PLANS}{plan.pk}/").status_code == 200  # the mentor

    def test_the_manager_makes_a_plan_others_may_not(self, api, org):
        hire = UserFactory(username="newbie", team=org["east"])
        assert api.as_user(org["other_mgr"]).post(PLANS, {"hire": hire.pk}, format="json").status_code == 403
        response = api.as_user(org["mgr"]).post(PLANS, {"hire": hire.pk, "mentor": org["owner"].pk,
                                                        "start_date": "2026-11-02"}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["mentor"] == org["owner"].pk and response.json()["tasks"][0]["due_on"] >= "2026-11-02"
        again = api.as_user(org["mgr"]).post(PLANS, {"hire": hire.pk}, format="json")
        assert again.status_code == 400 and "hire" in again.json()

    @pytest.mark.parametrize("body", [{"hire": "abc"}, {"hire": 10**12}, {}, {"hire": 1, "start_date": "1500-01-01"},
                                      {"hire": 1, "start_date": "soon"}, {"hire": 1, "mentor": [1]}])
    def test_bad_input_is_a_400_and_changes_nothing(self, api, org, body):
        response = api.as_user(org["mgr"]).post(PLANS, body, format="json")
        assert response.status_code == 400
        assert not OnboardingPlan.objects.exists()

    def test_patch_changes_the_mentor_and_closes(self, api, org, plan):
        client = api.as_user(org["mgr"])
        assert client.patch(f"{PLANS}{plan.pk}/", {"mentor": org["mgr"].pk}, format="json").json()["mentor"] == org["mgr"].pk
        assert client.patch(f"{PLANS}{plan.pk}/", {"closed": True}, format="json").json()["closed_at"]
        assert api.as_user(org["owner"]).patch(f"{PLANS}{plan.pk}/", {"closed": False}, format="json").status_code == 403
        assert client.put(f"{PLANS}{plan.pk}/", {}, format="json").status_code == 405

    def test_tick_and_sign_off(self, api, org, plan):
        task = plan.tasks.get(title="Product training")
        hire, mentor = api.as_user(org["owner"]), None
        assert hire.post(task_url(plan, task, "tick"), {}, format="json").json()["done_at"]
        assert hire.post(task_url(plan, task, "sign-off"), {}, format="json").status_code == 403
        mentor = api.as_user(org["teammate"])
        assert mentor.post(task_url(plan, task, "sign-off"), format="json").json()["signed_off_by"] == org["teammate"].pk
        assert mentor.post(task_url(plan, task, "tick"), {"done": "maybe"}, format="json").status_code == 400

    def test_a_milestone_is_not_ticked_by_hand_and_unknown_tasks_are_404(self, api, org, plan):
        client = api.as_user(org["mgr"])
        milestone = plan.tasks.get(milestone_metric="deals_won")
        response = client.post(task_url(plan, milestone, "tick"), {}, format="json")
        assert response.status_code == 400 and response.json()
        assert client.post(f"{PLANS}{plan.pk}/tasks/999999999999/tick/", {}, format="json").status_code == 404
        other = onboarding_plan_create(by=org["mgr"], hire=org["teammate"])
        foreign = other.tasks.first()
        assert client.post(f"{PLANS}{plan.pk}/tasks/{foreign.pk}/tick/", {}, format="json").status_code == 404

    def test_the_list_has_a_constant_query_count(self, api, org, plan, django_assert_max_num_queries):
        for n in range(4):
            onboarding_plan_create(by=org["admin"], hire=UserFactory(username=f"h{n}", team=org["east"]))
        client = api.as_user(org["admin"])
        with django_assert_max_num_queries(8):
            body = client.get(PLANS).json()
        assert body["count"] == 5


class TestTemplatesApi:
    BODY = {"name": "Short", "description": "Two weeks", "phases": [
        {"title": "Week 1", "steps": [{"title": "Read the handbook", "day_offset": 0, "duration_days": 5,
                                       "kind": "knowing"},
                                      {"title": "First meeting", "day_offset": 3, "duration_days": 10,
                                       "milestone_metric": "meetings_logged", "milestone_threshold": "1"}]}]}

    def test_reps_read_managers_write(self, api, org):
        assert api.as_user(org["owner"]).get(TEMPLATES).status_code == 200
        assert api.as_user(org["owner"]).post(TEMPLATES, self.BODY, format="json").status_code == 403
        response = api.as_user(org["mgr"]).post(TEMPLATES, self.BODY, format="json")
        assert response.status_code == 201, response.content
        steps = response.json()["phases"][0]["steps"]
        assert [s["title"] for s in steps] == ["Read the handbook", "First meeting"]
        assert steps[1]["milestone_metric"] == "meetings_logged"
        pk = response.json()["id"]
        patched = api.as_user(org["mgr"]).patch(f"{TEMPLATES}{pk}/", {"name": "Shorter"}, format="json")
        assert patched.json()["name"] == "Shorter" and len(patched.json()["phases"]) == 1
        assert api.as_user(org["mgr"]).delete(f"{TEMPLATES}{pk}/").status_code == 204
        assert not OnboardingTemplate.objects.filter(pk=pk).exists()

    @pytest.mark.parametrize("step", [{"title": "x", "day_offset": 999}, {"title": "x", "duration_days": 0},
                                      {"title": "x", "milestone_metric": "nonsense"}, {"title": ""},
                                      {"title": "x", "performer": "ceo"}, {"title": "x", "day_offset": "3x"}])
    def test_bad_steps_are_a_400(self, api, org, step):
        body = {"name": "Bad", "phases": [{"title": "P", "steps": [step]}]}
        assert api.as_user(org["mgr"]).post(TEMPLATES, body, format="json").status_code == 400
        assert not OnboardingTemplate.objects.filter(name="Bad").exists()


class TestPages:
    def test_the_hire_sees_their_plan_and_ticks_a_step(self, client, org, plan):
        client.force_login(org["owner"])
        page = client.get(reverse("teams:onboarding-mine"))
        assert page.status_code == 200 and b"Product training" in page.content
        task = plan.tasks.get(title="Product training")
        client.post(reverse("teams:onboarding-task-tick", args=[task.pk]), {"done": "1"})
        task.refresh_from_db()
        assert task.done_at is not None
        client.post(reverse("teams:onboarding-task-sign-off", args=[task.pk]))
        task.refresh_from_db()
        assert task.signed_off_at is None  # the hire may not sign off

    def test_mentees_team_and_figures_pages(self, client, org, plan):
        onboarding_task_tick(task=plan.tasks.get(title="Product training"), by=org["owner"])
        client.force_login(org["teammate"])
        assert f'data-plan="{plan.pk}"'.encode() in client.get(reverse("teams:onboarding-mentees")).content
        listed = client.get(reverse("teams:onboarding-team"))  # a rep: the plans they may read (their mentee's)
        assert listed.status_code == 200 and b"new-plan" not in listed.content
        assert client.get(reverse("teams:onboarding-figures")).status_code == 404
        client.force_login(org["mgr"])
        page = client.get(reverse("teams:onboarding-team"))
        assert f'data-plan="{plan.pk}"'.encode() in page.content and b"new-plan" in page.content
        assert client.get(reverse("teams:onboarding-figures") + "?by=quarter").status_code == 200
        assert client.get(reverse("teams:onboarding-team") + "?first_deal_after=soon").context["paginator"].count == 0
        client.force_login(org["outsider"])
        assert client.get(reverse("teams:onboarding-plan", args=[plan.pk])).status_code == 404

    def test_the_template_editor(self, client, org):
        from teams.services.onboarding import onboarding_default_template_ensure
        template = onboarding_default_template_ensure()
        client.force_login(org["mgr"])
        response = client.post(reverse("teams:onboarding-template", args=[template.pk]), {
            "phase_title": "Month 4", "title": "Coach a newer hire", "day_offset": 90, "duration_days": 10,
            "performer": "hire", "kind": "doing", "milestone_metric": "", "milestone_threshold": ""})
        assert response.status_code == 302
        assert template.phases.get(title="Month 4").steps.get().title == "Coach a newer hire"
        client.force_login(org["owner"])
        assert client.post(reverse("teams:onboarding-template", args=[template.pk]), {}).status_code == 403

    def test_the_manager_makes_a_plan_on_the_team_page(self, client, org):
        hire = UserFactory(username="fresh", team=org["east"])
        client.force_login(org["mgr"])
        response = client.post(reverse("teams:onboarding-plan-create"), {"hire": hire.pk, "mentor": org["owner"].pk})
        plan = OnboardingPlan.objects.get(hire=hire)
        assert response.status_code == 302 and plan.mentor == org["owner"]


def test_the_plans_page_has_a_constant_query_count(client, org):
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("teams:onboarding-team")).status_code == 200
        return len(queries)

    client.force_login(org["admin"])
    onboarding_plan_create(by=org["admin"], hire=org["owner"])
    few = count_queries()
    for n in range(5):
        onboarding_plan_create(by=org["admin"], hire=UserFactory(username=f"p{n}", team=org["east"]),
                               mentor=org["teammate"])
    assert count_queries() == few
