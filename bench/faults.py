"""Fault benchmark: SIGKILL the worker a third of the way through a publish rescore, restart it,
and check that the job finishes (the stale-job sweeper in beat re-queues it) and that every score
equals a fresh full rescore.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_bench \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/faults.py --leads 60000

The database named in DATABASE_URL is created if missing and its leads are REPLACED; the broker's
queue is purged. The worker runs with embedded beat (`worker -B`) and the production defaults for
the sweeper (every minute, stale after LEADS_JOB_STALE_SECONDS=120) unless --stale-seconds says
otherwise; batches are smaller than the default (--batch-size) so that "a third" is a batch border
the kill can land near. Prints key=value figures and ends with
`RESULT name=faults leads=<n> killed_at=<processed> resumed_after_s=<x> finished_after_s=<y> mismatches=<m> ...`.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# bench/ is on sys.path
from _setup import ROOT, configure, ensure_database, generate_leads

configure(database="salesops_bench")


def spawn_worker(env: dict, workdir: Path, log) -> subprocess.Popen:
    """A worker with embedded beat, in its own process group so that SIGKILL takes the pool and beat too."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "salesops", "worker", "-B", "--concurrency=1", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--schedule", str(workdir / "beat-schedule"),
         "--hostname", f"faults-{time.monotonic_ns()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def forget_old_messages(app) -> None:
    """Purge the queue and the unacknowledged messages a killed worker of an earlier run left behind:
    Redis would redeliver them after the visibility timeout, with job ids that now mean other jobs."""
    import redis

    app.control.purge()
    redis.Redis.from_url(app.conf.broker_url).delete("unacked", "unacked_index")


