"""Faults: rule values that could poison scoring are refused everywhere, a failing rescore job ends
`failed` and the last good rule set keeps scoring, stale jobs are resumed by the sweeper, and a
write succeeds with the broker away (the lead is marked and the sweep rescores it later)."""
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from leads import scoring
from leads.models import (
    BehaviourRule,
    EventType,
    Lead,
    LeadEvent,
    RescoreJob,
    RuleSet,
    ScoreChange,
)
from leads.services import scoring as services
from salesops.celery import app as celery_app
from tests.leads.factories import LeadFactory
from tests.leads.test_scoring_pages import inline_data

pytestmark = pytest.mark.django_db
RULE_SETS = "/api/v1/scoring/rule-sets/"
GRADES = [{"name": "MQL", "lower_bound": 50}, {"name": "SQL", "lower_bound": 30}, {"name": "Lead", "lower_bound": None}]


def save_draft(by, **rules):
    return services.rule_set_save_draft(by=by, name="Poison", attribute_rules=rules.get("attribute_rules", []),
                                        behaviour_rules=rules.get("behaviour_rules", []),
                                        grades=rules.get("grades", GRADES))


def published() -> RuleSet:
    return RuleSet.objects.get(status=RuleSet.Status.PUBLISHED)


# --- 1. bounds on every rule value ---------------------------------------------------------------
class TestPoisonRulesAreRefused:
    def test_the_service_refuses_a_window_of_a_million_days(self, org):
        with pytest.raises(ValidationError) as exc:
            save_draft(org["marketing"], behaviour_rules=[
                {"event_type": "webinar_attended", "points": 10, "window_days": 1_000_000}])
        assert "less than or equal to 3650" in str(exc.value.message_dict["behaviour_rules[0]"])
        assert not RuleSet.objects.filter(name="Poison").exists()

    @pytest.mark.parametrize("rule, message", [
        ({"event_type": "webinar_attended", "points": 10, "max_count": 10**6}, "less than or equal to 1000"),
        ({"event_type": "webinar_attended", "points": 10**6}, "less than or equal to 1000"),
    ])
    def test_the_service_refuses_counts_and_points_out_of_bounds(self, org, rule, message):
        with pytest.raises(ValidationError) as exc:
            save_draft(org["marketing"], behaviour_rules=[rule])
        assert message in str(exc.value.message_dict["behaviour_rules[0]"])

    @pytest.mark.parametrize("rule, message", [
        ({"field": "industry", "operator": "in", "value": [f"i{n}" for n in range(201)]}, "at most 200 values"),
        ({"field": "company", "operator": "contains", "value": "x" * 201}, "at most 200 characters"),
        ({"field": "company_size", "operator": "gt", "value": 1e300}, "Enter a number between"),
        ({"field": "company_size", "operator": "in", "value": [1, 10**12]}, "Enter a list of numbers"),
    ])
    def test_the_service_refuses_attribute_values_out_of_bounds(self, org, rule, message):
        with pytest.raises(ValidationError) as exc:
            save_draft(org["marketing"], attribute_rules=[{**rule, "points": 5}])
        assert message in " ".join(exc.value.message_dict["attribute_rules[0]"])

    def test_the_service_refuses_grade_bounds_and_too_many_rules(self, org):
        with pytest.raises(ValidationError) as exc:
            save_draft(org["marketing"], grades=[{"name": "Top", "lower_bound": 10**9}, {"name": "Rest", "lower_bound": None}])
        assert "lower bound must be a whole number between" in " ".join(exc.value.message_dict["grades"])
        with pytest.raises(ValidationError) as exc:
            save_draft(org["marketing"], behaviour_rules=[{"event_type": "webinar_attended", "points": 1}] * 101)
        assert "at most 100 attribute rules" in " ".join(exc.value.messages)

    def test_the_api_answers_400_with_a_message(self, api, org):
        payload = {"name": "Poison", "grades": GRADES,
                   "behaviour_rules": [{"event_type": "webinar_attended", "points": 10, "window_days": 1_000_000}]}
        response = api.as_user(org["marketing"]).post(RULE_SETS, payload, format="json")
        assert response.status_code == 400
        assert "3650" in str(response.json())
        assert not RuleSet.objects.filter(name="Poison").exists()

    def test_the_admin_form_refuses_it_with_a_message(self, client, org):
        org["marketing"].is_staff = True
        org["marketing"].save()
        draft = services.rule_set_create_draft(by=org["marketing"], name="Draft")
        data = inline_data(draft, [], [{"name": "Lead", "lower_bound": ""}])
        webinar = EventType.objects.get(code="webinar_attended")
        data.update({"behaviour_rules-TOTAL_FORMS": "1", "behaviour_rules-0-event_type": webinar.pk,
                     "behaviour_rules-0-points": "10", "behaviour_rules-0-window_days": "1000000",
                     "behaviour_rules-0-rule_set": draft.pk})
        client.force_login(org["marketing"])
        response = client.post(reverse("admin:leads_ruleset_change", args=[draft.pk]), data)
        assert response.status_code == 200
        assert "less than or equal to 3650" in response.content.decode()
        assert not BehaviourRule.objects.filter(rule_set=draft).exists()

    def test_publishing_refuses_a_poison_row_written_behind_validation(self, org):
        draft = services.rule_set_create_draft(by=org["marketing"], name="Draft", copy_from=published())
        BehaviourRule.objects.filter(rule_set=draft).update(window_days=1_000_000)
        with pytest.raises(ValidationError) as exc:
            services.rule_set_publish(rule_set=draft, by=org["marketing"])
        assert "3650" in " ".join(exc.value.messages)
        assert RuleSet.objects.get(pk=draft.pk).status == RuleSet.Status.DRAFT

    def test_scoring_never_raises_even_on_a_window_reaching_before_year_one(self, org):
        # A row that predates the bounds: the window means "forever" instead of raising OverflowError.
        BehaviourRule.objects.filter(rule_set=published()).update(window_days=1_000_000)
        lead = LeadFactory(industry="technology", company_size=50)
        LeadEvent.objects.create(lead=lead, event_type=EventType.objects.get(code="pricing_page_visit"),
                                 occurred_at=timezone.now() - timedelta(days=900))
        services.lead_rescore(lead_id=lead.pk, reason="data")
        lead.refresh_from_db()
        assert lead.score == 35  # technology 15 + pricing 20
        rule = scoring.BehaviourRule("pricing_page_visit", 20, None, 1_000_000)
        assert scoring.behaviour_points(rule, [("pricing_page_visit", timezone.now())], timezone.now()) == 20
        assert services.rule_set_backtest(rule_set=published(), user=org["admin"])["total"] == 1


