"""Benchmark: each dashboard's server time vs the raw GROUP BY queries it needs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_bench_dashboards \
    .venv/bin/python bench/dashboards.py --opportunities 1000000 --leads 1000000

The database named in DATABASE_URL is created if missing and its deals and leads are REPLACED.
Data: N opportunities as bench/funnel.py generates them (generate_series, 8 teams, 80 reps, the six
default stages, two years), with a second ledger entry for every deal past the first stage (so time
in stage has real stays; each entry's stay_stage / stay_days filled as pipeline.services.ledger keeps
them), and M leads as bench/_setup.py generates them, then one UPDATE giving them
owners (the same 80 reps), ten sources, MQL / conversion / win dates and completeness; then ANALYZE.

For the manager and the marketing dashboard it times, as an administrator (every record) and as
one team's manager, the dashboard's server work — `dashboards.panels.build()` when the dashboards
are merged, else the same registry computations (`salesops.metrics`: compute for each tile,
breakdown for each table) — against the hand-written GROUP BY queries that answer the same figures,
and the tiles' queries over the previous period the KPI cards compare with (RAW_PREVIOUS; best of
--repeat each, after a warm-up). Ends with one line:
`RESULT name=dashboards manager_ms=… manager_raw_ms=… manager_ratio=… marketing_ms=… … opportunities=N leads=M`
Each page is timed twice: cold (`?refresh=1`: built live, as "Refresh now" and the warm job build it)
and served (the next view, from dashboards.board_cache, as users get it: `<prefix>_ms`, `<prefix>_ratio`);
`<prefix>_cold_ms` / `<prefix>_cold_ratio` are the live build against the raw queries.
Targets: ≤ 300 ms per dashboard and ratio ≤ 1.5 (targets_met: served; cold_ratios_met: live builds).
"""
import argparse
import sys
import time
from datetime import date

from _setup import configure, ensure_database, generate_leads  # bench/ is on sys.path

configure(database="salesops_bench_dashboards")

from funnel import generate as generate_opportunities  # noqa: E402  (after configure)

SOURCES = ["website", "webinar", "trade_show", "referral", "paid_search", "social", "email_campaign", "partner",
           "cold_call", "other"]

# What each dashboard computes from the registry when dashboards.panels is not there (the same
# tiles and tables as the issue lists): (metric code, group_by or None for the tile's compute).
REGISTRY_WORK = {
    "manager": [
        ("won_value", None), ("deals_won", None), ("win_rate", None), ("sales_cycle_days", None),
        ("forecast_weighted", None), ("quota_attainment", None), ("stalled_deals", None),
        ("deals_in_stage", "stage"), ("pipeline_amount", "stage"), ("stage_conversion", "stage"),
        ("time_in_stage_p50", "stage"), ("time_in_stage_p90", "stage"),
        ("won_value", "owner"), ("deals_won", "owner"), ("win_rate", "owner"), ("sales_cycle_days", "owner"),
        ("forecast_weighted", "owner"), ("quota_attainment", "owner"), ("stalled_deals", "owner"),
    ],
    "marketing": [
        ("lead_volume", None), ("mql_count", None), ("mql_rate", None), ("mql_to_opportunity", None),
        ("lead_to_won", None), ("data_completeness", None),
        ("lead_volume", "source"), ("mql_count", "source"), ("mql_rate", "source"),
        ("mql_to_opportunity", "source"), ("lead_to_won", "source"),
    ],
}

