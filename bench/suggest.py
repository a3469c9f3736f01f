"""Benchmark: suggested weights (leads.services.scoring_suggest) on a big lead table — the job is
bounded by SALESOPS_SUGGEST_MAX_LEADS whatever the table's size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_bench_w1 \
    .venv/bin/python bench/suggest.py --leads 1000000

The database named in DATABASE_URL is created if missing and its leads are REPLACED. Data: N leads
(bench/_setup.generate_leads, events varied) whose outcome depends on industry, company size, time
on site and demo requests, not only on what the default rules score. Prints the phases (sample +
read, fit, draft + two held-out histograms) and ends with
`RESULT name=suggest leads=N used=<rows> job_s=<x> auc_base=<a> auc_suggested=<b>`.
"""
import argparse
import time

from _setup import configure, ensure_database, generate_leads

configure(database="salesops_bench_w1")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--events-per-lead", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse the leads already in the database")
    args = parser.parse_args()

    ensure_database("bench/suggest.py")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from leads import scoring_suggest as pure
    from leads.models import Lead, RuleSet
    from leads.services import scoring_suggest as services
    from leads.services.scoring_quality import Segment
    from teams.models import User

    n = args.leads
    start = time.perf_counter()
    if not args.keep or Lead.objects.count() != n:
        generate_leads(n, events_per_lead=args.events_per_lead, varied=True)
    demo = "(SELECT id FROM leads_eventtype WHERE code = 'demo_request')"
    with connection.cursor() as cursor:  # the outcome, from a hash of the id independent of the attributes
        cursor.execute(
            "UPDATE leads_lead l SET converted_at = CASE WHEN abs(hashint8(l.id)) % 100 < 8"
            "   + CASE WHEN l.industry = 'technology' THEN 12 ELSE 0 END"
            "   + CASE WHEN l.company_size > 1000 THEN 8 ELSE 0 END + CASE WHEN l.time_on_site > 2400 THEN 15 ELSE 0 END"
            f"   + CASE WHEN EXISTS (SELECT 1 FROM leads_leadevent e WHERE e.lead_id = l.id AND e.event_type_id = {demo})"
            "     THEN 10 ELSE 0 END THEN l.created_at + interval '20 days' END")
        cursor.execute("VACUUM ANALYZE leads_lead")
    print(f"generate_s={time.perf_counter() - start:.2f} leads={n}", flush=True)

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": User.Role.ADMIN})
    base = RuleSet.objects.get(status=RuleSet.Status.PUBLISHED)
    cap = settings.SALESOPS_SUGGEST_MAX_LEADS
    # the phases, timed one by one (the job below does the same in one go)
    t = time.perf_counter()
    leads = services.sampled_leads(user=admin, segment=Segment(), max_leads=cap)
    history = services.suggestion_history(leads=leads, as_of=timezone.now())
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    result = pure.suggest(history, held_out_share=0.25, random_state=16, grade_names=["MQL", "SQL", "Lead"])
    fit_s = time.perf_counter() - t
    print(f"read_s={read_s:.2f} rows={len(history.ids)} events_rows={len(history.event_counts)} fit_s={fit_s:.2f}"
          f" features={len(result.features)} rules={len(result.rules)}", flush=True)

    t = time.perf_counter()
    # without a broker the task runs eagerly when the start commits; with one, a worker takes it
    suggestion = services.suggestion_start(by=admin, base_rule_set=base)
    done = services.suggestion_run(suggestion_id=suggestion.pk) or suggestion
    while True:
        done.refresh_from_db()
        if done.is_finished:
            break
        time.sleep(0.5)
    job_s = time.perf_counter() - t
    base_f, sugg_f = done.figures["base"], done.figures["suggested"]
    print(f"status={done.status} train={done.train_size} held_out={done.held_out_size}", flush=True)
    print("lift_base=" + ", ".join(f"{d['lift']:.2f}" for d in base_f["deciles"]), flush=True)
    print("lift_suggested=" + ", ".join(f"{d['lift']:.2f}" for d in sugg_f["deciles"]), flush=True)
    print(f"RESULT name=suggest leads={n} used={done.leads_used} job_s={job_s:.2f} auc_base={base_f['auc']:.4f}"
          f" auc_suggested={sugg_f['auc']:.4f}", flush=True)


if __name__ == "__main__":
    main()
