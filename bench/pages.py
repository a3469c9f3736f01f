"""Benchmark: server time and query count of the lead pages at a large table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_bench_w7_200k \
    .venv/bin/python bench/pages.py [--leads 200000] [--reuse]

Uses the leads of the database named in DATABASE_URL (generated like bench/rescore.py's unless
`--reuse` finds N there). Requests run in-process through Django's test client as an
administrator (every lead visible), so the time is the server's: the lead list's first page, its
page 4,000 by OFFSET (`?page=4000`) and the same rows by keyset (`?after=<cursor>`), and a lead's
detail page. Each is the median of 5 runs after one warm-up. Ends with
`RESULT name=pages list_first_ms=... list_page4000_offset_ms=... list_page4000_keyset_ms=...`.
Not covered yet: the board, the deal list and dashboard home at 1M deals (they need deal data).
"""
import argparse
import statistics
import time

# bench/ is on sys.path
from _setup import configure, ensure_database, generate_leads

configure(database="salesops_bench_pages")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    ensure_database("bench/pages.py")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from leads.models import Lead
    from salesops.keyset import encode_cursor
    from teams.models import User

    n = args.leads
    if not (args.reuse and Lead.objects.count() == n):
        generate_leads(n, events_per_lead=1, varied=True)
    from django.conf import settings
    from django.test.utils import override_settings

    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    admin, _ = User.objects.get_or_create(username="bench-pages-admin", defaults={"role": User.Role.ADMIN})
    client = Client()
    client.force_login(admin)

    def measure(label, url, params=None):
        client.get(url, params or {})  # warm-up
        times, count = [], 0
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url, params or {})
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            count = len(queries)
        ms = statistics.median(times)
        print(f"{label}_ms={ms:.1f} {label}_queries={count}", flush=True)
        return ms, count

    deep = Lead.objects.order_by("-created_at", "-id")[3999 * 50 - 1:3999 * 50].get()  # last row of page 3,999
    figures = {
        "list_first": measure("list_first", "/leads/"),
        "list_page4000_offset": measure("list_page4000_offset", "/leads/", {"page": 4000}),
        "list_page4000_keyset": measure("list_page4000_keyset", "/leads/",
                                        {"after": encode_cursor(deep.created_at, deep.pk)}),
        "detail": measure("detail", f"/leads/{deep.pk}/"),
    }
    print("RESULT name=pages leads={} {}".format(n, " ".join(
        f"{k}_ms={ms:.1f} {k}_queries={q}" for k, (ms, q) in figures.items())), flush=True)


if __name__ == "__main__":
    main()
