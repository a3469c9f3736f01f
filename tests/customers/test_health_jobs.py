"""Health recompute on demand (after commit, bounded), the nightly job (resumable), metrics, panel, demo."""
from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from customers.models import AccountHealth, HealthRecomputeJob, HealthScoreHistory, UsageEvent
from customers.services.health import (
    health_demo_load, health_recompute_accounts, health_recompute_job_run, health_recompute_job_start,
    health_recompute_later,
)
from salesops import metrics, panels
from salesops.metrics import Period, Scope

from .factories import AccountFactory

pytestmark = pytest.mark.django_db


def used(account, days=(1, 2, 3)):
    UsageEvent.objects.bulk_create([UsageEvent(account=account, external_id=f"{account.pk}-{d}", feature="x",
                                               occurred_at=timezone.now() - timedelta(days=d)) for d in days])


class TestOnDemand:
    def test_it_queues_after_commit_in_bounded_chunks(self, django_capture_on_commit_callbacks):
        with mock.patch("customers.tasks.health_recompute_accounts_task") as task, \
                django_capture_on_commit_callbacks(execute=True):
            health_recompute_later(range(1, 1202))
        sizes = [len(call.kwargs.get("args", call.args)[0]) for call in task.apply_async.call_args_list]
        assert sizes == [500, 500, 201]

    def test_the_task_recomputes_the_accounts(self, django_capture_on_commit_callbacks):
        account = AccountFactory()
        used(account)
        with django_capture_on_commit_callbacks(execute=True):
            health_recompute_later([account.pk])
        assert AccountHealth.objects.get(account=account).score is not None


class TestNightlyJob:
    def test_it_recomputes_every_account_in_batches_and_finishes(self):
        accounts = AccountFactory.create_batch(5)
        for a in accounts:
            used(a)
        with mock.patch("customers.tasks.health_recompute_job_run_task"):
            job = health_recompute_job_start()
        job = health_recompute_job_run(job_id=job.pk, batch_size=2)
        assert job.status == HealthRecomputeJob.Status.DONE and job.processed == 5
        assert AccountHealth.objects.count() == 5 and HealthScoreHistory.objects.count() == 5

    def test_a_job_resumes_where_it_stopped(self):
        accounts = AccountFactory.create_batch(4)
        with mock.patch("customers.tasks.health_recompute_job_run_task"):
            job = health_recompute_job_start()
        HealthRecomputeJob.objects.filter(pk=job.pk).update(status="running", last_id=accounts[1].pk)
        health_recompute_job_run(job_id=job.pk)
        assert set(AccountHealth.objects.values_list("account_id", flat=True)) == {a.pk for a in accounts[2:]}

    def test_a_failing_job_ends_failed_with_its_reason(self):
        AccountFactory()
        with mock.patch("customers.tasks.health_recompute_job_run_task"):
            job = health_recompute_job_start()
        with mock.patch("customers.services.health.health_recompute_range", side_effect=ValueError("boom")):
            job = health_recompute_job_run(job_id=job.pk)
        assert job.status == HealthRecomputeJob.Status.FAILED and "boom" in job.error


class TestMetricsAndPanel:
    def test_metrics_average_and_critical_count_with_drill_down(self, org):
        healthy, critical = AccountFactory(owner=org["owner"]), AccountFactory(owner=org["owner"])
        AccountFactory(owner=org["outsider"])
        used(healthy, days=range(1, 25))
        used(critical, days=(200,))
        health_recompute_accounts(account_ids=[healthy.pk, critical.pk])
        scope, period = Scope(user=org["owner"]), Period.all_time()
        scores = dict(AccountHealth.objects.values_list("account_id", "score"))
        assert metrics.get("health_score").compute(scope, period).value == pytest.approx(
            (scores[healthy.pk] + scores[critical.pk]) / 2, abs=0.05)
        result = metrics.get("accounts_critical").compute(scope, period)
        assert result.value == 1
        assert list(metrics.get("accounts_critical").records(scope, period)) == [critical]
        rows = metrics.get("health_score").breakdown(scope, period, "band")
        assert {r.key for r in rows} == {"healthy", "critical"}

    def test_the_panel_explains_with_a_constant_query_count(self, org, django_assert_max_num_queries, rf):
        account = AccountFactory(owner=org["owner"])
        used(account, days=(1, 2, 3, 45, 50))
        for days_ago in (40, 20, 0):
            health_recompute_accounts(account_ids=[account.pk], now=timezone.now() - timedelta(days=days_ago))
        panel = next(p for p in panels.account_panels() if p.code == "health")
        with django_assert_max_num_queries(3):
            content = panel.render(account, org["owner"], rf.get("/"))
        from django.template.loader import render_to_string

        html = render_to_string(content.template, content.context)
        assert 'data-component="usage_frequency"' in html and "data-left-out" in html
        assert content.context["chart"]["data"][0]["y"]
        assert content.context["health"]["trend"] in ("up", "down", "flat")


def test_demo_gives_every_account_a_score_and_a_critical_one():
    AccountFactory.create_batch(6)
    assert health_demo_load(today=date.today()) == 6
    assert health_demo_load(today=date.today()) == 6  # idempotent
    assert set(AccountHealth.objects.values_list("band", flat=True)) >= {"healthy", "critical"}
    assert HealthScoreHistory.objects.filter(account=AccountHealth.objects.first().account).count() == 13
