"""Benchmark: full set-based rescore vs one hand-written SQL statement, and event-to-score latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_bench \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/rescore.py --leads 1000000

The database named in DATABASE_URL is created if missing and its leads are REPLACED (unless
`--reuse` finds N leads there already). Data: N leads with 3 behaviour events each, drawn so that
the default published rule set gives every grade (so the rescore makes new MQLs; their routing is
counted here and measured by bench/routing.py). The hand-written statement does the same writes:
score, grade, breakdown, rule set, scored and updated time on changed rows only, mql_at on new MQLs,
a history row per change, and the change feed's rows the app publishes (`lead.scored` per change,
`lead.grade_changed` where the grade moved; compared by count per type). (Before 2026-12-02 it left
`updated_at` alone, which the app moves so that sync clients see score changes; an indexed column, so
the app's row versions also wrote every index while the statement's could be HOT updates: not the same
writes.) Prints key=value figures, time per lead, and ends with
`RESULT name=rescore app_s=<x> raw_s=<y> ratio=<x/y> ...`.

With `--workers N` it times instead the same full rescore as a chunked job (id-range chunks that
workers claim, leads.models.RescoreChunk) run by 1 and then by N Celery worker processes (solo
pool, CELERY_BROKER_URL, default redis://127.0.0.1:6379/4), checks both give the result of the
chunked job run in this process, prints the load average, and ends with
`RESULT name=rescore_workers one_worker_s=<x> workers_s=<y> speedup=<x/y> ...`.
"""
import argparse
import os
import subprocess
import sys
import time

# bench/ is on sys.path
from _setup import ROOT, configure, ensure_database, generate_leads

