"""Benchmark: the funnel service (per-stage count and amount, last 3 months) vs the raw SQL GROUP BY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_bench_funnel \
    .venv/bin/python bench/funnel.py --opportunities 1000000

The database named in DATABASE_URL is created if missing and its opportunities are REPLACED. Data:
N opportunities (INSERT ... SELECT generate_series) spread over the last 2 years across the six
default stages, 8 teams, 80 reps and 2,000 accounts, one ledger entry each, then ANALYZE. Times
`pipeline.selectors.metrics.funnel_stages` (the ORM query + the stage list, what the funnel API runs per stage)
against the hand-written `SELECT stage_id, COUNT(*), SUM(amount) ... GROUP BY stage_id` over the same
period (best of --repeat runs each, after a warm-up), checks both agree, also times the whole
`funnel_figures` (conversion, win rate, cycle, won value) and ends with
`RESULT name=funnel app_s=<x> raw_s=<y> ratio=<x/y> opportunities=N ...`.
"""
import argparse
import sys
import time

from _setup import configure, ensure_database  # bench/ is on sys.path

configure(database="salesops_bench_funnel")

RAW_SQL = ("SELECT stage_id, COUNT(*), SUM(amount) FROM pipeline_opportunity "
           "WHERE stage_entered_at >= %s AND stage_entered_at < %s GROUP BY stage_id")


