"""The handoff as pure rules (pipeline.handoff) and as a gate criterion kind (pipeline.gates): no database."""
from datetime import date

from django.test import SimpleTestCase

from pipeline import gates, handoff
from pipeline.gates import Criterion, Facts
from pipeline.handoff import HandoffFacts

WON = 5
COMPLETE = HandoffFacts(stakeholder_roles=frozenset(handoff.ROLES), success_criteria="Forecast within 10%",
                        targets=("Pilot team live", "All reps live", "First forecast review"),
                        promises=("SSO by go-live",), feasibility_confirmed=True, success_owner_assigned=True)


def handoff_criteria(*parts):
    return [Criterion(WON, gates.ENTRY, gates.HANDOFF, part) for part in parts]


class MissingItemsTests(SimpleTestCase):
    def test_a_complete_handoff_misses_nothing(self):
        for part in handoff.PARTS:
            self.assertEqual(handoff.missing_items(part, COMPLETE), [], part)
        self.assertTrue(handoff.is_complete(COMPLETE, handoff.PARTS))

    def test_no_handoff_at_all_misses_every_item(self):
        self.assertEqual(handoff.missing_items(handoff.STAKEHOLDERS, None),
                         ["stakeholder_champion", "stakeholder_executive_sponsor", "stakeholder_admin"])
        self.assertEqual(handoff.missing_items(handoff.SUCCESS_CRITERIA, None),
                         ["success_criteria", "target_30", "target_60", "target_90"])
        self.assertEqual(handoff.missing_items(handoff.FEASIBILITY, None), ["feasibility"])
        self.assertEqual(handoff.missing_items(handoff.SUCCESS_OWNER, None), ["success_owner"])
        self.assertEqual(handoff.missing_items(handoff.PROMISES, None), ["promises"])

    def test_each_stakeholder_role_is_required(self):
        facts = HandoffFacts(stakeholder_roles=frozenset({handoff.CHAMPION}))
        self.assertEqual(handoff.missing_items(handoff.STAKEHOLDERS, facts),
                         ["stakeholder_executive_sponsor", "stakeholder_admin"])

    def test_blank_text_does_not_count(self):
        facts = HandoffFacts(success_criteria="  ", targets=("a", " ", ""), promises=("  ",))
        self.assertEqual(handoff.missing_items(handoff.SUCCESS_CRITERIA, facts),
                         ["success_criteria", "target_60", "target_90"])
        self.assertEqual(handoff.missing_items(handoff.PROMISES, facts), ["promises"])

    def test_an_unknown_part_is_never_met(self):
        self.assertEqual(handoff.missing_items("weather", COMPLETE), ["weather"])

    def test_promises_are_trimmed_lines_without_blanks_or_repeats(self):
        self.assertEqual(handoff.clean_promises([" SSO ", "", "SSO", "Training  ", "   "]), ["SSO", "Training"])


class HandoffGateTests(SimpleTestCase):
    def test_every_missing_item_of_every_required_part_is_listed(self):
        criteria = handoff_criteria(*handoff.DEFAULT_REQUIRED_PARTS)
        codes = [u.code for u in gates.unmet_criteria(criteria, Facts())]
        self.assertEqual(codes, [
            "handoff:stakeholder_champion", "handoff:stakeholder_executive_sponsor", "handoff:stakeholder_admin",
            "handoff:success_criteria", "handoff:target_30", "handoff:target_60", "handoff:target_90",
            "handoff:feasibility", "handoff:success_owner"])

    def test_only_the_configured_parts_are_required(self):
        facts = Facts(handoff=HandoffFacts(feasibility_confirmed=True))
        self.assertEqual([u.code for u in gates.unmet_criteria(handoff_criteria(handoff.FEASIBILITY), facts)], [])
        self.assertEqual([u.code for u in gates.unmet_criteria(handoff_criteria(handoff.SUCCESS_OWNER), facts)],
                         ["handoff:success_owner"])

    def test_a_complete_handoff_passes_and_criterion_met_agrees(self):
        criteria = handoff_criteria(*handoff.PARTS)
        self.assertEqual(gates.unmet_criteria(criteria, Facts(handoff=COMPLETE)), [])
        self.assertTrue(all(gates.criterion_met(c, Facts(handoff=COMPLETE)) for c in criteria))
        self.assertFalse(gates.criterion_met(criteria[0], Facts()))

    def test_handoff_criteria_on_won_entry_apply_when_closing_won_not_when_closing_lost(self):
        stages = (gates.StageInfo(4, 40), gates.StageInfo(WON, 50, is_won=True), gates.StageInfo(6, 60, is_lost=True))
        criteria = handoff_criteria(handoff.FEASIBILITY)
        chosen = gates.criteria_for_move(criteria, from_stage=stages[0], to_stage=stages[1])
        self.assertIn(criteria[0], chosen)
        self.assertNotIn(criteria[0], gates.criteria_for_move(criteria, from_stage=stages[0], to_stage=stages[2]))


class OnboardingDatesTests(SimpleTestCase):
    def test_business_days_skip_weekends(self):
        friday = date(2026, 12, 4)
        self.assertEqual(handoff.add_business_days(friday, 1), date(2026, 12, 7))  # Monday
        self.assertEqual(handoff.add_business_days(friday, 5), date(2026, 12, 11))  # next Friday
        self.assertEqual(handoff.add_business_days(date(2026, 12, 1), 5), date(2026, 12, 8))  # Tuesday -> Tuesday

    def test_a_weekend_close_counts_from_monday(self):
        saturday = date(2026, 12, 5)
        self.assertEqual(handoff.add_business_days(saturday, 0), date(2026, 12, 7))
        self.assertEqual(handoff.add_business_days(saturday, 5), date(2026, 12, 14))

    def test_steps_take_business_or_calendar_days(self):
        steps = handoff.onboarding_steps([{"step": "kickoff", "summary": "Kickoff", "business_days": 5},
                                          {"step": "check_30", "summary": "30-day check", "days": 30}])
        won = date(2026, 12, 1)
        self.assertEqual([handoff.step_due(s, won) for s in steps], [date(2026, 12, 8), date(2026, 12, 31)])

    def test_a_step_needs_exactly_one_kind_of_days(self):
        with self.assertRaises(ValueError):
            handoff.onboarding_steps([{"step": "x", "summary": "X"}])
        with self.assertRaises(ValueError):
            handoff.onboarding_steps([{"step": "x", "summary": "X", "days": 1, "business_days": 1}])