configure(database="salesops_bench")


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"{label}_s={elapsed:.2f}", flush=True)
    return elapsed, result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--events-per-lead", type=int, default=3)
    parser.add_argument("--skip-latency", action="store_true", help="do not measure event-to-score latency")
    parser.add_argument("--reuse", action="store_true", help="keep the leads already there when their number is N")
    parser.add_argument("--workers", type=int, default=0,
                        help="time the chunked job run by 1 and by N Celery worker processes (Redis broker)")
    args = parser.parse_args()
    if args.workers:
        os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/4")

    ensure_database("bench/rescore.py")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from leads.models import EventType, Lead, RescoreJob, RuleSet, ScoreChange
    from leads.services.scoring import rescore_job_run

    n = args.leads
    from leads.models import LeadEvent
    if args.reuse and Lead.objects.count() == n and LeadEvent.objects.count() == n * args.events_per_lead:
        print("generate_s=reused", flush=True)
    else:
        timed("generate", lambda: generate_leads(n, events_per_lead=args.events_per_lead, varied=True))
    events = LeadEvent.objects.count()
    print(f"leads={n} events={events}", flush=True)
    rule_set = RuleSet.objects.get(status=RuleSet.Status.PUBLISHED)

    def reset():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE leads_lead SET score = 0, grade = '', score_breakdown = '[]'::jsonb,"
                           " scored_with_id = NULL, scored_at = NULL, mql_at = NULL")
            cursor.execute("TRUNCATE leads_scorechange")
            cursor.execute("TRUNCATE integrations_changeevent CASCADE")  # and their (no) deliveries
            cursor.execute("VACUUM ANALYZE leads_lead")

    connection.ensure_connection()
    connection.connection.autocommit = True
    reset()
    if args.workers:
        return run_workers(args.workers, n=n, events=events, rule_set=rule_set, reset=reset)

    def app_rescore():
        job = RescoreJob.objects.create(rule_set=rule_set, total=n, last_id=0, max_id=n)
        # routing of the new MQLs is queued on commit (eager here would route 100k+ leads): count only
        from unittest import mock
        with mock.patch("leads.services.scoring._queue_routing") as routing:
            job = rescore_job_run(job_id=job.pk)
        return job, sum(len(call.args[0]) for call in routing.call_args_list)

    app_s, (job, new_mqls) = timed("app_full_rescore", app_rescore)
    app_grades = dict(Lead.objects.values_list("grade").annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")))
    app_checksum = Lead.objects.aggregate(s=__import__("django.db.models", fromlist=["Sum"]).Sum("score"))["s"]
    app_history = ScoreChange.objects.count()
    app_mqls = Lead.objects.filter(mql_at__isnull=False).count()
    from integrations.models import ChangeEvent
    app_changes = dict(ChangeEvent.objects.values_list("event_type").annotate(
        n=__import__("django.db.models", fromlist=["Count"]).Count("id")))
    print(f"app_changed={job.changed} app_new_mqls={new_mqls} app_grades={app_grades} app_history={app_history}",
          flush=True)
    print(f"app_us_per_lead={app_s / n * 1e6:.2f}", flush=True)

    def rerun():
        job = RescoreJob.objects.create(rule_set=rule_set, total=n, last_id=0, max_id=n)
        return rescore_job_run(job_id=job.pk)

    rerun_s, rerun_job = timed("app_rerun_nothing_changes", rerun)
    print(f"rerun_changed={rerun_job.changed}", flush=True)

    reset()
    types = dict(EventType.objects.values_list("code", "id"))

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH s AS (SELECT x.*, x.p0 + x.p1 + x.p2 + x.p3 + x.p4 AS score FROM ("
                "  SELECT l.id, l.grade AS old_grade,"
                "   CASE WHEN l.industry IN ('technology', 'finance') THEN 15 ELSE 0 END AS p0,"
                "   CASE WHEN l.company_size > 1000 THEN 10 ELSE 0 END AS p1,"
                "   LEAST(COALESCE(e.c0, 0), 1) * 10 AS p2,"
                "   LEAST(COALESCE(e.c1, 0), 1) * 20 AS p3,"
                "   LEAST(COALESCE(e.c2, 0), 1) * 20 AS p4"
                "  FROM leads_lead l LEFT JOIN ("
                "   SELECT lead_id, COUNT(*) FILTER (WHERE event_type_id = %s) AS c0,"
                "    COUNT(*) FILTER (WHERE event_type_id = %s) AS c1,"
                "    COUNT(*) FILTER (WHERE event_type_id = %s) AS c2"
                "   FROM leads_leadevent GROUP BY lead_id) e ON e.lead_id = l.id) x),"
                " g AS (SELECT s.id, s.old_grade, s.score, jsonb_build_array(s.p0, s.p1, s.p2, s.p3, s.p4) AS bd,"
                "  CASE WHEN s.score >= 50 THEN 'MQL' WHEN s.score >= 30 THEN 'SQL' ELSE 'Lead' END AS grade FROM s),"
                " upd AS (UPDATE leads_lead l SET score = g.score, grade = g.grade, score_breakdown = g.bd,"
                "  scored_with_id = %s, scored_at = now(), updated_at = now(),"
                "  mql_at = CASE WHEN g.grade = 'MQL' AND l.mql_at IS NULL THEN now() ELSE l.mql_at END"
                "  FROM g WHERE l.id = g.id AND (l.score, l.grade, l.score_breakdown, l.scored_with_id)"
                "  IS DISTINCT FROM (g.score, g.grade, g.bd, %s)"
                "  RETURNING l.id, l.owner_id, g.score, g.grade, g.bd, g.old_grade),"
                " hist AS (INSERT INTO leads_scorechange (lead_id, score, grade, breakdown, rule_set_id, reason,"
                "  created_at) SELECT id, score, grade, bd, %s, %s, now() FROM upd RETURNING 1),"
                # the change feed, as the app publishes it: lead.scored per change, lead.grade_changed
                # where the grade moved (the previous history row's grade: the lead's grade before)
                " ev AS (SELECT id, owner_id, grade, old_grade, jsonb_build_object('lead', id, 'score', score,"
                "  'grade', grade, 'previous_grade', old_grade, 'reason', %s::text) AS payload FROM upd),"
                " scored AS (INSERT INTO integrations_changeevent (event_type, object_type, object_id, owner_id,"
                "  payload, created_at) SELECT 'lead.scored', 'lead', id, owner_id, payload, now() FROM ev RETURNING 1)"
                " INSERT INTO integrations_changeevent (event_type, object_type, object_id, owner_id, payload,"
                "  created_at) SELECT 'lead.grade_changed', 'lead', id, owner_id, payload, now() FROM ev"
                "  WHERE grade <> old_grade",
                [types["whitepaper_download"], types["webinar_attended"], types["pricing_page_visit"],
                 rule_set.pk, rule_set.pk, rule_set.pk, ScoreChange.Reason.PUBLISH, ScoreChange.Reason.PUBLISH])

    raw_s, _ = timed("raw_sql", raw)
    from django.db.models import Count, Sum
    raw_grades = dict(Lead.objects.values_list("grade").annotate(n=Count("id")))
    raw_checksum = Lead.objects.aggregate(s=Sum("score"))["s"]
    raw_history = ScoreChange.objects.count()
    raw_mqls = Lead.objects.filter(mql_at__isnull=False).count()
    raw_changes = dict(ChangeEvent.objects.values_list("event_type").annotate(n=Count("id")))
    agree = (raw_grades == app_grades and raw_checksum == app_checksum and raw_history == app_history
             and raw_mqls == app_mqls == new_mqls and raw_changes == app_changes)
    print(f"raw_grades={raw_grades} raw_history={raw_history} raw_mqls={raw_mqls} app_changes={app_changes}"
          f" raw_changes={raw_changes} same_result={agree}", flush=True)

    latency = ""
    if not args.skip_latency and os.environ.get("CELERY_BROKER_URL"):
        latency = " " + measure_latency()
    print(f"RESULT name=rescore app_s={app_s:.2f} raw_s={raw_s:.2f} ratio={app_s / raw_s:.2f} "
          f"leads={n} events={events} app_us_per_lead={app_s / n * 1e6:.2f} raw_us_per_lead={raw_s / n * 1e6:.2f} "
          f"new_mqls={new_mqls} rerun_s={rerun_s:.2f} same_result={agree}{latency}", flush=True)


QUEUE = "bench_rescore_chunks"


def _result() -> dict:
    from django.db.models import Count, Sum

    from leads.models import Lead, ScoreChange
    return {"grades": dict(Lead.objects.values_list("grade").annotate(n=Count("id"))),
            "checksum": Lead.objects.aggregate(s=Sum("score"))["s"], "history": ScoreChange.objects.count(),
            "mqls": Lead.objects.filter(mql_at__isnull=False).count()}


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run_workers(workers: int, *, n: int, events: int, rule_set, reset) -> None:
    """The same full rescore as a chunked job (leads.models.RescoreChunk): first in this process
    (the reference result), then run by 1 and by `workers` Celery worker processes. The chunk
    messages go to a queue of their own that the bench workers alone consume; the routing of the
    new MQLs the workers queue (default queue) is counted and purged, not run (bench/routing.py)."""
    import redis
    from django.conf import settings

    from leads.models import RescoreJob
    from leads.services.scoring import rescore_chunks_work, rescore_job_split
    from leads.tasks import rescore_chunk_task
    from salesops.celery import app

    def new_job():
        job = RescoreJob.objects.create(rule_set=rule_set, total=n, last_id=0, max_id=n)
        rescore_job_split(job=job)
        return job

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    print(f"chunk_size={settings.LEADS_RESCORE_CHUNK_SIZE} broker={settings.CELERY_BROKER_URL} load={_load()}",
          flush=True)
    from unittest import mock
    with mock.patch("leads.services.scoring._queue_routing"):
        in_process_s, _ = timed("chunked_in_process", lambda: rescore_chunks_work(job_id=new_job().pk))
    reference = _result()
    print(f"reference={reference}", flush=True)

    def run(count: int) -> tuple[float, bool, int]:
        reset()
        app.control.purge()
        broker.delete(QUEUE, "celery")
        job = new_job()
        env = {**os.environ, "DEBUG": "0"}
        procs = [subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "salesops", "worker", "--pool", "solo", "--loglevel=WARNING",
             "-Q", QUEUE, "--without-gossip", "--without-mingle", "--hostname", f"bench{k}-{os.getpid()}@%h"],
            cwd=ROOT, env=env, start_new_session=True) for k in range(count)]
        try:
            names = {f"bench{k}-{os.getpid()}@{os.uname().nodename}" for k in range(count)}
            deadline = time.time() + 120
            while time.time() < deadline:
                answered = {name for reply in app.control.ping(timeout=1) for name in reply}
                if names <= answered:
                    break
            else:
                raise SystemExit("the bench workers did not start")
            load_before = _load()
            start = time.perf_counter()
            for _ in range(job.chunks_total):
                rescore_chunk_task.apply_async(args=[job.pk], queue=QUEUE, ignore_result=True)
            while True:
                job.refresh_from_db()
                if job.status in ("done", "failed"):
                    break
                time.sleep(0.2)
            elapsed = time.perf_counter() - start
            routing_messages = broker.llen("celery")
            same = job.status == "done" and _result() == reference
            print(f"workers={count} wall_s={elapsed:.2f} status={job.status} chunks={job.chunks_done}/"
                  f"{job.chunks_total} changed={job.changed} routing_messages={routing_messages} same_result={same}"
                  f" load_before={load_before} load_after={_load()}", flush=True)
            return elapsed, same, routing_messages
        finally:
            import signal
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=60)
            broker.delete(QUEUE, "celery")

    one_s, one_same, routed = run(1)
    many_s, many_same, _ = run(workers)
    print(f"RESULT name=rescore_workers workers={workers} one_worker_s={one_s:.2f} workers_s={many_s:.2f}"
          f" speedup={one_s / many_s:.2f} in_process_s={in_process_s:.2f} leads={n} events={events}"
          f" us_per_lead_one={one_s / n * 1e6:.2f} us_per_lead_workers={many_s / n * 1e6:.2f}"
          f" routing_messages={routed} same_result={one_same and many_same} cores={os.cpu_count()}"
          f" load={_load()}", flush=True)


