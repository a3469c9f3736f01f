"""Import the real Maven CRM pipeline and check the funnel service against plain-Python figures.

The data set lives outside the repository (settings.SALESOPS_REAL_DATA_DIR, see ../shared/data/real/
SOURCES.md); the test skips, saying why, where it is absent. Expected figures are computed here with
the csv module only, independently of the importer and of pipeline.selectors.metrics.
"""
import csv
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from pipeline.selectors import metrics
from pipeline.importing import opportunities_import, read_dataset
from pipeline.models import Opportunity, StageTransition
from tests.real_data import real_data_file

FOLDER = settings.SALESOPS_REAL_DATA_DIR / "maven-crm-sales-opportunities"
PIPELINE = FOLDER / "sales_pipeline.csv"
STAGES = {"Won": "closed_won", "Lost": "closed_lost", "Engaging": "needs_confirmed", "Prospecting": "lead_identified"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _data_set():
    real_data_file("maven-crm-sales-opportunities", "sales_pipeline.csv")


def read(name):
    with open(FOLDER / name, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def expected_figures():
    teams = {t["sales_agent"]: f"{t['regional_office']} – {t['manager']}" for t in read("sales_teams.csv")}
    count, amount = Counter(), defaultdict(Decimal)
    won_by_agent, won_by_team = defaultdict(Decimal), defaultdict(Decimal)
    for row in read("sales_pipeline.csv"):
        stage = STAGES[row["deal_stage"]]
        # amounts as the file gives them (issue 13): lost 0 stays 0, an open deal's blank is an empty amount
        value = Decimal(row["close_value"] or "0")
        if not row["engage_date"]:
            continue  # no date in the file (Prospecting): in no dated period, only in period=all
        count[stage] += 1
        amount[stage] += value
        if row["deal_stage"] == "Won":
            won_by_agent[row["sales_agent"]] += value
            won_by_team[teams[row["sales_agent"]]] += value
    return count, amount, won_by_agent, won_by_team


def test_imported_real_pipeline_matches_independent_figures():
    result = opportunities_import(dataset=read_dataset(PIPELINE))
    assert result.created == 8800 and Opportunity.objects.count() == 8800

    count, amount, won_by_agent, won_by_team = expected_figures()
    figures = metrics.funnel_figures(queryset=Opportunity.objects.all(), start=date(2016, 1, 1),
                                     end=timezone.localdate())
    by_stage = {row["code"]: row for row in figures["stages"]}
    assert by_stage["lead_identified"]["count"] == 0 and "lead_identified" not in count  # date unknown
    for code, n in count.items():
        assert by_stage[code]["count"] == n, code
        assert by_stage[code]["amounts"] == [{"currency": "USD", "amount": amount[code]}], code
    assert count["closed_won"] == 4238 and amount["closed_won"] == Decimal("10005534")

    won, lost = count["closed_won"], count["closed_lost"]
    assert (figures["won"], figures["lost"]) == (won, lost)
    assert figures["win_rate"] == round(100.0 * won / (won + lost), 2)

    assert {row["currency"] for key in ("by_owner", "by_team", "by_product")
            for row in figures["won_value"][key]} == {"USD"}
    by_owner = {row["name"]: row["amount"] for row in figures["won_value"]["by_owner"]}
    assert by_owner == dict(won_by_agent)
    assert {row["team_name"]: row["amount"] for row in figures["won_value"]["by_team"]} == dict(won_by_team)
    assert sum(row["amount"] for row in figures["won_value"]["by_product"]) == amount["closed_won"]

    # the file's closed deals within 2017 only: same win rate as a plain count over close_date
    rows = [r for r in read("sales_pipeline.csv") if r["close_date"].startswith("2017-0")]
    in_h1 = metrics.funnel_figures(queryset=Opportunity.objects.all(), start=date(2017, 1, 1), end=date(2017, 9, 30))
    h1_won = sum(r["deal_stage"] == "Won" for r in rows)
    assert (in_h1["won"], in_h1["lost"]) == (h1_won, len(rows) - h1_won)

    ledger = StageTransition.objects.filter(kind="imported").count()
    assert ledger == 8800 + won + lost
    again = opportunities_import(dataset=read_dataset(PIPELINE))
    assert (again.created, again.unchanged) == (0, 8800) and StageTransition.objects.count() == ledger
