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
    lead_refresh_completeness_task.delay(lead.pk)  # results are not stored: watch the row instead
    deadline = time.monotonic() + 60
    while Lead.objects.get(pk=lead.pk).completeness == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    lead.refresh_from_db()
    assert lead.completeness == 7 * 100 // 9


def test_a_service_queues_work_after_commit_and_the_worker_completes_it(worker, django_user_model):
    owner = django_user_model.objects.create_user("integration-rep", password="x-pw-123456")
    lead = lead_create(by=owner, name="Ada", email="ada@example.com", company="Acme", phone="1")
    deadline = time.monotonic() + 60
    while Lead.objects.get(pk=lead.pk).completeness == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Lead.objects.get(pk=lead.pk).completeness == 5 * 100 // 9


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_posted_event_is_scored_by_the_worker(worker, django_user_model):
    from django.utils import timezone

    from leads.services.events import events_ingest

    admin = django_user_model.objects.create_user("integration-admin", password="x-pw-123456", role="admin")
    lead = LeadFactory(industry="finance", company_size=50, owner=None)
    events_ingest(by=admin, items=[{"lead": lead.pk, "type": "pricing_page_visit",
                                    "occurred_at": timezone.now().isoformat(), "external_id": "it-1"}])
    assert _wait_for(lambda: Lead.objects.get(pk=lead.pk).score == 35)  # finance 15 + pricing 20, by the worker
    lead.refresh_from_db()
    assert (lead.grade, lead.score_breakdown) == ("SQL", [15, 0, 0, 0, 20])


def test_publishing_a_rule_set_is_rescored_by_the_worker(worker, django_user_model):
    from leads.models import AttributeRule, RescoreJob, RuleSet
    from leads.services.scoring import rule_set_create_draft, rule_set_publish

    marketing = django_user_model.objects.create_user("integration-mkt", password="x-pw-123456", role="marketing")
    leads = LeadFactory.create_batch(3, industry="retail", company_size=50, owner=None)
    draft = rule_set_create_draft(by=marketing, name="Retail push", copy_from=RuleSet.objects.get(status="published"))
    AttributeRule.objects.filter(rule_set=draft, field="industry").update(value=["retail"], points=30)
    job = rule_set_publish(rule_set=draft, by=marketing)
    assert _wait_for(lambda: RescoreJob.objects.get(pk=job.pk).status == "done")
    assert {(lead.score, lead.grade) for lead in Lead.objects.filter(pk__in=[x.pk for x in leads])} == {(30, "SQL")}


def test_a_lead_import_job_is_run_by_the_worker_with_progress(worker, django_user_model):
    from leads.models import LeadImportJob
    from leads.services.imports import lead_import_job_start

    marketing = django_user_model.objects.create_user("integration-importer", password="x-pw-123456", role="marketing")
    rows = "".join(f"Lead {n},it-{n}@example.com\n" for n in range(2500))
    job = lead_import_job_start(by=marketing, data=f"Name,Email\n{rows}".encode(), file_name="it.csv", preview=False,
                                mapping={"name": "Integration", "columns": {"name": "Name", "email": "Email"}})
    assert job.status == "queued"  # the request is over: the worker does the rest
    assert _wait_for(lambda: LeadImportJob.objects.get(pk=job.pk).is_finished)
    job.refresh_from_db()
    assert (job.status, job.processed, job.total, job.error) == ("done", 2500, 2500, "")
    assert Lead.objects.filter(imported_from="Integration", owner=marketing).count() == 2500
