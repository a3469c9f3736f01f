"""A chunked publish rescore run by two real Celery worker processes: both take chunks, one is
SIGKILLed halfway, its chunk is claimed again by the other after the chunk timeout (re-queued by
the stale-job sweeper), the job ends `done`, and every score equals a fresh full rescore.

Needs PostgreSQL and Redis like test_worker.py (skips, or fails under SALESOPS_REQUIRE_INTEGRATION).
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
LEADS, CHUNK = 2_000, 100


def _spawn(name: str, log) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "DEBUG": "0",
           "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
           "SECRET_KEY": "worker-under-test-" + "x" * 40, "LEADS_RESCORE_BATCH_PAUSE": "0.2",
           "LEADS_RESCORE_CHUNK_TIMEOUT": "1"}
    hostname = f"{name}-{time.monotonic_ns()}@%h"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "salesops", "worker", "--loglevel=INFO", "--pool=solo",
         "--without-gossip", "--without-mingle", "--hostname", hostname],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    full = hostname.replace("%h", os.uname().nodename)
    if not _wait_for(lambda: process.poll() is not None or any(full in r for r in celery_app.control.ping(timeout=1))):
        pytest.fail(f"the Celery worker {name} did not start")
    return process


def test_two_workers_share_a_chunked_rescore_and_survive_one_being_killed(tmp_path, settings, django_user_model):
    if reason := _why_not():
        if os.environ.get("SALESOPS_REQUIRE_INTEGRATION"):
            pytest.fail(f"integration tests required but cannot run: {reason}")
        pytest.skip(reason)
    settings.LEADS_RESCORE_CHUNKED_MIN_LEADS, settings.LEADS_RESCORE_CHUNK_SIZE = 1, CHUNK
    industries = ["technology", "finance", "retail", "healthcare"]
    Lead.objects.bulk_create(Lead(name=f"Lead {i}", email=f"c{i}@example.com", industry=industries[i % 4],
                                  company_size=(i * 37) % 3000) for i in range(LEADS))
    types, now = list(EventType.objects.order_by("id")), timezone.now()
    LeadEvent.objects.bulk_create(
        LeadEvent(lead_id=pk, event_type=types[(pk + k) % len(types)], occurred_at=now - timezone.timedelta(days=k))
        for pk in Lead.objects.values_list("pk", flat=True) for k in range(3))
    ids = Lead.objects.order_by("pk").values_list("pk", flat=True)
    leads_rescore_range(lo=ids.first(), hi=ids.last(), reason="data")
    marketing = django_user_model.objects.create_user("chunks-mkt", password="x-pw-123456", role="marketing")
    draft = rule_set_create_draft(by=marketing, name="Retail push", copy_from=RuleSet.objects.get(status="published"))
    draft.attribute_rules.filter(field="industry").update(value=["retail", "healthcare"], points=30)
    celery_app.control.purge()
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("a", "b")}
    workers = {name: _spawn(name, log) for name, log in logs.items()}
    try:
        job = rule_set_publish(rule_set=draft, by=marketing)  # one message per chunk, queued on commit
        assert job.chunks_total == LEADS // CHUNK
        assert _wait_for(lambda: RescoreJob.objects.get(pk=job.pk).chunks_done >= job.chunks_total // 3, timeout=90)
        os.killpg(workers["a"].pid, signal.SIGKILL)
        workers["a"].wait(timeout=30)
        # b finishes the messages it has; a's chunk in flight stays `running` until claimed again
        settings.LEADS_JOB_STALE_SECONDS = 1
        done = _wait_for(lambda: RescoreJob.objects.get(pk=job.pk).status == "done", timeout=60)
        if not done:
            time.sleep(1.5)
            assert rescore_jobs_resume_stale() == [job.pk]  # one message per chunk left, for b
            assert _wait_for(lambda: RescoreJob.objects.get(pk=job.pk).status == "done", timeout=90), (
                (tmp_path / "b.log").read_text()[-3000:])
    finally:
        for process in workers.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        for log in logs.values():
            log.close()
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.percent, job.processed) == ("done", LEADS // CHUNK, 100, LEADS)
    for name in ("a", "b"):  # both workers scored chunks
        assert "rescore_chunk_task" in (tmp_path / f"{name}.log").read_text(), name
    assert not Lead.objects.exclude(scored_with=draft).exists()
    check = RescoreJob.objects.create(rule_set=draft, total=LEADS, last_id=ids.first() - 1, max_id=ids.last())
    assert rescore_job_run(job_id=check.pk).changed == 0
