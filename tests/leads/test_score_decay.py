"""Score decay: behaviour points fade with age (a half-life per event type, as data), the same in
Python (leads.scoring) and in the set-based SQL, and a nightly job rescores the leads they fade on."""
import random
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from leads import scoring
from leads.models import EventType, Lead, LeadEvent, RuleSet, ScoreChange
from leads.services.scoring import leads_rescore_decayed, leads_rescore_range, rule_set_create_draft, rule_set_spec
from tests.leads.factories import LeadFactory

NOW = datetime(2026, 6, 1, 12, tzinfo=dt_timezone.utc)


def at(days_ago):
    return NOW - timedelta(days=days_ago)


class TestPure:
    def test_weights_halve_every_half_life(self):
        assert scoring.decay_weight(0, 10) == 1
        assert scoring.decay_weight(10, 10) == 0.5
        assert scoring.decay_weight(20, 10) == 0.25
        assert scoring.decay_weight(-3, 10) == 1  # dated in the future: full weight
        assert scoring.decay_weight(10**9, 1) == 0.5 ** scoring.MAX_HALF_LIVES  # no underflow

    def test_points_are_the_capped_weights_times_points_rounded_half_up(self):
        rule = scoring.BehaviourRule("pricing_page_visit", 20, None, None, "", half_life_days=10)
        events = [("pricing_page_visit", at(0)), ("pricing_page_visit", at(10)), ("site_visit", at(0))]
        assert scoring.behaviour_points(rule, events, NOW) == 30  # (1 + ½) × 20
        capped = scoring.BehaviourRule("pricing_page_visit", 20, 1, None, "", half_life_days=10)
        assert scoring.behaviour_points(capped, events, NOW) == 20
        five = scoring.BehaviourRule("pricing_page_visit", 5, None, None, "", half_life_days=10)
        assert scoring.behaviour_points(five, [("pricing_page_visit", at(10))], NOW) == 3   # 2.5 → 3
        minus = scoring.BehaviourRule("pricing_page_visit", -5, None, None, "", half_life_days=10)
        assert scoring.behaviour_points(minus, [("pricing_page_visit", at(10))], NOW) == -2  # -2.5 → -2
        windowed = scoring.BehaviourRule("pricing_page_visit", 20, None, 5, "", half_life_days=10)
        assert scoring.behaviour_points(windowed, events, NOW) == 20  # the 10-day-old one is outside

    def test_without_a_half_life_nothing_changes(self):
        rule = scoring.BehaviourRule("pricing_page_visit", 20, None, None, "")
        assert scoring.behaviour_points(rule, [("pricing_page_visit", at(400))] * 2, NOW) == 40


@pytest.mark.django_db
def test_sql_and_python_agree_with_fading_event_types(org):
    rng = random.Random(3)
    types = list(EventType.objects.order_by("id"))
    for event_type, half_life in zip(types[:3], [7, 30, 1]):
        EventType.objects.filter(pk=event_type.pk).update(half_life_days=half_life)
    draft = rule_set_create_draft(by=org["admin"], name="Decay", copy_from=RuleSet.objects.get(status="published"))
    draft.behaviour_rules.all().delete()
    draft.behaviour_rules.create(event_type=types[0], points=10, max_count=None, window_days=None)
    draft.behaviour_rules.create(event_type=types[1], points=-7, max_count=2, window_days=60)
    draft.behaviour_rules.create(event_type=types[2], points=25, max_count=1, window_days=None)
    draft.behaviour_rules.create(event_type=types[3], points=3, max_count=None, window_days=30)  # does not fade
    now = timezone.now()
    leads = []
    for _i in range(30):
        lead = LeadFactory()
        for _ in range(rng.randint(0, 6)):
            LeadEvent.objects.create(lead=lead, event_type=rng.choice(types[:4]),
                                     occurred_at=now - timedelta(days=rng.choice([0, 1, 3, 6.5, 20, 45, 90, 400]),
                                                                 hours=rng.randint(0, 23)))
        leads.append(lead)
    leads_rescore_range(lo=leads[0].pk, hi=leads[-1].pk, reason="data", rule_set=draft, now=now)
    spec = rule_set_spec(draft)
    assert [r.half_life_days for r in spec.behaviour_rules] == [7, 30, 1, None]
    faded = 0
    for lead in leads:
        lead.refresh_from_db()
        events = [(e.event_type.code, e.occurred_at) for e in lead.events.select_related("event_type")]
        expected = scoring.score_lead(spec, {f: getattr(lead, f) for f in scoring.FIELDS}, events, now)
        assert (lead.score, lead.grade, tuple(lead.score_breakdown)) == (expected.score, expected.grade, expected.points)
        faded += expected.points[len(spec.attribute_rules)] not in (0, 10 * len([e for e in events if e[0] == types[0].code]))
    assert faded  # some points really faded


@pytest.mark.django_db
def test_the_nightly_job_rescores_the_leads_whose_points_faded(org):
    pricing = EventType.objects.get(code="pricing_page_visit")
    EventType.objects.filter(pk=pricing.pk).update(half_life_days=10)
    now = timezone.now()
    fading = LeadFactory(industry="retail", company_size=10)
    LeadEvent.objects.create(lead=fading, event_type=pricing, occurred_at=now)
    steady = LeadFactory(industry="retail", company_size=10)
    LeadEvent.objects.create(lead=steady, event_type=EventType.objects.get(code="webinar_attended"), occurred_at=now)
    leads_rescore_range(lo=fading.pk, hi=steady.pk, reason="data", now=now)
    assert Lead.objects.get(pk=fading.pk).score == 20 and Lead.objects.get(pk=steady.pk).score == 20

    assert leads_rescore_decayed(now=now + timedelta(days=10)) == 1
    fading.refresh_from_db()
    assert (fading.score, fading.score_breakdown) == (10, [0, 0, 0, 0, 10])
    assert fading.rescore_needed_at is None
    assert ScoreChange.objects.filter(lead=fading, reason=ScoreChange.Reason.DECAY).get().score == 10
    assert Lead.objects.get(pk=steady.pk).score == 20  # webinar points do not fade
    assert leads_rescore_decayed(now=now + timedelta(days=10)) == 0  # nothing faded since
    assert leads_rescore_decayed(now=now + timedelta(days=30)) == 1
    assert Lead.objects.get(pk=fading.pk).score == 3  # 20 × ⅛ = 2.5 → 3


@pytest.mark.django_db
def test_without_fading_event_types_the_job_does_nothing(org):
    lead = LeadFactory()
    LeadEvent.objects.create(lead=lead, event_type=EventType.objects.get(code="pricing_page_visit"),
                             occurred_at=timezone.now())
    assert leads_rescore_decayed() == 0
    assert Lead.objects.get(pk=lead.pk).rescore_needed_at is None