class TestExtremeButValidRules:
    def test_every_value_at_its_bound_scores_like_the_reference_without_raising(
            self, org, django_capture_on_commit_callbacks):
        from leads.selectors import rule_set_spec

        top = scoring.MAX_NUMBER
        draft = save_draft(org["marketing"], attribute_rules=[
            {"field": "company_size", "operator": "gt", "value": -top, "points": scoring.MAX_POINTS},
            {"field": "company_size", "operator": "lt", "value": top, "points": -scoring.MAX_POINTS},
            {"field": "total_visits", "operator": "in", "value": list(range(scoring.MAX_LIST_ITEMS)), "points": 7},
            {"field": "company", "operator": "contains", "value": "%_" * 100, "points": 3},
        ], behaviour_rules=[
            {"event_type": "webinar_attended", "points": scoring.MAX_POINTS, "max_count": scoring.MAX_COUNT,
             "window_days": scoring.MAX_WINDOW_DAYS},
            {"event_type": "pricing_page_visit", "points": -scoring.MAX_POINTS, "window_days": 1},
        ], grades=[{"name": "Top", "lower_bound": scoring.MAX_GRADE_BOUND},
                   {"name": "Bottom", "lower_bound": -scoring.MAX_GRADE_BOUND}, {"name": "Rest", "lower_bound": None}])
        lead = LeadFactory(company_size=500, total_visits=3, company="50%_off")
        webinar = EventType.objects.get(code="webinar_attended")
        LeadEvent.objects.bulk_create(LeadEvent(lead=lead, event_type=webinar,
                                                occurred_at=timezone.now() - timedelta(days=d)) for d in range(5))
        with django_capture_on_commit_callbacks(execute=True):
            job = services.rule_set_publish(rule_set=draft, by=org["marketing"])
        assert RescoreJob.objects.get(pk=job.pk).status == "done"
        services.lead_rescore(lead_id=lead.pk, reason="data")
        lead.refresh_from_db()
        events = [("webinar_attended", e.occurred_at) for e in lead.events.all()]
        expected = scoring.score_lead(rule_set_spec(draft), {"company_size": 500, "total_visits": 3,
                                                             "company": "50%_off"}, events, timezone.now())
        assert (lead.score, lead.grade) == (expected.score, expected.grade) == (1000 - 1000 + 7 + 5000, "Bottom")