# The raw queries each dashboard needs; %(lo)s/%(hi)s = the period, %(d1)s/%(d2)s its days,
# %(trend_lo)s the start of the 12-month trend, %(owners)s the owners in scope (a subquery).
RAW = {
    "manager": [
        # funnel count and amount per stage (deals by the day they entered their current stage)
        "SELECT stage_id, COUNT(*), SUM(amount) FROM pipeline_opportunity"
        " WHERE stage_entered_at >= %(lo)s AND stage_entered_at < %(hi)s AND owner_id IN (%(owners)s) GROUP BY stage_id",
        # stage conversion: stages reached (ledger) by the same deals
        "SELECT t.to_stage_id, COUNT(DISTINCT t.opportunity_id) FROM pipeline_stagetransition t"
        " JOIN pipeline_opportunity o ON o.id = t.opportunity_id"
        " WHERE o.stage_entered_at >= %(lo)s AND o.stage_entered_at < %(hi)s AND o.owner_id IN (%(owners)s)"
        " GROUP BY t.to_stage_id",
        # closed in the period per rep and stage: won/lost counts, won value, average and median cycle
        "SELECT owner_id, stage_id, COUNT(*), SUM(amount), AVG(EXTRACT(EPOCH FROM closed_at - created_at)) / 86400,"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM closed_at - created_at))"
        " FROM pipeline_opportunity WHERE closed_at >= %(lo)s AND closed_at < %(hi)s AND owner_id IN (%(owners)s)"
        " GROUP BY owner_id, stage_id",
        # time in stage p50 / p90: the stays that ended in the period (each ledger entry carries the stay
        # it ends: stay_stage_id, stay_days — pipeline.services.ledger)
        "SELECT t.stay_stage_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY t.stay_days),"
        " percentile_cont(0.9) WITHIN GROUP (ORDER BY t.stay_days)"
        " FROM pipeline_stagetransition t JOIN pipeline_opportunity o ON o.id = t.opportunity_id"
        " WHERE t.at >= %(lo)s AND t.at < %(hi)s AND t.stay_stage_id IS NOT NULL AND o.owner_id IN (%(owners)s)"
        " GROUP BY t.stay_stage_id",
        # weighted forecast of open deals expected to close in the period, per rep
        "SELECT owner_id, SUM(amount * COALESCE(rep_probability, model_probability, stage_probability) / 100.0)"
        " FROM pipeline_opportunity WHERE closed_at IS NULL AND expected_close_date BETWEEN %(d1)s AND %(d2)s"
        " AND owner_id IN (%(owners)s) GROUP BY owner_id",
        # quotas of the period (attainment = won value above / quota)
        "SELECT user_id, SUM(amount) FROM teams_quota WHERE period_start <= %(d2)s AND period_end >= %(d1)s"
        " AND user_id IN (%(owners)s) GROUP BY user_id",
        # stalled open deals per rep
        "SELECT owner_id, COUNT(*) FROM pipeline_opportunity WHERE closed_at IS NULL AND stalled_at IS NOT NULL"
        " AND owner_id IN (%(owners)s) GROUP BY owner_id",
    ],
    "marketing": [
        # per source, leads created in the period: volume, MQLs, won, completeness
        "SELECT source, COUNT(*), COUNT(mql_at), COUNT(*) FILTER (WHERE won_at IS NOT NULL OR imported_converted),"
        " AVG(completeness) FROM leads_lead WHERE created_at >= %(lo)s AND created_at < %(hi)s"
        " AND owner_id IN (%(owners)s) GROUP BY source",
        # per source, leads that became MQL in the period: MQL count and how many converted
        "SELECT source, COUNT(*), COUNT(*) FILTER (WHERE converted_at IS NOT NULL OR imported_converted)"
        " FROM leads_lead WHERE mql_at >= %(lo)s AND mql_at < %(hi)s AND owner_id IN (%(owners)s) GROUP BY source",
        # MQL volume and MQL -> opportunity per month, the last 12 months
        "SELECT date_trunc('month', mql_at), COUNT(*), COUNT(converted_at) FROM leads_lead"
        " WHERE mql_at >= %(trend_lo)s AND owner_id IN (%(owners)s) GROUP BY 1",
    ],
}


# The KPI cards also show the previous period's value ("vs last period": from a KPI snapshot when one
# covers it, else computed — the bench has no snapshots): the tiles' queries again over that period.
RAW_PREVIOUS = {"manager": [2, 4, 5], "marketing": [0, 1]}