def wait_until(predicate, *, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def pure_python_mismatches(rule_set) -> int:
    """Leads whose stored score or grade differs from leads.scoring (the reference definition)."""
    from django.utils import timezone

    from leads import scoring
    from leads.models import Lead, LeadEvent
    from leads.selectors import rule_set_spec

    spec = rule_set_spec(rule_set)
    codes = {rule.event_type for rule in spec.behaviour_rules}
    events: dict[int, list] = {}
    for lead_id, code, when in (LeadEvent.objects.filter(event_type__code__in=codes)
                                .values_list("lead_id", "event_type__code", "occurred_at").iterator(chunk_size=20_000)):
        events.setdefault(lead_id, []).append((code, when))
    fields = sorted(scoring.FIELDS)
    now = timezone.now()
    mismatches = 0
    for row in Lead.objects.values("pk", "score", "grade", *fields).iterator(chunk_size=20_000):
        expected = scoring.score_lead(spec, row, events.get(row["pk"], []), now)
        mismatches += (expected.score, expected.grade) != (row["score"], row["grade"])
    return mismatches


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=60_000)
    parser.add_argument("--events-per-lead", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=2_000)
    parser.add_argument("--stale-seconds", type=int, default=None, help="LEADS_JOB_STALE_SECONDS for the worker")
    parser.add_argument("--limit-s", type=float, default=300, help="the job must finish this soon after the kill")
    args = parser.parse_args()
    if not os.environ.get("CELERY_BROKER_URL"):
        sys.exit("bench/faults.py needs a broker: set CELERY_BROKER_URL=redis://...")

    ensure_database("bench/faults.py")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max

    call_command("migrate", verbosity=0)
    from leads.models import Lead, RescoreJob, RuleSet
    from leads.services.scoring import (
        rescore_job_run,
        rule_set_create_draft,
        rule_set_publish,
    )
    from salesops.celery import app

    connection.ensure_connection()
    connection.connection.autocommit = True
    n = args.leads
    start = time.perf_counter()
    generate_leads(n, events_per_lead=args.events_per_lead)
    with connection.cursor() as cursor:  # every lead already reached the top grade once: no routing noise
        cursor.execute("UPDATE leads_lead SET mql_at = now()")
    old = RuleSet.objects.get(status=RuleSet.Status.PUBLISHED)
    max_id = Lead.objects.aggregate(m=Max("pk"))["m"]
    rescore_job_run(job_id=RescoreJob.objects.create(rule_set=old, total=n, last_id=0, max_id=max_id).pk)
    print(f"generate_and_score_s={time.perf_counter() - start:.2f} leads={n} events={n * args.events_per_lead}",
          flush=True)

    # A rule set that changes scores, whatever a previous run left published: other industries with
    # other points, and another window on pricing visits.
    draft = rule_set_create_draft(by=None, name="Faults bench", copy_from=old)
    industry = draft.attribute_rules.get(field="industry")
    industry.value = ["technology", "finance"] if "retail" in industry.value else ["retail", "manufacturing"]
    industry.points = 25 if industry.points == 30 else 30
    industry.save()
    pricing = draft.behaviour_rules.filter(event_type__code="pricing_page_visit")
    pricing.update(window_days=60 if pricing.first().window_days == 90 else 90)

    forget_old_messages(app)
    env = {**os.environ, "LEADS_RESCORE_BATCH_SIZE": str(args.batch_size)}
    if args.stale_seconds is not None:
        env["LEADS_JOB_STALE_SECONDS"] = str(args.stale_seconds)
    workdir = Path(tempfile.mkdtemp(prefix="faults-bench-"))
    log_path = workdir / "worker.log"
    with open(log_path, "w") as log:
        worker = spawn_worker(env, workdir, log)
        if not wait_until(lambda: bool(app.control.ping(timeout=1)), timeout=60, step=0):
            sys.exit("the worker did not start:\n" + log_path.read_text())
        published = time.monotonic()
        job = rule_set_publish(rule_set=draft, by=None)
        job_row = RescoreJob.objects.filter(pk=job.pk)
        if not wait_until(lambda: job_row.get().processed >= n // 3, timeout=300, step=0.01):
            sys.exit("the job did not reach a third:\n" + log_path.read_text()[-3000:])
        os.killpg(worker.pid, signal.SIGKILL)
        killed = time.monotonic()
        worker.wait(timeout=30)
        at_kill = job_row.get()
        print(f"killed_at={at_kill.processed}/{at_kill.total} status_at_kill={at_kill.status}"
              f" before_kill_s={killed - published:.2f}", flush=True)

        worker = spawn_worker(env, workdir, log)
        try:
            resumed = wait_until(lambda: job_row.get().processed > at_kill.processed, timeout=args.limit_s, step=0.2)
            resumed_s = time.monotonic() - killed
            done = wait_until(lambda: job_row.get().status in ("done", "failed"),
                              timeout=max(1.0, args.limit_s - resumed_s), step=0.2)
            finished_s = time.monotonic() - killed
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
    job = job_row.get()
    # attempts > 0: the sweeper re-queued it; otherwise Redis redelivered the unacknowledged message
    resumed_by = "sweeper" if job.attempts else "redelivery"
    print(f"resumed={resumed} resumed_by={resumed_by} resumed_after_s={resumed_s:.1f} status={job.status}"
          f" attempts={job.attempts}"
          f" processed={job.processed} changed={job.changed} finished_after_s={finished_s:.1f}", flush=True)

    not_new = Lead.objects.exclude(scored_with=draft).count()
    start = time.perf_counter()
    mismatches = pure_python_mismatches(draft)
    pure_s = time.perf_counter() - start
    rerun = rescore_job_run(job_id=RescoreJob.objects.create(rule_set=draft, total=n, last_id=0, max_id=max_id).pk)
    ok = done and job.status == "done" and finished_s <= args.limit_s and not mismatches and not rerun.changed \
        and not not_new and job.changed > 0 and resumed
    print(f"pure_python_check_s={pure_s:.2f} mismatches={mismatches} not_scored_with_new_set={not_new}"
          f" fresh_rescore_changed={rerun.changed}", flush=True)
    print(f"RESULT name=faults leads={n} batch={args.batch_size} killed_at={at_kill.processed} changed={job.changed}"
          f" resumed_by={'sweeper' if job.attempts else 'redelivery'}"
          f" resumed_after_s={resumed_s:.1f} finished_after_s={finished_s:.1f} limit_s={args.limit_s:.0f}"
          f" attempts={job.attempts} mismatches={mismatches} fresh_rescore_changed={rerun.changed} ok={ok}",
          flush=True)
    if not ok:
        print(log_path.read_text()[-4000:], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