# --- 1. a failing job ends `failed`; the last good rule set keeps scoring --------------------------
def fail_for(rule_set_id):
    real = services._rescore_range_sql

    def rescore(compiled, *, rule_set_id: int, **kwargs):
        if rule_set_id == fail_for.target:
            raise RuntimeError("disk on fire")
        return real(compiled, rule_set_id=rule_set_id, **kwargs)

    fail_for.target = rule_set_id
    return mock.patch("leads.services.scoring._rescore_range_sql", side_effect=rescore)


class TestFailingJob:
    def test_it_ends_failed_with_its_reason_and_the_previous_set_scores_again(
            self, api, client, org, django_capture_on_commit_callbacks):
        old = published()
        lead = LeadFactory(industry="retail", company_size=50)
        services.lead_rescore(lead_id=lead.pk, reason="data")
        draft = services.rule_set_create_draft(by=org["marketing"], name="Retail push", copy_from=old)
        draft.attribute_rules.filter(field="industry").update(value=["retail"], points=30)
        with fail_for(draft.pk), django_capture_on_commit_callbacks(execute=True):
            job = services.rule_set_publish(rule_set=draft, by=org["marketing"])
        job.refresh_from_db()
        assert job.status == RescoreJob.Status.FAILED
        assert job.error.startswith("RuntimeError: disk on fire")
        assert f"v{draft.version} is a draft again" in job.error
        assert RuleSet.objects.get(pk=draft.pk).status == RuleSet.Status.DRAFT
        assert published() == old
        restore = RescoreJob.objects.exclude(pk=job.pk).get()
        assert (restore.rule_set, restore.status) == (old, RescoreJob.Status.DONE)
        lead.refresh_from_db()
        assert (lead.score, lead.scored_with_id) == (0, old.pk)
        # shown in the API and on the scoring page
        body = api.as_user(org["marketing"]).get(f"/api/v1/scoring/jobs/{job.pk}/").json()
        assert (body["status"], body["error"]) == ("failed", job.error)
        client.force_login(org["marketing"])
        page = client.get(reverse("leads:rule-set", args=[draft.pk])).content.decode()
        assert "disk on fire" in page

    def test_a_lost_database_or_the_time_limit_leaves_the_job_running_for_the_sweeper(self, half_done_job):
        from celery.exceptions import SoftTimeLimitExceeded
        from django.db import OperationalError

        job, _leads = half_done_job
        for error in (OperationalError("server closed the connection"), SoftTimeLimitExceeded()):
            with mock.patch("leads.services.scoring._rescore_range_sql", side_effect=error), \
                    pytest.raises(type(error)):
                services.rescore_job_run(job_id=job.pk)
            assert RescoreJob.objects.get(pk=job.pk).status == "running"
        assert RuleSet.objects.get(pk=job.rule_set_id).status == RuleSet.Status.PUBLISHED

    def test_new_leads_are_scored_by_the_last_good_set_after_a_failure(self, org, django_capture_on_commit_callbacks):
        draft = services.rule_set_create_draft(by=org["marketing"], name="Broken", copy_from=published())
        with fail_for(draft.pk), django_capture_on_commit_callbacks(execute=True):
            services.rule_set_publish(rule_set=draft, by=org["marketing"])
        lead = LeadFactory(industry="technology", company_size=50)
        services.lead_rescore(lead_id=lead.pk, reason="data")
        lead.refresh_from_db()
        assert lead.score == 15


# --- 2. a stale job is resumed by the sweeper ----------------------------------------------------
@pytest.fixture
def half_done_job(org):
    """A publish job whose worker died after scoring the first half of the leads."""
    leads = LeadFactory.create_batch(6, industry="retail", company_size=50)
    draft = services.rule_set_create_draft(by=org["marketing"], name="Retail push", copy_from=published())
    draft.attribute_rules.filter(field="industry").update(value=["retail"], points=30)
    with mock.patch("leads.services.scoring.enqueue_on_commit"):  # the message is lost with the worker
        job = services.rule_set_publish(rule_set=draft, by=org["marketing"])
    RescoreJob.objects.filter(pk=job.pk).update(status=RescoreJob.Status.RUNNING)
    services._rescore_job_step(job_id=job.pk, batch_size=3, now=timezone.now(), compiled=[None])
    RescoreJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    return job, leads


