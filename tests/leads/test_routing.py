"""Pure routing decisions (leads.routing): no database."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from leads.routing import LeadFacts, RepSpec, RuleSpec, decide_route, pick_rep, rule_matches

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
EAST_ENTERPRISE = RuleSpec(id=1, name="East enterprise", team_id=10, regions=("east",),
                           industries=("technology", "finance"), min_company_size=1000)
EAST_ANY = RuleSpec(id=2, name="East", team_id=20, regions=("east",))
LEAD = LeadFacts(region="east", industry="technology", company_size=5000)


def rep(pk, name=None, **kwargs):
    return RepSpec(id=pk, name=name or f"Rep {pk}", **kwargs)


class TestRuleMatching:
    def test_a_lead_inside_every_bound_matches(self):
        assert rule_matches(EAST_ENTERPRISE, LEAD)

    def test_region_industry_and_size_must_all_match(self):
        assert not rule_matches(EAST_ENTERPRISE, replace(LEAD, region="north"))
        assert not rule_matches(EAST_ENTERPRISE, replace(LEAD, industry="retail"))
        assert not rule_matches(EAST_ENTERPRISE, replace(LEAD, company_size=999))
        assert not rule_matches(replace(EAST_ENTERPRISE, max_company_size=4000), LEAD)

    def test_an_unknown_size_does_not_match_a_size_bound(self):
        assert not rule_matches(EAST_ENTERPRISE, replace(LEAD, company_size=None))

    def test_empty_criteria_match_anything(self):
        catch_all = RuleSpec(id=9, name="Everything", team_id=1)
        assert rule_matches(catch_all, LeadFacts())

    def test_a_territory_without_regions_matches_nothing(self):
        assert not rule_matches(replace(EAST_ANY, regions=()), LEAD)


class TestRoundRobin:
    def test_a_rep_never_assigned_goes_first_then_the_longest_wait(self):
        reps = [rep(1, last_lead_assigned_at=T0), rep(2, last_lead_assigned_at=T0 - timedelta(hours=1)), rep(3)]
        assert pick_rep(reps) == (reps[2], 3)
        assert pick_rep(reps[:2])[0].id == 2

    def test_ties_go_to_the_lowest_id(self):
        assert pick_rep([rep(7), rep(3), rep(5)])[0].id == 3
        assert pick_rep([rep(7, last_lead_assigned_at=T0), rep(4, last_lead_assigned_at=T0)])[0].id == 4

    def test_away_inactive_and_full_reps_are_skipped(self):
        reps = [rep(1, is_away=True), rep(2, is_active=False), rep(3, open_leads=5, capacity=5),
                rep(4, last_lead_assigned_at=T0)]
        assert pick_rep(reps) == (reps[3], 1)

    def test_successive_leads_rotate_across_the_team(self):
        reps = {pk: rep(pk) for pk in (1, 2, 3)}
        picked = []
        for minute in range(6):
            decision = decide_route(lead=LEAD, rules=[EAST_ANY], reps_by_team={20: list(reps.values())})
            picked.append(decision.rep_id)
            reps[decision.rep_id] = replace(reps[decision.rep_id],
                                            last_lead_assigned_at=T0 + timedelta(minutes=minute))
        assert picked == [1, 2, 3, 1, 2, 3]


class TestDecision:
    def test_the_first_matching_rule_in_priority_order_wins(self):
        decision = decide_route(lead=LEAD, rules=[EAST_ENTERPRISE, EAST_ANY],
                                reps_by_team={10: [rep(1, "Li Wei")], 20: [rep(2)]})
        assert (decision.rep_id, decision.rule_id, decision.team_id) == (1, 1, 10)

    def test_the_reason_explains_rule_and_rep(self):
        reps = [rep(1, "Li Wei"), rep(2, last_lead_assigned_at=T0), rep(3, last_lead_assigned_at=T0)]
        decision = decide_route(lead=LEAD, rules=[EAST_ENTERPRISE], reps_by_team={10: reps})
        assert decision.reason_text() == (
            "Rule 'East enterprise' matched (region east, industry technology, company size 5000); "
            "Li Wei had waited longest among 3 available reps")

    def test_the_reason_is_translated_piece_by_piece(self):
        decision = decide_route(lead=LEAD, rules=[EAST_ANY], reps_by_team={20: [rep(1, "Li Wei")]})
        assert decision.reason_text(lambda msgid: f"<{msgid}>") == (
            "<Rule 'East' matched (<region east>)>; <Li Wei was the only available rep>")

    def test_no_matching_rule_sends_the_lead_to_the_managers_queue(self):
        decision = decide_route(lead=replace(LEAD, region="north"), rules=[EAST_ENTERPRISE, EAST_ANY],
                                reps_by_team={10: [rep(1)], 20: [rep(2)]})
        assert decision.to_queue and decision.rule_id is None
        assert decision.reason_text().startswith("No active routing rule matched (region north, industry technology")
        assert "managers' queue" in decision.reason_text()

    def test_nobody_available_sends_the_lead_to_the_queue_with_the_rule(self):
        decision = decide_route(lead=LEAD, rules=[EAST_ANY], reps_by_team={20: [rep(1, is_away=True)]})
        assert decision.to_queue and decision.rule_id == 2 and decision.team_id == 20
        assert "none of the team's 1 reps is available" in decision.reason_text()

    def test_a_team_without_reps_sends_the_lead_to_the_queue(self):
        assert decide_route(lead=LEAD, rules=[EAST_ANY], reps_by_team={}).to_queue
