"""The demo's won deals carry a completed handoff and their onboarding tasks (pipeline/demo.py)."""
import pytest
from django.utils import timezone

from customers.models import Activity
from pipeline import handoff as rules
from pipeline.demo import seed_pipeline
from pipeline.models import Opportunity
from pipeline.selectors.handoff import handoff_facts
from teams.demo import demo_users, seed_organisation

pytestmark = pytest.mark.django_db


def test_demo_won_deals_have_a_complete_handoff_and_onboarding_tasks(handoff_gate):
    today = timezone.localdate()
    seed_organisation(today=today)
    assert seed_pipeline(users=demo_users(), today=today) > 0
    won = list(Opportunity.objects.filter(stage__is_won=True).select_related("account"))
    assert won
    for opp in won:
        assert rules.is_complete(handoff_facts(opportunity=opp), rules.PARTS), opp
        keys = set(Activity.objects.filter(key__startswith=f"handoff:{opp.pk}:").values_list("key", flat=True))
        assert keys == {f"handoff:{opp.pk}:{step}" for step in ("welcome_pack", "kickoff", "check_30")}
    assert seed_pipeline(users=demo_users(), today=today) == 0  # idempotent
    assert Activity.objects.filter(key__startswith="handoff:").count() == 3 * len(won)
