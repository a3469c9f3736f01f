"""Quality on history on the public X Education leads (shared/data/real, see SOURCES.md there).

Imports the 9,240 real leads with the saved "X Education" mapping (its "Total Time Spent on Website"
is kept as the lead's time_on_site), builds a rule set with one rule "time on site over 1,000
seconds", and checks its AUC and grade conversions against figures computed here from the CSV file
with the csv module: AUC by average ranks of a sorted list (not our histogram code)."""
import csv

import pytest
from django.conf import settings

from leads.models import ImportMapping
from leads.services.imports import leads_import
from leads.services.scoring import rule_set_save_draft
from leads.services.scoring_quality import rule_set_quality
from tests.real_data import real_data_file

pytestmark = pytest.mark.django_db

LEADS_CSV = settings.SALESOPS_REAL_DATA_DIR / "x-education-leads" / "Leads.csv"


def from_the_file():
    """[(score, converted)] per row: 10 points for more than 1,000 seconds on the site."""
    rows = []
    with open(LEADS_CSV, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            seconds = row["Total Time Spent on Website"].strip()
            rows.append((10 if seconds and float(seconds) > 1000 else 0, row["Converted"].strip() == "1"))
    return rows


def rank_auc(rows):
    """Mann–Whitney: sum of the converters' average ranks (ascending score, ties share their ranks)."""
    ordered = sorted(rows)
    ranks, i = [0.0] * len(ordered), 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            j += 1
        for k in range(i, j):
            ranks[k] = (i + 1 + j) / 2  # average of ranks i+1..j
        i = j
    n_pos = sum(1 for _s, c in ordered if c)
    n_neg = len(ordered) - n_pos
    rank_sum = sum(r for r, (_s, c) in zip(ranks, ordered) if c)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def test_one_rule_on_time_on_site_has_the_auc_and_grade_conversions_of_the_file(org):
    real_data_file("x-education-leads", "Leads.csv")
    result = leads_import(by=org["admin"], data=LEADS_CSV.read_bytes(),
                          mapping=ImportMapping.objects.get(name="X Education"))
    assert result.ok, result.errors[:5]
    draft = rule_set_save_draft(
        by=org["marketing"], name="Time on site", behaviour_rules=[],
        attribute_rules=[{"field": "time_on_site", "operator": "gt", "value": 1000, "points": 10,
                          "label": "More than 1,000 seconds on the site"}],
        grades=[{"name": "Engaged", "lower_bound": 10}, {"name": "Other", "lower_bound": None}])
    report = rule_set_quality(rule_set=draft, user=org["admin"])

    rows = from_the_file()
    expected_auc = rank_auc(rows)
    engaged = [c for s, c in rows if s == 10]
    other = [c for s, c in rows if s == 0]
    print(f"\nX Education, one rule (time on site > 1,000 s): AUC app={report['auc']:.4f} file={expected_auc:.4f};"
          f" Engaged {sum(engaged)}/{len(engaged)} = {sum(engaged) / len(engaged):.3f},"
          f" Other {sum(other)}/{len(other)} = {sum(other) / len(other):.3f}")
    assert report["leads"] == len(rows) == 9240
    assert report["auc"] == pytest.approx(expected_auc, abs=1e-12)
    grades = {g["grade"]: g for g in report["grades"]}
    assert (grades["Engaged"]["leads"], grades["Engaged"]["converted"]) == (len(engaged), sum(engaged))
    assert (grades["Other"]["leads"], grades["Other"]["converted"]) == (len(other), sum(other))
    assert grades["Engaged"]["conversion"] == pytest.approx(sum(engaged) / len(engaged))
    low, high = grades["Engaged"]["interval"]
    assert low < grades["Engaged"]["conversion"] < high
    # the one rule's effect is the same split, seen from the rule
    rule = report["rules"][0]
    assert (rule["fires"], rule["with"]["positives"]) == (len(engaged), sum(engaged))
    assert rule["without"]["conversion"] == pytest.approx(sum(other) / len(other))