def best_of(repeat, fn):
    fn()  # warm-up (plans, caches)
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def generate(n: int):
    from django.db import connection

    from pipeline.models import Stage

    stage_ids = list(Stage.objects.order_by("order").values_list("pk", flat=True))
    closed_won, closed_lost = (Stage.objects.get(code="closed_won").pk, Stage.objects.get(code="closed_lost").pk)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE pipeline_opportunity, pipeline_stagetransition, pipeline_opportunityline, "
                       "pipeline_forecastsnapshot, pipeline_stagewinrate, customers_account, customers_activity, "
                       "customers_contact RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM teams_user WHERE username LIKE 'bench.%%'", [])
        cursor.execute("DELETE FROM teams_team WHERE name LIKE 'Bench %%'", [])
        cursor.execute("INSERT INTO teams_team (name, created_at, regional_office)"
                       " SELECT 'Bench ' || g, now(), '' FROM generate_series(1, 8) g")
        cursor.execute(
            "INSERT INTO teams_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined, role, team_id, is_away, lead_capacity, language)"
            " SELECT '!', false, 'bench.' || g, 'Rep', g::text, '', false, true, now(), 'rep',"
            " (SELECT id FROM teams_team WHERE name = 'Bench ' || (1 + g %% 8)), false, 50, ''"
            " FROM generate_series(1, 80) g", [])
        cursor.execute("SELECT min(id), max(id) FROM teams_user WHERE username LIKE 'bench.%%'", [])
        user_lo, user_hi = cursor.fetchone()
        cursor.execute(
            "INSERT INTO customers_account (name, industry, employees, region, owner_id, domain, external_ref,"
            " created_at, updated_at, source_attributes) SELECT 'Account ' || g,"
            " (ARRAY['technology','finance','retail','manufacturing'])[1 + g %% 4],"
            " 100 + g, 'east', %s + g %% 80, '', '', now(), now(), '{}'::jsonb FROM generate_series(1, 2000) g", [user_lo])
        cursor.execute("SELECT min(id) FROM customers_account")
        account_lo = cursor.fetchone()[0]
        # stage mix: open 40% (10/10/10/10), won 35%, lost 25%; dates over the last 730 days
        cursor.execute(
            "INSERT INTO pipeline_opportunity (name, account_id, owner_id, team_id, stage_id, stage_entered_at,"
            " amount, currency, discount_percent, stage_probability, forecast_category, expected_close_date,"
            " closed_at, confirmed_needs, need_tags, decision_makers, next_step, loss_note, version, external_ref,"
            " created_at, updated_at, amount_known, date_unknown, furthest_stage_id)"
            " SELECT 'Deal ' || g, %(account_lo)s + g %% 2000, u.id, u.team_id, s.stage_id, s.entered,"
            " ((g * 7919) %% 200000 + 1000)::numeric(14,2), 'CNY', 0, 0, 'pipeline', (s.entered + interval '30 days')::date,"
            " CASE WHEN s.stage_id IN (%(won)s, %(lost)s) THEN s.entered END, '', '[]'::jsonb, '', '', '', 1, '',"
            " s.entered - ((g %% 120) || ' days')::interval, now(), true, false, NULL"
            " FROM generate_series(1::bigint, %(n)s) g"
            " JOIN teams_user u ON u.id = %(user_lo)s + g %% 80"
            " CROSS JOIN LATERAL (SELECT (ARRAY[%(s1)s,%(s2)s,%(s3)s,%(s4)s,%(won)s,%(won)s,%(won)s,%(lost)s,%(won)s,"
            "   %(lost)s])[1 + g %% 10] AS stage_id,"
            "   now() - ((g * 104729) %% (730 * 86400) || ' seconds')::interval AS entered) s",
            {"account_lo": account_lo, "user_lo": user_lo, "n": n, "won": closed_won, "lost": closed_lost,
             "s1": stage_ids[0], "s2": stage_ids[1], "s3": stage_ids[2], "s4": stage_ids[3]})
        cursor.execute(
            "INSERT INTO pipeline_stagetransition (opportunity_id, opportunity_ref, opportunity_name, from_stage_id,"
            " to_stage_id, by_id, at, reason, amount, currency, probability, kind)"
            " SELECT id, id, '', NULL, stage_id, NULL, stage_entered_at, '', amount,"
            " currency, 0, 'imported' FROM pipeline_opportunity")
    from pipeline.services.ledger import opportunities_furthest_sync

    opportunities_furthest_sync()  # each deal's furthest stage from its ledger, as the services keep it
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert user_hi - user_lo == 79


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the data of a previous run with the same N")
    args = parser.parse_args()

    ensure_database("bench/funnel.py")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from pipeline import forecasting
    from pipeline.selectors import metrics
    from pipeline.models import Opportunity

    n = args.opportunities
    if not (args.reuse and Opportunity.objects.count() == n):
        start = time.perf_counter()
        generate(n)
        print(f"generate_s={time.perf_counter() - start:.2f}", flush=True)

    start_day, end_day = forecasting.default_funnel_period(timezone.localdate())
    low, high = metrics.period_range(start_day, end_day)

    def app():
        return metrics.funnel_stages(queryset=Opportunity.objects.all(), start=start_day, end=end_day)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [low, high])
            return cursor.fetchall()

    app_s, app_rows = best_of(args.repeat, app)
    raw_s, raw_rows = best_of(args.repeat, raw)
    expected = {stage_id: (count, amount) for stage_id, count, amount in raw_rows}
    # the bench data is in one currency, so the per-currency amounts add up to the raw SUM
    got = {row["stage"]: (row["count"], sum(a["amount"] for a in row["amounts"])) for row in app_rows if row["count"]}
    agree = got == expected
    in_period = sum(count for count, _amount in expected.values())
    full_s, figures = best_of(max(1, args.repeat // 2), lambda: metrics.funnel_figures(
        queryset=Opportunity.objects.all(), start=start_day, end=end_day))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + RAW_SQL, [low, high])
        plan = " | ".join(row[0].strip() for row in cursor.fetchall())
    print(f"plan={plan}")
    print(f"period={start_day}..{end_day} deals_in_period={in_period} win_rate={figures['win_rate']}")
    if not agree:
        print(f"MISMATCH app={got} raw={expected}")
    print(f"RESULT name=funnel app_s={app_s:.4f} raw_s={raw_s:.4f} ratio={app_s / raw_s:.2f} opportunities={n} "
          f"deals_in_period={in_period} agree={int(agree)} full_funnel_s={full_s:.3f}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
