"""The SQL compilation of a rule set agrees with the pure-Python definition (leads.scoring)."""
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from leads import scoring
from leads.models import EventType, Lead, LeadEvent, RuleSet, ScoreChange
from leads.services.scoring import (lead_rescore, leads_rescore_range, rule_set_create_draft, rule_set_spec)
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def add_events(lead, *codes, days_ago=1):
    types = {t.code: t for t in EventType.objects.all()}
    for code in codes:
        LeadEvent.objects.create(lead=lead, event_type=types[code], occurred_at=timezone.now() - timedelta(days=days_ago))


def rescore(lead):
    lead_rescore(lead_id=lead.pk, reason="data")
    lead.refresh_from_db()
    return lead


class TestPlaybookExample:
    def test_finance_5000_whitepaper_pricing_scores_55_mql(self, org):
        lead = LeadFactory(industry="finance", company_size=5000, owner=org["owner"])
        add_events(lead, "whitepaper_download", "pricing_page_visit")
        lead = rescore(lead)
        assert (lead.score, lead.grade) == (55, "MQL")
        assert lead.score_breakdown == [15, 10, 10, 0, 20]
        assert lead.mql_at is not None

    def test_retail_200_webinar_scores_20_lead(self, org):
        lead = LeadFactory(industry="retail", company_size=200, owner=org["owner"])
        add_events(lead, "webinar_attended")
        assert (rescore(lead).score, lead.grade) == (20, "Lead")

    def test_technology_50_webinar_scores_35_sql(self, org):
        lead = LeadFactory(industry="technology", company_size=50, owner=org["owner"])
        add_events(lead, "webinar_attended")
        assert (rescore(lead).score, lead.grade) == (35, "SQL")


def test_history_is_written_only_when_the_score_changes(org):
    lead = LeadFactory(industry="finance", company_size=10)
    rescore(lead)
    rescore(lead)
    assert list(ScoreChange.objects.filter(lead=lead).values_list("score", "grade")) == [(15, "Lead")]
    add_events(lead, "webinar_attended")
    rescore(lead)
    assert ScoreChange.objects.filter(lead=lead).count() == 2


def test_a_rerun_over_a_range_changes_nothing(org):
    LeadFactory.create_batch(5, industry="technology")
    first, last = Lead.objects.order_by("pk").values_list("pk", flat=True)[::4]
    assert leads_rescore_range(lo=first, hi=last, reason="data") == 5
    assert leads_rescore_range(lo=first, hi=last, reason="data") == 0


def test_sql_and_python_agree_on_random_leads_and_rules(org):
    rng = random.Random(7)
    published = RuleSet.objects.get(status="published")
    draft = rule_set_create_draft(by=org["admin"], name="Random", copy_from=published)
    types = list(EventType.objects.all())
    draft.attribute_rules.create(field="job_title", operator="contains", value="chief", points=7)
    draft.attribute_rules.create(field="region", operator="equals", value="EAST", points=3)
    draft.attribute_rules.create(field="total_visits", operator="lt", value=3, points=-4)
    draft.attribute_rules.create(field="origin", operator="is_set", value=None, points=2)
    draft.attribute_rules.create(field="company", operator="contains", value="50%_off", points=1)
    draft.behaviour_rules.create(event_type=types[3], points=3, max_count=None, window_days=30)
    draft.behaviour_rules.create(event_type=types[4], points=-2, max_count=2, window_days=None)
    leads = []
    for _i in range(40):
        lead = LeadFactory(
            industry=rng.choice(["technology", "finance", "retail", ""]),
            company_size=rng.choice([None, 10, 1000, 1001, 5000]),
            job_title=rng.choice(["Chief Officer", "CHIEF", "analyst", ""]),
            region=rng.choice(["east", "north", ""]), total_visits=rng.choice([None, 0, 2, 3, 9]),
            origin=rng.choice(["", "  ", "Landing Page"]), company=rng.choice(["Acme", "Big 50%_off sale", "50x off"]))
        for _ in range(rng.randint(0, 6)):
            LeadEvent.objects.create(lead=lead, event_type=rng.choice(types),
                                     occurred_at=timezone.now() - timedelta(days=rng.choice([1, 20, 45, 400])))
        leads.append(lead)
    now = timezone.now()
    leads_rescore_range(lo=leads[0].pk, hi=leads[-1].pk, reason="data", rule_set=draft, now=now)
    spec = rule_set_spec(draft)
    fields = scoring.FIELDS
    for lead in leads:
        lead.refresh_from_db()
        events = [(e.event_type.code, e.occurred_at) for e in lead.events.select_related("event_type")]
        expected = scoring.score_lead(spec, {f: getattr(lead, f) for f in fields}, events, now)
        assert (lead.score, lead.grade, tuple(lead.score_breakdown)) == (expected.score, expected.grade, expected.points)
