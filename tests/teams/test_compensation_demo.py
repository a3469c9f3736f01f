"""The compensation demo: the seed plan assigned to the demo reps, last quarter computed, some approved."""
from datetime import date

import pytest

from teams.demo import DEMO_PLAN_NAME, seed_compensation, seed_organisation
from teams.models import CompensationPlan, Payout, PlanAssignment, User

pytestmark = pytest.mark.django_db


def test_the_demo_plan_pays_last_quarter_and_a_second_run_adds_nothing():
    seed_organisation(today=date(2026, 12, 1))
    first = seed_compensation(today=date(2026, 12, 1))
    reps = User.objects.filter(role=User.Role.REP).count()
    plan = CompensationPlan.objects.get(name=DEMO_PLAN_NAME)
    assert (plan.status, [c.weight for c in plan.components.all()]) == ("published", [60, 20, 20])
    assert PlanAssignment.objects.count() == reps and first == {"payouts": reps, "approved": 3}
    assert set(Payout.objects.values_list("period_start", flat=True)) == {date(2026, 7, 1)}
    assert Payout.objects.filter(status="approved").count() == 3
    assert seed_compensation(today=date(2026, 12, 1))["approved"] == 0  # open ones recomputed, none added
    assert Payout.objects.count() == reps and CompensationPlan.objects.count() == 1