class TestStaleJobSweeper:
    def test_a_stale_running_job_is_requeued_and_finishes_without_redoing_batches(
            self, half_done_job, django_capture_on_commit_callbacks):
        job, leads = half_done_job
        assert RescoreJob.objects.get(pk=job.pk).processed == 3
        before = ScoreChange.objects.filter(lead__in=leads[:3]).count()
        assert services.rescore_jobs_resume_stale() == [job.pk]  # eager here: the job runs at once
        job.refresh_from_db()
        assert (job.status, job.processed, job.changed, job.attempts) == ("done", 6, 6, 1)
        assert {lead.score for lead in Lead.objects.filter(pk__in=[x.pk for x in leads])} == {30}
        assert ScoreChange.objects.filter(lead__in=leads[:3]).count() == before  # the first batch was not redone

    def test_a_job_with_a_fresh_heartbeat_is_left_alone(self, half_done_job):
        job, _leads = half_done_job
        RescoreJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        assert services.rescore_jobs_resume_stale() == []
        assert RescoreJob.objects.get(pk=job.pk).status == "running"

    def test_a_pending_job_whose_message_was_lost_is_started(self, org):
        draft = services.rule_set_create_draft(by=org["marketing"], name="Copy", copy_from=published())
        with mock.patch("leads.services.scoring.enqueue_on_commit"):
            job = services.rule_set_publish(rule_set=draft, by=org["marketing"])
        assert services.rescore_jobs_resume_stale(now=timezone.now() + timedelta(minutes=5)) == [job.pk]
        assert RescoreJob.objects.get(pk=job.pk).status == "done"

    def test_a_job_resumed_too_often_ends_failed(self, half_done_job, settings):
        job, _leads = half_done_job
        RescoreJob.objects.filter(pk=job.pk).update(attempts=settings.LEADS_JOB_MAX_ATTEMPTS)
        assert services.rescore_jobs_resume_stale() == []
        job.refresh_from_db()
        assert job.status == "failed" and "restarts" in job.error

    def test_the_sweeper_runs_every_minute(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["leads-resume-stale-jobs"]
        assert (entry["task"], entry["schedule"]) == ("leads.tasks.leads_resume_stale_jobs_task", 60.0)
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= 600


# --- 3. the broker away: writes succeed, the lead is marked, the sweep fixes the score -------------
@pytest.fixture
def broker_away():
    """Eager off and the broker pointed at a port nobody listens on."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool
    conf.task_always_eager, conf.broker_url = False, "redis://127.0.0.1:1/0"
    celery_app._pool = celery_app.amqp._producer_pool = None
    yield
    conf.task_always_eager, conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool = saved


class TestBrokerAway:
    def test_an_event_is_stored_quickly_and_the_sweep_scores_it_once_the_broker_is_back(
            self, api, org, django_capture_on_commit_callbacks, broker_away):
        lead = LeadFactory(owner=org["owner"], industry="technology", company_size=10)
        Lead.objects.filter(pk=lead.pk).update(score=15, rescore_needed_at=None)
        start = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = api.as_user(org["owner"]).post("/api/v1/lead-events/", {
                "lead": lead.pk, "type": "webinar_attended", "occurred_at": timezone.now().isoformat(),
                "external_id": "away-1"}, format="json")
        elapsed = time.monotonic() - start
        assert response.status_code == 201 and elapsed < 5
        lead.refresh_from_db()
        assert lead.score == 15 and lead.rescore_needed_at is not None  # stored and marked, not yet scored

        celery_app.conf.task_always_eager = True  # the broker is back (in-process here)
        assert services.leads_rescore_marked() == 0  # within the grace period its own task may still run
        assert services.leads_rescore_marked(now=timezone.now() + timedelta(minutes=2)) == 1
        lead.refresh_from_db()
        assert (lead.score, lead.rescore_needed_at) == (35, None)  # technology 15 + webinar 20

    def test_the_rescore_of_a_lead_clears_its_mark(self, org, django_capture_on_commit_callbacks):
        lead = LeadFactory(industry="technology", company_size=10)
        with django_capture_on_commit_callbacks(execute=True):
            services.lead_queue_rescore(lead_id=lead.pk, reason="data")
            assert Lead.objects.get(pk=lead.pk).rescore_needed_at is not None
        assert Lead.objects.get(pk=lead.pk).rescore_needed_at is None

    def test_the_sweep_only_touches_marked_leads(self, org):
        marked, other = LeadFactory(industry="technology"), LeadFactory(industry="technology")
        Lead.objects.filter(pk__in=[marked.pk, other.pk]).update(score=0)
        Lead.objects.filter(pk=marked.pk).update(rescore_needed_at=timezone.now() - timedelta(hours=1))
        assert services.leads_rescore_marked() == 1
        assert dict(Lead.objects.values_list("pk", "score")) == {marked.pk: 15, other.pk: 0}
