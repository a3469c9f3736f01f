"""The what-if backtest covers only the leads the viewer may see: a manager their team's (counts,
conversion and the sample of changed leads), marketing and admins every lead. API and page alike."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from leads.services.scoring import rule_set_backtest, rule_set_save_draft
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
EAST = ("East Alpha", "East Beta")
OTHERS = ("West Gamma", "Pool Delta")


@pytest.fixture
def everyone_moves(org):
    """Leads of both teams and the pool, and a draft whose one open grade moves every lead."""
    LeadFactory(name="East Alpha", owner=org["owner"], converted_at=timezone.now())
    LeadFactory(name="East Beta", owner=org["teammate"])
    LeadFactory(name="West Gamma", owner=org["outsider"], converted_at=timezone.now())
    LeadFactory(name="Pool Delta", owner=None)
    return rule_set_save_draft(by=org["marketing"], name="Flat", attribute_rules=[], behaviour_rules=[],
                               grades=[{"name": "Everyone", "lower_bound": None}])


def _names(backtest):
    return {row["name"] for row in backtest["sample"]}


def test_a_managers_backtest_counts_and_samples_only_their_teams_leads(org, everyone_moves):
    backtest = rule_set_backtest(rule_set=everyone_moves, user=org["mgr"])
    assert backtest["total"] == 2
    assert _names(backtest) == set(EAST)
    (grade,) = [g for g in backtest["grades"] if g["grade"] == "Everyone"]
    assert (grade["proposed"], grade["converted"], grade["conversion_rate"]) == (2, 1, 0.5)
    assert sum(move["count"] for move in backtest["moves"]) == 2


def test_marketing_and_admins_backtest_every_lead(org, everyone_moves):
    for user in (org["marketing"], org["admin"]):
        backtest = rule_set_backtest(rule_set=everyone_moves, user=user)
        assert backtest["total"] == 4
        assert _names(backtest) == {*EAST, *OTHERS}


def test_a_manager_without_leads_gets_an_empty_backtest(org, everyone_moves):
    org["west"].members.update(team=None)
    backtest = rule_set_backtest(rule_set=everyone_moves, user=org["other_mgr"])
    assert (backtest["total"], backtest["sample"]) == (0, [])


def test_the_service_refuses_reps(org, everyone_moves):
    with pytest.raises(PermissionDenied):
        rule_set_backtest(rule_set=everyone_moves, user=org["owner"])


def test_the_api_backtest_of_a_manager_names_no_other_teams_lead(api, org, everyone_moves):
    response = api.as_user(org["mgr"]).get(f"/api/v1/scoring/rule-sets/{everyone_moves.pk}/backtest/")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2 and _names(body) == set(EAST)
    assert not any(name in response.content.decode() for name in OTHERS)


def test_the_backtest_page_of_a_manager_names_no_other_teams_lead(client, org, everyone_moves):
    client.force_login(org["mgr"])
    response = client.get(reverse("leads:rule-set", args=[everyone_moves.pk]), {"backtest": 1})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="backtest-grades"' in body
    assert all(name in body for name in EAST)
    assert not any(name in body for name in OTHERS)