def previous_params(period):
    """The raw queries' period parameters for the period the KPI cards compare with (None: no cards do)."""
    try:
        from dashboards.comparisons import previous_period
    except ImportError:
        return None
    from pipeline.selectors.metrics import period_range

    previous = previous_period(period)
    if previous is None:
        return None
    low, high = period_range(previous.start, previous.end)
    return {"lo": low, "hi": high, "d1": previous.start, "d2": previous.end}


def timed(repeat: int, fn, *, warmup: bool) -> float:
    """Best of `repeat` runs of `fn` (seconds), after one untimed run unless `warmup` is False."""
    if warmup:
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def generate_stays_and_leads() -> None:
    """Second ledger entry for deals past the first stage; the leads get owners, sources and dates."""
    from django.db import connection

    from pipeline.models import Stage
    from pipeline.services.ledger import ledger_stays_backfill, opportunities_furthest_sync

    first = Stage.objects.order_by("order").values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pipeline_stagetransition t SET to_stage_id = %s, at = o.created_at"
                       " FROM pipeline_opportunity o WHERE o.id = t.opportunity_id AND o.stage_id <> %s", [first, first])
        cursor.execute(
            "INSERT INTO pipeline_stagetransition (opportunity_id, opportunity_ref, opportunity_name, from_stage_id,"
            " to_stage_id, by_id, at, reason, amount, currency, probability, kind)"
            " SELECT id, id, '', %s, stage_id, NULL, stage_entered_at, '', amount, currency, 0, 'imported'"
            " FROM pipeline_opportunity WHERE stage_id <> %s", [first, first])
        # stalled: one open deal in 25
        cursor.execute("UPDATE pipeline_opportunity SET stalled_at = stage_entered_at + interval '30 days'"
                       " WHERE closed_at IS NULL AND id %% 25 = 0", [])
        ledger_stays_backfill()  # the stay each entry ends, as the services keep it
        opportunities_furthest_sync()  # each deal's furthest stage, as the transition service keeps it
        cursor.execute("SELECT min(id) FROM teams_user WHERE username LIKE %s", ["bench.%"])
        user_lo = cursor.fetchone()[0]
        # 20 % become MQL two days after creation; a quarter of those convert, a third of those win
        cursor.execute(
            "UPDATE leads_lead SET owner_id = %s + id %% 80, source = (%s::text[])[1 + id %% 10],"
            " completeness = (id %% 11) * 10,"
            " mql_at = CASE WHEN id %% 5 = 0 THEN created_at + interval '2 days' END,"
            " converted_at = CASE WHEN id %% 20 = 0 THEN created_at + interval '9 days' END,"
            " won_at = CASE WHEN id %% 60 = 0 THEN created_at + interval '40 days' END",
            [user_lo, SOURCES])
        cursor.execute("ANALYZE")


