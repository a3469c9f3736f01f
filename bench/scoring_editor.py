"""Benchmark: the scoring editor page's "how many leads would change grade" (the set-based backtest
it runs on every visit) at 10k and 100k leads, as marketing sees it (every lead).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_bench_w2 .venv/bin/python bench/scoring_editor.py

The database named in DATABASE_URL is created if missing and its leads are REPLACED.
Prints `RESULT name=scoring_editor leads=<n> page_s=<x> backtest_s=<y>` per size.
"""
import os
import sys
import time

from _setup import configure, ensure_database, generate_leads

configure(database="salesops_bench_w2")


def main():
    ensure_database("bench/scoring_editor.py")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from leads.models import RuleSet
    from leads.services.scoring import leads_rescore_range, rule_set_backtest, rule_set_create_draft
    from teams.models import User

    marketing, _ = User.objects.get_or_create(username="bench.marketing", defaults={"role": "marketing"})
    published = RuleSet.objects.get(status=RuleSet.Status.PUBLISHED)
    draft = RuleSet.objects.filter(status=RuleSet.Status.DRAFT).first() or rule_set_create_draft(
        by=marketing, name="Bench draft", copy_from=published)
    draft.attribute_rules.filter(field="company_size").update(value=500)
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
    for n in sizes:
        generate_leads(n, events_per_lead=3)
        leads_rescore_range(lo=1, hi=n, reason="import")
        start = time.perf_counter()
        result = rule_set_backtest(rule_set=draft, user=marketing)
        backtest_s = time.perf_counter() - start
        client = Client()
        client.force_login(marketing)
        client.get(f"/leads/scoring/{draft.pk}/edit/", HTTP_HOST="localhost")  # warm up (templates, URLs)
        start = time.perf_counter()
        response = client.get(f"/leads/scoring/{draft.pk}/edit/", {"count": 1}, HTTP_HOST="localhost")
        page_s = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        changed = sum(m["count"] for m in result["moves"])
        print(f"RESULT name=scoring_editor leads={n} would_change={changed} backtest_s={backtest_s:.3f} "
              f"page_s={page_s:.3f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
