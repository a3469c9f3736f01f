"""Benchmark: routing many new MQLs at once (leads.services.routing.leads_route), leads per second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_bench_routing \
    .venv/bin/python bench/routing.py --leads 200000 --mqls 100000 [--reuse]

The database named in DATABASE_URL is created if missing and its leads are REPLACED (unless
`--reuse` finds N leads there already). Data: N leads; the first `--mqls` are new MQLs without an
owner; the others are history owned by 20 reps of one team (one in ten still open, the rest
disqualified), so the reps' open-lead loads are real numbers that routing must read. One routing
rule sends every lead to that team; the reps' capacity is high enough that all MQLs get a rep.
Each run resets the MQLs (owner, assignments, notifications) first. Prints progress and ends with
`RESULT name=routing leads=N routed=M leads_per_s=<x> ...`; run it at two table sizes to see the
rate stay flat.
"""
import argparse
import time

# bench/ is on sys.path
from _setup import configure, ensure_database, generate_leads

configure(database="salesops_bench_routing")

REPS = 20


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--mqls", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep the leads already there when their number is N")
    args = parser.parse_args()
    n, mqls = args.leads, min(args.mqls, args.leads)

    ensure_database("bench/routing.py")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from leads.models import Lead, RoutingRule
    from leads.services.routing import leads_route
    from teams.models import Team, User

    start = time.perf_counter()
    if args.reuse and Lead.objects.count() == n:
        print("generate_s=reused", flush=True)
    else:
        generate_leads(n, events_per_lead=0)
        print(f"generate_s={time.perf_counter() - start:.2f}", flush=True)

    team, _ = Team.objects.get_or_create(name="Bench routing")
    reps = []
    for i in range(REPS):
        rep, _ = User.objects.get_or_create(username=f"bench-rep-{i}", defaults={
            "role": User.Role.REP, "team": team, "email": "", "first_name": "Rep", "last_name": str(i)})
        reps.append(rep)
    User.objects.filter(pk__in=[r.pk for r in reps]).update(team=team, role=User.Role.REP, lead_capacity=1_000_000,
                                                           is_away=False, is_active=True, last_lead_assigned_at=None)
    RoutingRule.objects.exclude(team=team).update(is_active=False)
    RoutingRule.objects.get_or_create(name="Bench: every lead", team=team, defaults={"priority": 1})
    rep_ids = [r.pk for r in reps]

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE leads_assignment, teams_notification")
        cursor.execute(
            "UPDATE leads_lead SET owner_id = NULL, status = 'new', mql_at = now(), assigned_at = NULL,"
            " first_touch_due_at = NULL, first_touched_at = NULL WHERE id <= %s", [mqls])
        cursor.execute(
            "UPDATE leads_lead SET owner_id = (%s::bigint[])[1 + id %% %s],"
            " status = CASE WHEN id %% 10 = 0 THEN 'working' ELSE 'disqualified' END"
            " WHERE id > %s AND owner_id IS DISTINCT FROM (%s::bigint[])[1 + id %% %s]",
            [rep_ids, REPS, mqls, rep_ids, REPS])
    connection.ensure_connection()
    autocommit = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE leads_lead")
    connection.connection.autocommit = autocommit
    open_before = Lead.objects.filter(owner_id__in=rep_ids).exclude(status__in=["converted", "disqualified"]).count()
    print(f"leads={n} mqls={mqls} reps={REPS} open_leads_before={open_before}", flush=True)

    step = max(mqls // 10, 1)
    began = time.perf_counter()

    def progress(done, total):
        if done % step < 200 or done == total:
            elapsed = time.perf_counter() - began
            print(f"progress={done}/{total} elapsed_s={elapsed:.1f} leads_per_s={done / elapsed:.0f}", flush=True)

    assignments = leads_route(lead_ids=range(1, mqls + 1), on_progress=progress)
    elapsed = time.perf_counter() - began
    routed = sum(1 for a in assignments if a.rep_id)
    loads = sorted(Lead.objects.filter(id__lte=mqls, owner_id__in=rep_ids).values_list("owner_id")
                   .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")).values_list("n", flat=True))
    print(f"route_s={elapsed:.2f} routed={routed} queued={len(assignments) - routed} "
          f"per_rep_min={loads[0] if loads else 0} per_rep_max={loads[-1] if loads else 0}", flush=True)
    print(f"RESULT name=routing leads={n} mqls={mqls} routed={routed} route_s={elapsed:.2f} "
          f"leads_per_s={mqls / elapsed:.0f} ms_per_lead={elapsed / mqls * 1000:.3f}", flush=True)


if __name__ == "__main__":
    main()