def measure_latency() -> str:
    """Post one event through the API with a real worker running; time until the new score is stored."""
    import statistics

    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from leads.models import Lead
    from salesops.celery import app
    from teams.models import User

    user, _ = User.objects.get_or_create(username="bench-integration", defaults={"role": User.Role.ADMIN})
    token, _ = Token.objects.get_or_create(user=user)
    app.control.purge()
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "salesops", "worker", "--concurrency=1",
                               "--loglevel=WARNING", "--without-gossip", "--without-mingle"], cwd=ROOT,
                              env={**os.environ})
    try:
        deadline = time.time() + 60
        while not app.control.ping(timeout=1) and time.time() < deadline:
            pass
        client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
        samples = []
        # leads without a pricing-page visit yet, so one more visit adds 20 points
        leads = list(Lead.objects.exclude(events__event_type__code="pricing_page_visit").order_by("id")[:11])
        for i, lead in enumerate(leads):
            before = lead.score
            start = time.perf_counter()
            response = client.post("/api/v1/lead-events/", {
                "lead": lead.pk, "type": "pricing_page_visit", "occurred_at": timezone.now().isoformat(),
                "external_id": f"bench-{lead.pk}-{time.time()}"}, content_type="application/json")
            assert response.status_code == 201, response.content
            while Lead.objects.filter(pk=lead.pk, score=before).exists():
                if time.perf_counter() - start > 30:
                    raise SystemExit("the worker did not rescore within 30 s")
                time.sleep(0.005)
            elapsed = time.perf_counter() - start
            if i:  # the first one warms the worker up
                samples.append(elapsed)
        p50, worst = statistics.median(samples), max(samples)
        print(f"event_to_score_p50_s={p50:.3f} event_to_score_max_s={worst:.3f}", flush=True)
        return f"event_to_score_p50_s={p50:.3f} event_to_score_max_s={worst:.3f}"
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
