"""A worker killed (SIGKILL) in the middle of a publish rescore: after a restart the stale-job
sweeper re-queues the job, it finishes, and every score equals a fresh full rescore.

Needs PostgreSQL and Redis like test_worker.py (skips, or fails under SALESOPS_REQUIRE_INTEGRATION).
bench/faults.py does the same at 60,000 leads with the sweeper running in beat.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from leads.models import EventType, Lead, LeadEvent, RescoreJob, RuleSet
from leads.services.scoring import (
    leads_rescore_range,
    rescore_job_run,
    rescore_jobs_resume_stale,
    rule_set_create_draft,
    rule_set_publish,
)
from salesops.celery import app as celery_app
from tests.integration.test_worker import _wait_for, _why_not

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
LEADS = 3_000


def _spawn_worker(log) -> subprocess.Popen:
    """A worker in its own process group (so SIGKILL takes its pool too), scoring in small, paced
    batches so that the test can kill it a third of the way through."""
    db = connection.settings_dict
    env = {**os.environ, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "DEBUG": "0",
           "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
           "SECRET_KEY": "worker-under-test-" + "x" * 40, "LEADS_RESCORE_BATCH_SIZE": "100",
           "LEADS_RESCORE_BATCH_PAUSE": "0.05"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "salesops", "worker", "--loglevel=INFO", "--concurrency=1",
         "--without-gossip", "--without-mingle", "--hostname", f"faults-{time.monotonic_ns()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    if not _wait_for(lambda: process.poll() is not None or bool(celery_app.control.ping(timeout=1))):
        pytest.fail("the Celery worker did not start")
    return process


@pytest.fixture
def leads_with_events():
    if reason := _why_not():
        if os.environ.get("SALESOPS_REQUIRE_INTEGRATION"):
            pytest.fail(f"integration tests required but cannot run: {reason}")
        pytest.skip(reason)
    industries = ["technology", "finance", "retail", "healthcare"]
    Lead.objects.bulk_create(Lead(name=f"Lead {i}", email=f"f{i}@example.com", industry=industries[i % 4],
                                  company_size=(i * 37) % 3000) for i in range(LEADS))
    types = list(EventType.objects.order_by("id"))
    now = timezone.now()
    LeadEvent.objects.bulk_create(
        LeadEvent(lead_id=lead_id, event_type=types[(lead_id + k) % len(types)],
                  occurred_at=now - timezone.timedelta(days=(lead_id * k) % 120))
        for lead_id in Lead.objects.values_list("pk", flat=True) for k in range(3))
    bounds = Lead.objects.order_by("pk").values_list("pk", flat=True)
    leads_rescore_range(lo=bounds.first(), hi=bounds.last(), reason="data")


def test_a_killed_workers_job_is_resumed_by_the_sweeper_and_finishes(leads_with_events, tmp_path, settings,
                                                                      django_user_model):
    marketing = django_user_model.objects.create_user("faults-mkt", password="x-pw-123456", role="marketing")
    draft = rule_set_create_draft(by=marketing, name="Retail push", copy_from=RuleSet.objects.get(status="published"))
    draft.attribute_rules.filter(field="industry").update(value=["retail", "healthcare"], points=30)
    celery_app.control.purge()
    with open(tmp_path / "worker.log", "w") as log:
        first = _spawn_worker(log)
        job = rule_set_publish(rule_set=draft, by=marketing)  # queued on commit (autocommit here)
        reached = _wait_for(lambda: RescoreJob.objects.get(pk=job.pk).processed >= LEADS // 3, timeout=60)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        killed_at = RescoreJob.objects.get(pk=job.pk)
        assert reached and killed_at.status == "running" and killed_at.processed < LEADS, killed_at.__dict__

        second = _spawn_worker(log)
        try:
            settings.LEADS_JOB_STALE_SECONDS = 1
            time.sleep(1.5)
            assert rescore_jobs_resume_stale() == [job.pk]  # sent to the broker, run by the new worker
            assert _wait_for(lambda: RescoreJob.objects.get(pk=job.pk).status == "done", timeout=120), (
                (tmp_path / "worker.log").read_text()[-3000:])
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)
    job.refresh_from_db()
    assert (job.processed, job.attempts) == (LEADS, 1)
    assert not Lead.objects.exclude(scored_with=draft).exists()
    # a fresh full rescore with the same rule set changes nothing: every score is already right
    check = RescoreJob.objects.create(rule_set=draft, total=LEADS, last_id=0,
                                      max_id=Lead.objects.order_by("-pk").values_list("pk", flat=True).first())
    assert rescore_job_run(job_id=check.pk).changed == 0
