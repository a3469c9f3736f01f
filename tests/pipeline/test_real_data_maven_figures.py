"""Issue 13, Maven: load the real files through `manage.py load_public_datasets`, then read the figures
through the API and compare them with figures computed here from the files with the csv module only.

The data set lives outside the repository (settings.SALESOPS_REAL_DATA_DIR, ../shared/data/real/SOURCES.md);
the test skips where it is absent (fails with SALESOPS_REQUIRE_REAL_DATA=1).
"""
import csv
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.real_data import real_data_file

pytestmark = pytest.mark.django_db
STAGES = {"Won": "closed_won", "Lost": "closed_lost", "Engaging": "needs_confirmed", "Prospecting": "lead_identified"}


def read(name):
    path = real_data_file("maven-crm-sales-opportunities", name)
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_maven_figures_through_the_api_match_the_file(org, api):
    pipeline, accounts, teams = read("sales_pipeline.csv"), read("accounts.csv"), read("sales_teams.csv")
    sector = {a["account"]: a["sector"] for a in accounts}
    office = {t["sales_agent"]: t["regional_office"] for t in teams}
    value_per_stage, count_per_stage = defaultdict(Decimal), Counter()
    office_won, office_lost, sector_won = Counter(), Counter(), defaultdict(Decimal)
    for row in pipeline:
        stage = STAGES[row["deal_stage"]]
        count_per_stage[stage] += 1
        value_per_stage[stage] += Decimal(row["close_value"] or "0")
        if stage == "closed_won":
            office_won[office[row["sales_agent"]]] += 1
            sector_won[sector[row["account"]]] += Decimal(row["close_value"])
        elif stage == "closed_lost":
            office_lost[office[row["sales_agent"]]] += 1
    aliases = Counter(r["product"] for r in pipeline if r["product"] == "GTXPro")

    out = StringIO()
    call_command("load_public_datasets", "--only", "maven-crm", "--as-user", "boss",
                 "--folder", str(settings.SALESOPS_REAL_DATA_DIR), stdout=out)
    summary = out.getvalue()
    assert f"Rows read: {len(pipeline)}; created {len(pipeline)}, updated 0, skipped (unchanged) 0." in summary
    assert f"GTXPro → GTX Pro ({aliases['GTXPro']} rows)" in summary
    assert f"Kept verbatim: {len(set(sector.values()))} sectors" in summary
    client = api.as_user(org["admin"])

    # won and lost value per stage, over the whole span: the file's close_value, nothing invented
    found = get(client, "/api/v1/metrics/pipeline_amount/", period="all", group_by="stage")
    per_stage = {row["key"]: row for row in found["rows"]}
    for stage, n in count_per_stage.items():
        assert per_stage[stage]["count"] == n, stage
        assert Decimal(per_stage[stage]["per_currency"]["USD"]) == value_per_stage[stage], stage
    assert value_per_stage["closed_lost"] == 0 and value_per_stage["closed_won"] == Decimal("10005534")

    # open deals without a value: an empty amount, the list price only as an estimate
    open_deal = get(client, "/api/v1/opportunities/", is_open="true", amount_known="false")
    assert open_deal["count"] == count_per_stage["needs_confirmed"] + count_per_stage["lead_identified"]
    first = open_deal["results"][0]
    assert first["amount_known"] is False and Decimal(first["amount"]) == 0 and Decimal(first["amount_estimate"]) > 0

    # win rate per regional office
    found = get(client, "/api/v1/metrics/win_rate/", period="all", group_by="office")
    rates = {row["key"]: row["value"] for row in found["rows"]}
    assert rates == {name: round(100.0 * office_won[name] / (office_won[name] + office_lost[name]), 2)
                     for name in office_won | office_lost}
    assert len(rates) == 3

    # won value per sector, all ten as the file spells them (technolgy included)
    found = get(client, "/api/v1/metrics/won_value/", period="all", group_by="source_sector")
    per_sector = {row["key"]: Decimal(row["per_currency"]["USD"]) for row in found["rows"]}
    assert per_sector == dict(sector_won) and len(per_sector) == 10 and "technolgy" in per_sector

    # the funnel over the whole span: every deal, those of unknown date (Prospecting) included
    funnel = get(client, "/api/v1/metrics/funnel/", period="all")
    assert {row["code"]: row["count"] for row in funnel["stages"] if row["count"]} == dict(count_per_stage)
    won, lost = count_per_stage["closed_won"], count_per_stage["closed_lost"]
    assert (funnel["won"], funnel["lost"], funnel["start"]) == (won, lost, None)
    assert funnel["win_rate"] == round(100.0 * won / (won + lost), 2)
    # a dated period: deals of unknown date are in none (never "created at the import")
    dated = get(client, "/api/v1/metrics/funnel/", start="2017-01-01", end=date.today().isoformat())
    assert {row["code"]: row["count"] for row in dated["stages"]}["lead_identified"] == 0
    assert client.get("/api/v1/metrics/funnel/", {"period": "all", "start": "2016-01-01"}).status_code == 400

    # lists filter by what was imported: sector and office
    tech = sum(1 for r in pipeline if r["account"] and sector[r["account"]] == "technolgy")
    assert get(client, "/api/v1/opportunities/", sector="technolgy")["count"] == tech
    central = sum(1 for r in pipeline if office[r["sales_agent"]] == "Central")
    assert get(client, "/api/v1/opportunities/", office="Central")["count"] == central

    # again: nothing new, nothing changed
    out = StringIO()
    call_command("load_public_datasets", "--only", "maven-crm", "--as-user", "boss",
                 "--folder", str(settings.SALESOPS_REAL_DATA_DIR), stdout=out)
    assert f"created 0, updated 0, skipped (unchanged) {len(pipeline)}." in out.getvalue()
