"""Shared set-up of the benchmark scripts: environment defaults and a PostgreSQL bench database."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def configure(*, database: str) -> None:
    """Settings for a bench run (production-like, DEBUG off) unless the caller's environment says otherwise."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def ensure_database(script: str) -> None:
    """Create the database named in DATABASE_URL if missing; benchmarks measure PostgreSQL only."""
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    if url.scheme not in ("postgres", "postgresql"):
        sys.exit(f"{script} measures PostgreSQL: set DATABASE_URL=postgres://...")
    name = url.path.lstrip("/")
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def generate_leads(n: int, *, events_per_lead: int, varied: bool = False) -> None:
    """Replace the leads (and their events, scores, jobs) with `n` generated leads, each with
    `events_per_lead` behaviour events spread over the last 400 days. Needs django.setup().

    `varied`: event types drawn by a hash of (lead, k) instead of a fixed stride, so that leads get
    every combination of events and the default rule set gives every grade (MQLs included)."""
    from django.db import connection

    from leads.models import EventType

    type_ids = list(EventType.objects.order_by("id").values_list("id", flat=True))
    pick = ("((hashint8(l.id * 16 + k)::bigint %% %s) + %s) %% %s" if varied else "(l.id * 7 + k * 3) %% %s")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE leads_lead, leads_leadevent, leads_scorechange, leads_assignment, "
                       "leads_nurtureenrollment, leads_nurturesend, leads_rescorejob RESTART IDENTITY CASCADE")
        cursor.execute(
            "INSERT INTO leads_lead (name, email, phone, company, industry, company_size, region, job_title,"
            " source, consent, do_not_email, status, origin, last_activity, total_visits, time_on_site,"
            " external_ref, score, grade, score_breakdown, completeness, created_at, updated_at,"
            " disqualified_reason, version, imported_from, business_segment, date_unknown, lead_type, source_detail,"
            " utm_source, utm_medium, utm_campaign, utm_term, utm_content)"
            " SELECT 'Lead ' || g, 'lead' || g || '@bench.example', '', 'Company ' || (g %% 5000),"
            " (ARRAY['technology','finance','retail','manufacturing','healthcare'])[1 + g %% 5],"
            " (ARRAY[10, 200, 800, 1500, 5000])[1 + (g / 7) %% 5], 'east', '', 'website', true, false, 'new',"
            " '', '', g %% 20, g %% 3600, '', 0, '', '[]'::jsonb, 0,"
            " now() - (g %% 700) * interval '1 day', now(), '', 1, '', '', false, '', '', '', '', '', '', ''"
            " FROM generate_series(1, %s) g", [n])
        cursor.execute(
            "INSERT INTO leads_leadevent (lead_id, event_type_id, occurred_at, external_id, received_at)"
            f" SELECT l.id, (%s::bigint[])[1 + {pick}], now() - ((l.id + k) %% 400) * interval '1 day',"
            " NULL, now() FROM leads_lead l CROSS JOIN generate_series(1, %s) k",
            [type_ids, *([len(type_ids)] * pick.count("%s")), events_per_lead])
        cursor.execute("ANALYZE leads_lead")
        cursor.execute("ANALYZE leads_leadevent")
