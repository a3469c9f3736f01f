"""The monthly review pack shows the current rule set's quality on history: AUC and grade conversion."""
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.review import selectors as review_selectors
from leads.models import Lead, RuleSet
from leads.scoring_quality import Bin, auc
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_pack_has_the_current_rule_sets_auc_and_grade_conversions(org, client):
    # the default set: technology/finance +15, over 1,000 people +10; MQL ≥ 50, SQL ≥ 30, Lead the rest
    made = [("technology", 5000, True), ("technology", 5000, True), ("finance", 10, False),
            ("retail", 5000, True), ("retail", 10, False), ("retail", 10, True)]
    for industry, size, converted in made:
        LeadFactory(industry=industry, company_size=size, owner=org["owner"],
                    converted_at=timezone.now() if converted else None)
    later = LeadFactory(industry="technology", company_size=5000, converted_at=timezone.now())
    Lead.objects.filter(pk=later.pk).update(created_at=timezone.make_aware(datetime(2026, 12, 5)))  # after the month
    Lead.objects.exclude(pk=later.pk).update(created_at=timezone.make_aware(datetime(2026, 11, 5)))
    pack = review_selectors.review_pack(user=org["marketing"], month=date(2026, 11, 1))
    quality = pack.scoring_quality
    assert quality["rule_set"]["id"] == RuleSet.objects.get(status="published").pk
    assert quality["leads"] == 6
    # scores 25, 25, 15, 10, 0, 0 with outcomes 1, 1, 0, 1, 0, 1
    assert quality["auc"] == pytest.approx(auc([Bin(25, 2, 2), Bin(15, 1, 0), Bin(10, 1, 1), Bin(0, 2, 1)]))
    assert quality["auc"] == pytest.approx((2 * 2 + 1 * 1 + 1 * 0.5) / (4 * 2))
    lead = next(g for g in quality["grades"] if g["grade"] == "Lead")
    assert (lead["leads"], lead["converted"], lead["pct"]) == (6, 4, 66.7)
    assert lead["low_pct"] < 66.7 < lead["high_pct"]
    client.force_login(org["marketing"])
    html = client.get(reverse("dashboards:review", kwargs={"month": "2026-11"})).content.decode()
    assert 'data-section="scoring-quality"' in html and f'{quality["auc"]:.3f}' in html
