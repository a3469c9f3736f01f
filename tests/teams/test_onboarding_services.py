"""Onboarding services: templates, plans, ticks, sign-off, milestones through the metric registry,
time to first deal and ramp on a hand-counted fixture."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from salesops import metrics
from salesops.metrics import COUNT, PERCENT, UP, Metric, MetricResult
from teams import onboarding as rules
from teams.models import OnboardingPlan, OnboardingTask, OnboardingTemplate
from teams.selectors.onboarding import plan_phases, ramp_report
from teams.services.onboarding import (
    onboarding_default_template_ensure, onboarding_plan_create, onboarding_plan_refresh, onboarding_plan_update,
    onboarding_refresh_all, onboarding_step_add, onboarding_task_sign_off, onboarding_task_tick,
    onboarding_template_create,
)
from tests.teams.factories import QuotaFactory, UserFactory

pytestmark = pytest.mark.django_db
START = date(2026, 9, 14)


@pytest.fixture
def fake_metrics(monkeypatch):
    """Fake registry entries: `fake_meetings` counts the days listed in `meetings` up to period.end;
    deals_won likewise from `wins`; quota_attainment per month from `attainment`."""
    data = {"meetings": [], "wins": [], "attainment": {}, "calls": 0}
    registry = dict(metrics._metrics)
    monkeypatch.setattr(metrics, "_metrics", registry)

    def counter(key):
        def compute(scope, period):
            data["calls"] += 1
            n = sum(1 for day in data[key] if (period.start is None or day >= period.start) and day <= period.end)
            return MetricResult(value=n, count=n)
        return compute

    def attainment(scope, period):
        return MetricResult(value=data["attainment"].get(period.start))

    for code, compute, unit in (("fake_meetings", counter("meetings"), COUNT), ("deals_won", counter("wins"), COUNT),
                                ("quota_attainment", attainment, PERCENT)):
        metrics.register(Metric(code=code, name=code, unit=unit, better=UP, compute=compute))
    return data


@pytest.fixture
def plan_for(org):
    def make(hire=None, mentor=None, template=None, start=START):
        return onboarding_plan_create(by=org["mgr"], hire=hire or org["owner"], mentor=mentor or org["teammate"],
                                      template=template, start_date=start)
    return make


class TestTemplates:
    def test_the_default_template_follows_the_seed_and_is_made_once(self):
        template = onboarding_default_template_ensure()
        assert onboarding_default_template_ensure() == template
        phases = list(template.phases.order_by("position"))
        assert [p.title for p in phases] == [p.title for p in rules.DEFAULT_PHASES]
        milestones = {s.milestone_metric for p in phases for s in p.steps.all() if s.milestone_metric}
        assert milestones == {"meetings_logged", "deals_created", "deals_won"}
        assert template.is_default

    def test_a_rep_may_not_edit_templates(self, org):
        with pytest.raises(PermissionDenied):
            onboarding_template_create(by=org["owner"], name="Mine")

    def test_bad_step_input_is_refused_and_changes_nothing(self, org):
        template = onboarding_template_create(by=org["mgr"], name="Short", phases=[
            {"title": "Week 1", "steps": [{"title": "Read", "day_offset": 0, "duration_days": 3}]}])
        for bad in ({"day_offset": 400}, {"duration_days": 0}, {"performer": "boss"},
                    {"milestone_metric": "no_such_metric"}, {"day_offset": "3"}, {"title": ""}):
            with pytest.raises(ValidationError):
                onboarding_step_add(template=template, by=org["mgr"], phase_title="Week 1",
                                    **{"title": "X", "day_offset": 1, "duration_days": 1, **bad})
        assert template.phases.get().steps.count() == 1


class TestPlans:
    def test_a_plan_copies_the_steps_with_due_dates(self, org, plan_for):
        plan = plan_for()
        steps = sum(len(p.steps) for p in rules.DEFAULT_PHASES)
        assert plan.tasks.count() == steps
        product = plan.tasks.get(title="Product training")
        assert (product.starts_on, product.due_on) == (START, START + timedelta(days=9))
        assert plan.template.is_default

    def test_one_plan_per_hire_and_the_hire_cannot_mentor_themselves(self, org, plan_for):
        with pytest.raises(ValidationError):
            plan_for(mentor=org["owner"])
        plan_for()
        with pytest.raises(ValidationError):
            plan_for()

    def test_only_the_hires_manager_or_an_admin_makes_a_plan(self, org):
        for user in (org["owner"], org["other_mgr"], org["teammate"]):
            with pytest.raises(PermissionDenied):
                onboarding_plan_create(by=user, hire=org["owner"])
        assert onboarding_plan_create(by=org["admin"], hire=org["owner"]).pk

    def test_progress_and_overdue(self, org, plan_for):
        plan = plan_for()
        task = plan.tasks.get(title="Product training")
        onboarding_task_tick(task=task, by=org["owner"])
        figures = plan_phases(plan=plan, today=START + timedelta(days=9))
        assert figures["done"] == 1 and figures["progress"] == 100 // figures["total"]
        assert figures["overdue"] == 0  # both trainings are due on day 9
        figures = plan_phases(plan=plan, today=START + timedelta(days=10))
        # product training is done; the process training (day 3, 7 days) was due on day 9
        assert [t.title for t in figures["tasks"] if t.overdue] == ["Sales process and CRM training"]


class TestTicksAndSignOff:
    def test_the_hire_ticks_their_own_steps_not_the_mentors(self, org, plan_for):
        plan = plan_for()
        onboarding_task_tick(task=plan.tasks.get(title="Product training"), by=org["owner"])
        with pytest.raises(PermissionDenied):
            onboarding_task_tick(task=plan.tasks.get(title="Shadow the mentor's customer calls"), by=org["owner"])
        with pytest.raises(PermissionDenied):
            onboarding_task_tick(task=plan.tasks.get(title="Product training"), by=org["outsider"])

    def test_a_milestone_is_not_ticked_by_hand(self, org, plan_for):
        plan = plan_for()
        with pytest.raises(ValidationError):
            onboarding_task_tick(task=plan.tasks.get(milestone_metric="deals_won"), by=org["mgr"])

    def test_the_mentor_signs_off_the_hire_cannot(self, org, plan_for):
        plan = plan_for()
        task = onboarding_task_tick(task=plan.tasks.get(title="Product training"), by=org["owner"])
        with pytest.raises(PermissionDenied):
            onboarding_task_sign_off(task=task, by=org["owner"])
        signed = onboarding_task_sign_off(task=task, by=org["teammate"])
        assert signed.signed_off_by == org["teammate"]
        assert onboarding_task_sign_off(task=task, by=org["mgr"]).signed_off_by == org["teammate"]  # idempotent

    def test_a_task_not_done_is_not_signed_off(self, org, plan_for):
        plan = plan_for()
        with pytest.raises(ValidationError):
            onboarding_task_sign_off(task=plan.tasks.get(title="Product training"), by=org["teammate"])

    def test_unticking_clears_the_sign_off(self, org, plan_for):
        plan = plan_for()
        task = onboarding_task_tick(task=plan.tasks.get(title="Product training"), by=org["owner"])
        onboarding_task_sign_off(task=task, by=org["teammate"])
        task = onboarding_task_tick(task=task, by=org["owner"], done=False)
        assert task.done_at is None and task.signed_off_at is None


class TestMilestones:
    def template(self, org):
        return onboarding_template_create(by=org["mgr"], name="Meetings", phases=[{"title": "Month 2", "steps": [
            {"title": "Two meetings", "day_offset": 30, "duration_days": 30, "milestone_metric": "fake_meetings",
             "milestone_threshold": Decimal("2")}]}])

    def test_a_milestone_ticks_itself_on_the_day_the_threshold_was_reached(self, org, plan_for, fake_metrics):
        plan = plan_for(template=self.template(org))
        fake_metrics["meetings"] = [START - timedelta(days=3), START + timedelta(days=5)]  # one before the plan
        assert onboarding_plan_refresh(plan=plan, today=START + timedelta(days=40))["ticked"] == 0
        fake_metrics["meetings"].append(START + timedelta(days=33))
        assert onboarding_plan_refresh(plan=plan, today=START + timedelta(days=40))["ticked"] == 1
        task = plan.tasks.get()
        assert task.done_at is not None and task.reached_on == START + timedelta(days=33)

    def test_the_job_is_idempotent_and_set_based_over_plans(self, org, plan_for, fake_metrics):
        template = self.template(org)
        plans = [plan_for(hire=org["owner"], template=template),
                 plan_for(hire=org["teammate"], mentor=org["mgr"], template=template)]
        fake_metrics["meetings"] = [START, START + timedelta(days=1)]
        today = START + timedelta(days=10)
        assert onboarding_refresh_all(today=today)["ticked"] == 2
        calls = fake_metrics["calls"]
        assert onboarding_refresh_all(today=today)["ticked"] == 0
        assert fake_metrics["calls"] - calls == 2  # only deals_won (not yet reached) is asked again, per plan
        assert all(p.tasks.get().done_at for p in plans)

    def test_closing_a_plan_stops_the_page_refresh(self, org, plan_for, fake_metrics):
        plan = plan_for(template=self.template(org))
        plan = onboarding_plan_update(plan=plan, by=org["mgr"], closed=True)
        fake_metrics["meetings"] = [START, START]
        assert onboarding_plan_refresh(plan=plan, today=START + timedelta(days=3))["ticked"] == 0


class TestFirstDealAndRamp:
    """Hand-counted: A starts 14 Sep 2026 (cohort 2026-09), wins on 2 Oct (18 days), reaches 100 % in
    November (month 3); B starts 1 Oct (2026-10), wins on 31 Oct (30 days), never ramps; C starts
    20 Sep (2026-09), no deal. By quarter: 2026-Q3 = A and C, 2026-Q4 = B."""

    def test_time_to_first_deal_and_ramp_by_cohort_and_mentor(self, org, plan_for, fake_metrics, monkeypatch):
        from tests.teams.factories import UserFactory as U
        a, b, c = org["owner"], org["teammate"], U(username="third", team=org["east"])
        plan_a = plan_for(hire=a, mentor=org["mgr"], start=START)
        plan_b = plan_for(hire=b, mentor=org["mgr"], start=date(2026, 10, 1))
        plan_c = plan_for(hire=c, mentor=a, start=date(2026, 9, 20))
        wins = {a.pk: [date(2026, 10, 2)], b.pk: [date(2026, 10, 31)], c.pk: []}
        attainment = {a.pk: {date(2026, 9, 1): 20.0, date(2026, 10, 1): 80.0, date(2026, 11, 1): 104.5},
                      b.pk: {date(2026, 10, 1): 50.0, date(2026, 11, 1): 99.9}, c.pk: {}}

        def won(scope, period):
            n = sum(1 for d in wins[scope.owner_id] if period.start <= d <= period.end)
            return MetricResult(value=n, count=n)

        metrics.register(Metric(code="deals_won", name="w", unit=COUNT, better=UP, compute=won))
        metrics.register(Metric(code="quota_attainment", name="q", unit=PERCENT, better=UP,
                                compute=lambda s, p: MetricResult(value=attainment[s.owner_id].get(p.start))))
        onboarding_refresh_all(today=date(2026, 12, 15))
        for plan in (plan_a, plan_b, plan_c):
            plan.refresh_from_db()
        assert (plan_a.first_deal_on, plan_a.time_to_first_deal_days, plan_a.ramp_months) == (date(2026, 10, 2), 18, 3)
        assert (plan_b.first_deal_on, plan_b.time_to_first_deal_days, plan_b.ramp_months) == (date(2026, 10, 31), 30, None)
        assert plan_b.ramp_checked_month == date(2026, 11, 1)  # December is still running
        assert (plan_c.first_deal_on, plan_c.ramp_months) == (None, None)

        by_month = {row["cohort"]: row for row in ramp_report(user=org["mgr"], by="month")["cohorts"]}
        assert by_month["2026-09"] == {"cohort": "2026-09", "hires": 2, "first_deals": 1, "avg_days_to_first_deal": 18.0,
                                       "ramped": 1, "avg_ramp_months": 3.0}
        assert by_month["2026-10"]["avg_days_to_first_deal"] == 30.0 and by_month["2026-10"]["ramped"] == 0
        by_quarter = {row["cohort"]: row for row in ramp_report(user=org["mgr"], by="quarter")["cohorts"]}
        assert set(by_quarter) == {"2026-Q3", "2026-Q4"} and by_quarter["2026-Q3"]["hires"] == 2
        mentors = {row["mentor_id"]: row for row in ramp_report(user=org["mgr"])["mentors"]}
        assert mentors[org["mgr"].pk]["avg_days_to_first_deal"] == 24.0  # (18 + 30) / 2
        assert mentors[a.pk]["first_deals"] == 0
        assert ramp_report(user=org["owner"])["cohorts"] == []  # reps do not see the figures
        result = metrics.get("time_to_first_deal_days").compute(
            metrics.Scope(user=org["mgr"]), metrics.Period(date(2026, 10, 1), date(2026, 10, 31)))
        assert (result.value, result.count) == (24.0, 2)


def test_the_registered_meeting_and_deal_metrics_tick_real_milestones(org, plan_for):
    """No fakes: a meeting logged on a deal (customers' meetings_logged) and the deal itself
    (pipeline's deals_created) tick the default plan's first two milestones."""
    from django.utils import timezone

    from tests.pipeline.factories import log_meeting, make_opportunity

    plan = plan_for(start=timezone.localdate() - timedelta(days=3))
    QuotaFactory(user=org["owner"])
    log_meeting(make_opportunity(owner=org["owner"]))
    onboarding_plan_refresh(plan=plan)
    ticked = set(OnboardingTask.objects.filter(plan=plan, done_at__isnull=False).values_list("milestone_metric", flat=True))
    assert ticked == {"meetings_logged", "deals_created"}
    assert OnboardingPlan.objects.get(pk=plan.pk).first_deal_on is None
    assert OnboardingTemplate.objects.count() == 1
    assert UserFactory  # factories shared with the other teams tests


def test_the_job_leaves_a_closed_plans_tasks_but_still_measures_its_first_deal(org, plan_for, fake_metrics):
    template = onboarding_template_create(by=org["mgr"], name="M", phases=[{"title": "P", "steps": [
        {"title": "Meet", "day_offset": 0, "duration_days": 5, "milestone_metric": "fake_meetings"}]}])
    plan = onboarding_plan_update(plan=plan_for(template=template), by=org["mgr"], closed=True)
    fake_metrics["meetings"], fake_metrics["wins"] = [START], [START + timedelta(days=20)]
    counts = onboarding_refresh_all(today=START + timedelta(days=30))
    assert (counts["ticked"], counts["first_deals"]) == (0, 1)
    plan.refresh_from_db()
    assert plan.first_deal_on == START + timedelta(days=20) and plan.tasks.get().done_at is None


def test_the_admin_writes_templates_through_the_service(client, org):
    from django.contrib.admin.models import LogEntry
    client.force_login(org["admin"])
    response = client.post("/admin/teams/onboardingtemplate/add/", {"name": "Admin's", "description": "",
                                                                    "is_default": "on"})
    assert response.status_code == 302
    template = OnboardingTemplate.objects.get(name="Admin's")
    assert template.is_default and LogEntry.objects.filter(object_id=str(template.pk)).count() == 1
