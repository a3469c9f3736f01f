"""Issue 13, X Education and Olist: load the real files through `manage.py load_public_datasets`, then
read the figures through the API and compare them with figures computed here with the csv module only.

The data sets live outside the repository (settings.SALESOPS_REAL_DATA_DIR, ../shared/data/real/SOURCES.md);
the tests skip where they are absent (fail with SALESOPS_REQUIRE_REAL_DATA=1).
"""
import csv
import statistics
from collections import Counter
from datetime import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.real_data import real_data_file

pytestmark = pytest.mark.django_db


def read(*parts):
    with open(real_data_file(*parts), newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def load(code) -> str:
    out = StringIO()
    call_command("load_public_datasets", "--only", code, "--as-user", "boss",
                 "--folder", str(settings.SALESOPS_REAL_DATA_DIR), stdout=out)
    return out.getvalue()


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def rates(rows, key) -> dict:
    """{value: conversion %} computed like the product: one decimal."""
    total, converted = Counter(), Counter()
    for row in rows:
        total[key(row)] += 1
        converted[key(row)] += row["Converted"] == "1" if "Converted" in row else row["won"]
    return {k: round(100.0 * converted[k] / total[k], 1) for k in total}


def breakdown(client, metric, group_by) -> dict:
    found = get(client, f"/api/v1/metrics/{metric}/", period="all", group_by=group_by)
    return {row["key"]: row["value"] for row in found["rows"]}


def test_x_education_conversion_by_verbatim_source_origin_and_time_on_site(org, api):
    rows = read("x-education-leads", "Leads.csv")
    summary = load("x-education")
    assert f"Rows read: {len(rows)}; created {len(rows)}, updated 0, skipped (already imported) 0." in summary
    sources = {r["Lead Source"] for r in rows}
    assert f"Lead Source: {len(sources)} values kept verbatim" in summary
    assert f"{len(rows)} leads marked “date unknown”" in summary
    client = api.as_user(org["admin"])

    by_source = breakdown(client, "lead_to_won", "source_detail")
    assert by_source == rates(rows, lambda r: r["Lead Source"].strip())
    assert len(by_source) == len(sources) and {"Google", "google"} <= set(by_source)  # verbatim, not folded
    assert breakdown(client, "lead_to_won", "origin") == rates(rows, lambda r: r["Lead Origin"].strip())

    def band(row):
        seconds = row["Total Time Spent on Website"]
        return None if seconds == "" else "over_1000" if int(seconds) > 1000 else "up_to_1000"
    by_time = breakdown(client, "lead_to_won", "time_on_site")
    expected = rates(rows, band)
    assert by_time["over_1000"] == expected["over_1000"] and by_time["up_to_1000"] == expected["up_to_1000"]
    over = sum(1 for r in rows if band(r) == "over_1000")
    assert get(client, "/api/v1/leads/", min_time_on_site=1001)["count"] == over
    origin = rows[0]["Lead Origin"]
    assert get(client, "/api/v1/leads/", origin=origin)["count"] == sum(r["Lead Origin"] == origin for r in rows)

    # the file has no dates: over all time every lead, in any dated period none (not "created today")
    everything = get(client, "/api/v1/metrics/lead_to_won/", period="all")
    assert everything["count"] == len(rows)
    assert everything["value"] == round(100.0 * sum(r["Converted"] == "1" for r in rows) / len(rows), 1)
    assert get(client, "/api/v1/metrics/lead_volume/")["count"] == 0
    assert get(client, "/api/v1/reports/lead-quality/")["results"] == []


def test_olist_conversion_by_origin_and_median_days_to_close(org, api):
    mqls = read("olist-marketing-funnel", "olist_marketing_qualified_leads_dataset.csv")
    deals = {d["mql_id"]: d for d in read("olist-marketing-funnel", "olist_closed_deals_dataset.csv")}
    summary = load("olist")
    assert (f"Rows read: {len(mqls) + len(deals)}; leads created {len(mqls)}, updated 0, skipped (unchanged) 0; "
            f"{len(deals)} won outcomes") in summary
    client = api.as_user(org["admin"])

    rows = [{**m, "won": m["mql_id"] in deals} for m in mqls]
    assert breakdown(client, "lead_to_won", "origin") == rates(rows, lambda r: r["origin"])
    assert get(client, "/api/v1/leads/", origin="social")["count"] == sum(m["origin"] == "social" for m in mqls)

    first = {m["mql_id"]: datetime.fromisoformat(m["first_contact_date"]) for m in mqls}
    days = [(datetime.fromisoformat(d["won_date"]) - first[ref]).total_seconds() / 86400 for ref, d in deals.items()]
    found = get(client, "/api/v1/metrics/lead_days_to_won/", period="all")
    assert found["count"] == len(deals)
    assert found["value"] == round(statistics.median(days), 1)
    assert min(days) < 0  # one deal is won before its first contact in the file: kept as given

    # imported history counts as history: the lead-quality report shows the leads in their months
    per_month = Counter(m["first_contact_date"][:7] for m in mqls)
    won_per_month = Counter(m["first_contact_date"][:7] for m in mqls if m["mql_id"] in deals)
    start, end = min(per_month), max(per_month)
    report = get(client, "/api/v1/reports/lead-quality/", start=start, end=end)["results"]
    months, won = Counter(), Counter()
    for row in report:
        months[row["month"][:7]] += row["leads"]
        won[row["month"][:7]] += row["won"]
    assert months == per_month and won == won_per_month

    # again: a known lead whose facts differ from the file is updated by its mql_id, not skipped
    from leads.models import Lead

    ref = next(iter(deals))
    Lead.objects.filter(external_ref=ref).update(origin="edited", won_at=None, imported_converted=None)
    summary = load("olist")
    assert f"leads created 0, updated 1, skipped (unchanged) {len(mqls) - 1}" in summary
    lead = Lead.objects.get(external_ref=ref)
    assert (lead.origin, lead.imported_converted, lead.won_at is not None) == (
        next(m["origin"] for m in mqls if m["mql_id"] == ref), True, True)
