"""Suggested weights on the public X Education leads (shared/data/real, see SOURCES.md there; skipped
where absent): the suggested draft finds converters better than the default rule set on the
held-out leads, and a re-run gives the same figures."""
from unittest import mock

import pytest
from django.conf import settings

from leads.models import ImportMapping
from leads.services import scoring_suggest as services
from leads.services.imports import leads_import
from leads.services.scoring import published_rule_set
from tests.real_data import real_data_file

pytestmark = pytest.mark.django_db

LEADS_CSV = settings.SALESOPS_REAL_DATA_DIR / "x-education-leads" / "Leads.csv"


def test_the_suggested_rule_set_beats_the_default_on_held_out_leads(org):
    real_data_file("x-education-leads", "Leads.csv")
    result = leads_import(by=org["admin"], data=LEADS_CSV.read_bytes(),
                          mapping=ImportMapping.objects.get(name="X Education"))
    assert result.ok, result.errors[:5]
    with mock.patch("leads.services.scoring_suggest.enqueue_on_commit"):
        suggestion = services.suggestion_start(by=org["marketing"], base_rule_set=published_rule_set())
    done = services.suggestion_run(suggestion_id=suggestion.pk)
    assert done.status == "done", (done.error_code, done.error)
    base, suggested = done.figures["base"], done.figures["suggested"]
    print(f"\nX Education, {done.held_out_size} held-out leads of {done.leads_used} "
          f"(trained on {done.train_size}): AUC default set={base['auc']:.4f}, suggested={suggested['auc']:.4f}; "
          f"{len(done.rules)} rules; top decile lift default={base['deciles'][0]['lift']:.2f} "
          f"suggested={suggested['deciles'][0]['lift']:.2f}")
    for rule in sorted(done.rules, key=lambda r: -abs(r["points"]))[:8]:
        print(f"  {rule['points']:+4d}  {rule['field'] or rule['event_type']} {rule['operator']} {rule['value']}"
              f"  coef={rule['why']['coefficient']:.3f} support={rule['why']['support']}")
    for grade in suggested["grades"]:
        print(f"  grade {grade['grade']}: {grade['leads']} leads, conversion {grade['conversion']}")
    assert done.leads_used == 9240
    assert base["leads"] == suggested["leads"] == done.held_out_size
    assert suggested["auc"] > base["auc"]
    assert suggested["auc"] > 0.8
    conversions = [g["conversion"] for g in suggested["grades"] if g["leads"]]
    assert conversions == sorted(conversions, reverse=True)  # the bands order the leads on held-out rows too
