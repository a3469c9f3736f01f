"""Benchmark: leads upserted and behaviour events ingested per second through the API.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesops_bench_w4 \
    .venv/bin/python bench/ingest.py --leads 5000 --events 20000

The database named in DATABASE_URL is created if missing and its leads are REPLACED. Requests go
through the whole Django stack (middleware, token authentication, DRF, services) with Django's test
client, in batches of 100 and of 1,000: `POST /api/v1/leads/upsert/` (new leads, then the same
batches again, which change nothing) and `POST /api/v1/lead-events/` (new events spread over the
upserted leads). The background tasks queued after each commit (completeness, rescoring) are not
sent: the bench measures the request path; the leads' "needs rescore" marks are still written, as in
production. Prints
key=value figures and ends with
`RESULT name=ingest upsert_100_per_s=... upsert_1000_per_s=... events_100_per_s=... events_1000_per_s=...`.
"""
import argparse
import json
import time

# bench/ is on sys.path
from _setup import configure, ensure_database

configure(database="salesops_bench_w4")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=5000, help="leads upserted per batch size")
    parser.add_argument("--events", type=int, default=20000, help="events posted per batch size")
    args = parser.parse_args()

    ensure_database("bench/ingest.py")
    import django

    django.setup()
    from unittest import mock

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from rest_framework.authtoken.models import Token

    from teams.models import User

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE leads_lead, leads_leadevent, leads_scorechange, leads_assignment, "
                       "leads_nurtureenrollment, leads_nurturesend, leads_rescorejob RESTART IDENTITY CASCADE")
    admin, _ = User.objects.get_or_create(username="bench-integration",
                                          defaults={"role": User.Role.ADMIN, "is_staff": True})
    token, _ = Token.objects.get_or_create(user=admin)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_HOST="localhost")

    def post(url, body):
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 201), (response.status_code, response.content[:500])
        return response.json()

    figures = {}
    # the tasks queued after commit would need a broker: count them, do not run them
    with mock.patch("salesops.queue.enqueue"):
        for size in (100, 1000):
            batches = [[{"source_system": "bench", "external_ref": f"b{size}-{i}", "name": f"Lead {size}-{i}",
                         "email": f"lead{size}-{i}@bench.example", "company": f"Company {i % 500}",
                         "company_size": 10 + i % 5000, "source": "website"}
                        for i in range(start, min(start + size, args.leads))]
                       for start in range(0, args.leads, size)]
            for label, expected in (("upsert", "created"), ("upsert_again", "unchanged")):
                start = time.perf_counter()
                for batch in batches:
                    result = post("/api/v1/leads/upsert/", batch)
                    assert result[expected] == len(batch), result
                elapsed = time.perf_counter() - start
                figures[f"{label}_{size}_per_s"] = args.leads / elapsed
                print(f"{label}_batch={size} items={args.leads} s={elapsed:.2f} per_s={args.leads / elapsed:.0f}",
                      flush=True)
            emails = [f"lead{size}-{i}@bench.example" for i in range(args.leads)]
            types = ["site_visit", "pricing_page_visit", "webinar_attended", "email_click"]
            events = [{"email": emails[(i * 7) % len(emails)], "type": types[i % len(types)],
                       "occurred_at": f"2026-0{1 + i % 9}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
                       "external_id": f"e{size}-{i}"} for i in range(args.events)]
            start = time.perf_counter()
            for first in range(0, args.events, size):
                post("/api/v1/lead-events/", events[first:first + size])
            elapsed = time.perf_counter() - start
            figures[f"events_{size}_per_s"] = args.events / elapsed
            print(f"events_batch={size} items={args.events} s={elapsed:.2f} per_s={args.events / elapsed:.0f}",
                  flush=True)
    print("RESULT name=ingest " + " ".join(f"{key}={value:.0f}" for key, value in figures.items()), flush=True)


if __name__ == "__main__":
    main()