def backtest_sql():
    """The marketing dashboard shows the published rule set's backtest: the raw form is the rule set's
    scoring statement over every lead, grouped by old and new grade (as leads.services.scoring runs it)."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from leads.models import Lead, RuleSet
    from leads.services import scoring

    current = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()
    bounds = Lead.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if current is None or bounds["lo"] is None:
        return None
    compiled = scoring.compile_rule_set(current, now=timezone.now())
    params = [bounds["lo"] if p == "__LO__" else bounds["hi"] if p == "__HI__" else p for p in compiled.params]
    return (f"SELECT s.old_grade, s.new_grade, COUNT(*), SUM(CASE WHEN s.converted_at IS NOT NULL THEN 1 ELSE 0 END)"
            f" FROM ({compiled.sql}) s GROUP BY s.old_grade, s.new_grade", params)


def bench_users():
    """An administrator (every record) and the manager of the first bench team (a tenth of them)."""
    from teams.models import Team, User

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": User.Role.ADMIN})
    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"role": User.Role.MANAGER})
    team = Team.objects.filter(name__startswith="Bench ").order_by("pk").first()
    Team.objects.filter(pk=team.pk).update(manager=manager)
    return {"admin": admin, "manager": manager}


# The dashboards' names in dashboards.views / dashboards.panels (manager = the sales dashboard).
PAGE_NAMES = {"manager": "sales", "marketing": "marketing"}


def dashboard_work(users, period):
    """(mode, fn(name, user)): the dashboard page itself (`GET /dashboards/<name>/` through the test
    client: middleware, view, panels, template) when the dashboards are merged; else
    `dashboards.panels.build`; else the same registry computations the dashboards make."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        urls = {name: reverse("dashboards:dashboard", kwargs={"name": page}) for name, page in PAGE_NAMES.items()}
    except NoReverseMatch:
        urls = None
    if urls:
        from django.conf import settings
        from django.test.utils import override_settings

        # static URLs without collectstatic's manifest (the bench runs from a work tree)
        override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
        cache_on = settings.SALESOPS_DASHBOARD_CACHE_SECONDS > 0
        clients = {}
        for user in users.values():
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        query = {"period": "custom", "start": period.start.isoformat(), "end": period.end.isoformat()}

        def page(name, user, refresh=False):
            response = clients[user.pk].get(urls[name], {**query, **({"refresh": "1"} if refresh else {})})
            assert response.status_code == 200, (name, response.status_code)
            # served from the cache unless refreshed (dashboards.board_cache), as users get it
            assert (b'data-from-cache="1"' in response.content) == (not refresh and cache_on), name
            return response
        return "view", page

    from django.utils import timezone

    from salesops import metrics
    from salesops.metrics import Scope

    try:
        from dashboards import panels
    except ImportError:
        panels = None
    if panels is not None and hasattr(panels, "build"):
        return "panels", lambda name, user, refresh=False: panels.build(PAGE_NAMES[name], Scope(user=user), period,
                                                                        timezone.localdate())

    def registry(name, user, refresh=False):
        out, scope = [], Scope(user=user)
        for code, group_by in REGISTRY_WORK[name]:
            metric = metrics.find(code)
            if metric is not None:
                out.append(metric.compute(scope, period) if group_by is None
                           else metric.breakdown(scope, period, group_by))
        return out
    return "registry", registry


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the data of a previous run with the same sizes")
    parser.add_argument("--detail", type=int, default=10, help="print the N slowest registry calls")
    parser.add_argument("--who", default="admin,manager",
                        help="whose dashboards: admin (every record) and/or manager (one team of eight)")
    parser.add_argument("--no-warmup", action="store_true", help="time the first call too (for long runs)")
    args = parser.parse_args()

    ensure_database("bench/dashboards.py")
    import django

    django.setup()
    from dateutil.relativedelta import relativedelta
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from leads.models import Lead
    from pipeline import forecasting
    from pipeline.models import Opportunity
    from pipeline.selectors.metrics import period_range
    from salesops import metrics
    from salesops.metrics import Period, Scope

    if not (args.reuse and Opportunity.objects.count() == args.opportunities
            and Lead.objects.count() == args.leads):
        start = time.perf_counter()
        # leads first (their TRUNCATE … CASCADE empties the deals, which may point at a lead), without
        # owners: funnel's generate replaces the bench reps; generate_stays_and_leads then gives them owners
        generate_leads(args.leads, events_per_lead=0)
        generate_opportunities(args.opportunities)
        generate_stays_and_leads()
        print(f"generate_s={time.perf_counter() - start:.1f}", flush=True)

    today = timezone.localdate()
    start_day, end_day = forecasting.default_funnel_period(today)
    period = Period(start_day, end_day)
    lo, hi = period_range(start_day, end_day)
    trend_lo = period_range(today.replace(day=1) - relativedelta(months=11), today)[0]
    users = {who: user for who, user in bench_users().items() if who in args.who.split(",")}
    mode, work = dashboard_work(users, period)
    missing = sorted({code for codes in REGISTRY_WORK.values() for code, _ in codes if metrics.find(code) is None})

    def owners_sql(user) -> str:
        if user.is_admin_role:
            return "SELECT id FROM teams_user"
        return f"SELECT u.id FROM teams_user u JOIN teams_team t ON t.id = u.team_id WHERE t.manager_id = {user.pk}"

    figures, plans = {}, []
    backtest = backtest_sql()
    before = previous_params(period)
    for who, user in users.items():
        params = {"lo": lo, "hi": hi, "d1": start_day, "d2": end_day, "trend_lo": trend_lo}
        for name, queries in RAW.items():
            sqls = [q.replace("%(owners)s", owners_sql(user)) for q in queries]
            extra = [backtest] if name == "marketing" and backtest else []
            previous = [(sqls[i], {**params, **before}) for i in RAW_PREVIOUS[name]] if before else []

            def raw(sqls=sqls, params=params, extra=extra, previous=previous):
                with connection.cursor() as cursor:
                    for sql in sqls:
                        cursor.execute(sql, params)
                        cursor.fetchall()
                    for sql, sql_params in previous:
                        cursor.execute(sql, sql_params)
                        cursor.fetchall()
                    for sql, sql_params in extra:
                        cursor.execute(sql, sql_params)
                        cursor.fetchall()

            # cold: built live ("Refresh now", the warm job); served: what a viewer gets afterwards
            cold_s = timed(args.repeat, lambda name=name, user=user: work(name, user, refresh=True),
                           warmup=not args.no_warmup)
            app_s = timed(args.repeat, lambda name=name, user=user: work(name, user), warmup=True)
            raw_s = timed(args.repeat, raw, warmup=True)
            figures[(who, name)] = (app_s * 1000, raw_s * 1000, cold_s * 1000)
            print(f"{who:7} {name:9} served_ms={app_s * 1000:8.1f} cold_ms={cold_s * 1000:8.1f} "
                  f"raw_ms={raw_s * 1000:8.1f} cold_ratio={cold_s / raw_s:5.2f}", flush=True)
            if who == "admin":
                with connection.cursor() as cursor:
                    for sql in sqls:
                        cursor.execute("EXPLAIN (ANALYZE, TIMING OFF) " + sql, params)
                        plan = [row[0] for row in cursor.fetchall()]
                        plans.append(f"{name}: {plan[-1].strip()} | {' / '.join(p.strip() for p in plan[:3])}")
    for line in plans:
        print(f"plan {line}")
    # where the registry time goes: each metric call once, as the administrator, slowest first
    timings = []
    for name, work_items in REGISTRY_WORK.items():
        for code, group_by in work_items:
            metric = metrics.find(code)
            if metric is None:
                continue
            scope = Scope(user=next(iter(users.values())))
            call = ((lambda m=metric, s=scope: m.compute(s, period)) if group_by is None
                    else (lambda m=metric, s=scope, g=group_by: m.breakdown(s, period, g)))
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started, f"{name}:{code}{'/' + group_by if group_by else ''}"))
    for seconds, label in sorted(timings, reverse=True)[:args.detail]:
        print(f"metric {label} {seconds * 1000:.1f} ms")
    if missing:
        print(f"not registered (left out of the registry mode): {', '.join(missing)}")
    parts = []
    for name in RAW:
        for who, prefix in (("admin", name), ("manager", f"{name}_team")):
            if (who, name) in figures:
                app_ms, raw_ms, cold_ms = figures[(who, name)]
                parts.append(f"{prefix}_ms={app_ms:.1f} {prefix}_raw_ms={raw_ms:.1f} {prefix}_ratio={app_ms / raw_ms:.2f}"
                             f" {prefix}_cold_ms={cold_ms:.1f} {prefix}_cold_ratio={cold_ms / raw_ms:.2f}")
    ok = all(a <= 300 and a / r <= 1.5 for (a, r, _c) in figures.values())
    cold_ok = all(c / r <= 1.5 for (_a, r, c) in figures.values())
    print(f"RESULT name=dashboards {' '.join(parts)} mode={mode} opportunities={args.opportunities} "
          f"leads={args.leads} period={start_day}..{end_day} date={date.today()} targets_met={int(ok)}"
          f" cold_ratios_met={int(cold_ok)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
