"""The backtest on the public X Education leads (shared/data/real, see SOURCES.md there).

Imports the 9,240 real leads with the saved "X Education" mapping, backtests a rule set built for
them, and checks the per-grade counts and conversion rates against figures computed here
independently from the CSV file with the csv module (not with our importer or scoring code).
"""
import csv

import pytest
from django.conf import settings

from leads.models import ImportMapping, Lead
from leads.services.imports import leads_import
from leads.services.scoring import rule_set_backtest, rule_set_save_draft
from tests.real_data import real_data_file

pytestmark = pytest.mark.django_db

LEADS_CSV = settings.SALESOPS_REAL_DATA_DIR / "x-education-leads" / "Leads.csv"


def rule_set_rows():
    """A rule set a marketer might try on this data: form leads, SMS and time on site are hot."""
    return {
        "attribute_rules": [
            {"field": "origin", "operator": "equals", "value": "Lead Add Form", "points": 40, "label": "Add form"},
            {"field": "last_activity", "operator": "equals", "value": "SMS Sent", "points": 25, "label": "SMS"},
            {"field": "time_on_site", "operator": "gt", "value": 900, "points": 20, "label": "Long visit"},
            {"field": "last_activity", "operator": "equals", "value": "Olark Chat Conversation", "points": -10,
             "label": "Chat only"},
        ],
        "grades": [{"name": "Hot", "lower_bound": 40}, {"name": "Warm", "lower_bound": 20},
                   {"name": "Cold", "lower_bound": None}],
    }


def independent_figures():
    """Per grade: (leads, converted), straight from the file."""
    figures = {"Hot": [0, 0], "Warm": [0, 0], "Cold": [0, 0]}
    with open(LEADS_CSV, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            score = 0
            score += 40 if row["Lead Origin"].strip().lower() == "lead add form" else 0
            activity = row["Last Activity"].strip().lower()
            score += 25 if activity == "sms sent" else 0
            seconds = row["Total Time Spent on Website"].strip()
            score += 20 if seconds and float(seconds) > 900 else 0
            score += -10 if activity == "olark chat conversation" else 0
            grade = "Hot" if score >= 40 else "Warm" if score >= 20 else "Cold"
            figures[grade][0] += 1
            figures[grade][1] += row["Converted"].strip() == "1"
    return figures


def test_the_backtest_on_real_leads_matches_an_independent_computation(org):
    real_data_file("x-education-leads", "Leads.csv")
    result = leads_import(by=org["admin"], data=LEADS_CSV.read_bytes(),
                          mapping=ImportMapping.objects.get(name="X Education"))
    assert result.ok, result.errors[:5]
    assert Lead.objects.count() == 9240
    # the file's "Converted" is imported history: counted by the backtest, never a conversion done here
    assert Lead.objects.filter(imported_converted=True).count() == 3561
    assert not Lead.objects.filter(converted_at__isnull=False).exists()

    draft = rule_set_save_draft(by=org["marketing"], name="X Education test", attribute_rules=rule_set_rows()["attribute_rules"],
                                behaviour_rules=[], grades=rule_set_rows()["grades"])
    backtest = rule_set_backtest(rule_set=draft, user=org["admin"])
    expected = independent_figures()
    assert backtest["total"] == 9240
    got = {g["grade"]: g for g in backtest["grades"]}
    for grade, (leads, converted) in expected.items():
        assert got[grade]["proposed"] == leads, grade
        assert got[grade]["converted"] == converted, grade
        assert got[grade]["conversion_rate"] == pytest.approx(converted / leads), grade
    # the rule set separates converters from the rest: hot converts far better than cold
    assert got["Hot"]["conversion_rate"] > 2 * got["Cold"]["conversion_rate"]
