"""A real Celery worker process, on the configured broker (Redis), against the test database.

Runs when CELERY_BROKER_URL is set and the database is PostgreSQL (CI's second pass, see README);
otherwise skips and says why. Set SALESOPS_REQUIRE_INTEGRATION=1 to turn such a skip into a failure.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from leads.models import Lead
from leads.services import lead_create
from leads.tasks import lead_refresh_completeness_task
from salesops.celery import app as celery_app
from tests.leads.factories import LeadFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _why_not() -> str | None:
    if not settings.CELERY_BROKER_URL:
        return "no CELERY_BROKER_URL: tasks run eagerly (embedded default)"
    if connection.vendor != "postgresql":
        return "the real-worker test needs a server database (PostgreSQL); SQLite is the embedded default"
    return None


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    reason = _why_not()
    if reason:
        if os.environ.get("SALESOPS_REQUIRE_INTEGRATION"):
            pytest.fail(f"integration tests required but cannot run: {reason}")
        pytest.skip(reason)
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    celery_app.control.purge()
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    log = open(log_path, "w")
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
           "SECRET_KEY": "worker-under-test-" + "x" * 40, "DEBUG": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "salesops", "worker", "--loglevel=INFO", "--concurrency=1",
         "--without-gossip", "--without-mingle", "--hostname", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Celery worker did not start:\n" + log_path.read_text())
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_a_task_sent_to_the_broker_is_run_by_the_worker_process(worker):
    lead = LeadFactory(phone="", job_title="")
    Lead.objects.filter(pk=lead.pk).update(completeness=0)
    result = lead_refresh_completeness_task.delay(lead.pk)
    assert result.get(timeout=60) == 1  # one row changed, reported back through the result backend
    lead.refresh_from_db()
    assert lead.completeness == 7 * 100 // 9
    assert result.successful()


def test_a_service_queues_work_after_commit_and_the_worker_completes_it(worker, django_user_model):
    owner = django_user_model.objects.create_user("integration-rep", password="x-pw-123456")
    lead = lead_create(by=owner, name="Ada", email="ada@example.com", company="Acme", phone="1")
    deadline = time.monotonic() + 60
    while Lead.objects.get(pk=lead.pk).completeness == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Lead.objects.get(pk=lead.pk).completeness == 5 * 100 // 9
