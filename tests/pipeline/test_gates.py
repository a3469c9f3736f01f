"""Pure gate rules: no database."""
from decimal import Decimal

from django.test import SimpleTestCase

from pipeline import gates
from pipeline.gates import Criterion, Facts, StageInfo

LEAD, NEEDS, DEMO, NEGO, WON, LOST = (
    StageInfo(1, 10), StageInfo(2, 20), StageInfo(3, 30), StageInfo(4, 40), StageInfo(5, 50, is_won=True),
    StageInfo(6, 60, is_lost=True))
STAGES = [LEAD, NEEDS, DEMO, NEGO, WON, LOST]


class MoveProblemsTests(SimpleTestCase):
    def codes(self, from_stage, to_stage, reason=""):
        return [p.code for p in gates.move_problems(stages=STAGES, from_stage=from_stage, to_stage=to_stage,
                                                    reason=reason)]

    def test_one_step_forward_is_fine(self):
        self.assertEqual(self.codes(LEAD, NEEDS), [])

    def test_skipping_forward_is_refused_and_names_the_next_stage(self):
        problems = gates.move_problems(stages=STAGES, from_stage=LEAD, to_stage=DEMO)
        self.assertEqual([p.code for p in problems], ["skip_forward"])
        self.assertEqual(problems[0].params["next_stage_id"], NEEDS.id)

    def test_won_needs_negotiation_first(self):
        self.assertEqual(self.codes(DEMO, WON), ["skip_forward"])

    def test_lost_is_reachable_from_any_open_stage(self):
        self.assertEqual(self.codes(LEAD, LOST), [])

    def test_moving_back_needs_a_reason(self):
        self.assertEqual(self.codes(DEMO, NEEDS), ["reason_required"])
        self.assertEqual(self.codes(DEMO, NEEDS, reason="   "), ["reason_required"])
        self.assertEqual(self.codes(DEMO, NEEDS, reason="Budget cut"), [])

    def test_reopening_a_closed_deal_needs_a_reason(self):
        self.assertEqual(self.codes(LOST, NEGO), ["reason_required"])
        self.assertEqual(self.codes(WON, LOST), ["reason_required"])

    def test_same_stage(self):
        self.assertEqual(self.codes(NEEDS, NEEDS), ["same_stage"])

    def test_inactive_stages_are_skipped_in_the_sequence(self):
        stages = [LEAD, StageInfo(2, 20, is_active=False), DEMO]
        self.assertEqual(gates.move_problems(stages=stages, from_stage=LEAD, to_stage=DEMO), [])


class UnmetCriteriaTests(SimpleTestCase):
    def unmet(self, criteria, facts, from_stage=NEEDS, to_stage=DEMO):
        chosen = gates.criteria_for_move(criteria, from_stage=from_stage, to_stage=to_stage)
        return [u.code for u in gates.unmet_criteria(chosen, facts)]

    def test_required_field(self):
        criteria = [Criterion(NEEDS.id, "exit", "required_field", "confirmed_needs")]
        self.assertEqual(self.unmet(criteria, Facts(fields={"confirmed_needs": " "})),
                         ["required_field:confirmed_needs"])
        self.assertEqual(self.unmet(criteria, Facts(fields={"confirmed_needs": "CRM for 50 reps"})), [])

    def test_only_exit_of_current_and_entry_of_target_apply(self):
        criteria = [Criterion(NEEDS.id, "entry", "required_field", "next_step"),
                    Criterion(DEMO.id, "exit", "required_field", "next_step"),
                    Criterion(DEMO.id, "entry", "required_field", "decision_makers")]
        self.assertEqual(self.unmet(criteria, Facts()), ["required_field:decision_makers"])

    def test_exit_criteria_do_not_hold_back_a_move_back_or_a_loss(self):
        criteria = [Criterion(NEEDS.id, "exit", "required_field", "confirmed_needs")]
        self.assertEqual(self.unmet(criteria, Facts(), NEEDS, LEAD), [])
        self.assertEqual(self.unmet(criteria, Facts(fields={"loss_reason": 1}), NEEDS, LOST), [])

    def test_every_unmet_criterion_is_returned(self):
        criteria = [Criterion(DEMO.id, "exit", "checklist_item", "solution_accepted"),
                    Criterion(DEMO.id, "exit", "related_record", "meeting")]
        self.assertEqual(self.unmet(criteria, Facts(), DEMO, NEGO),
                         ["checklist_item:solution_accepted", "related_record:meeting"])
        facts = Facts(ticked_items=frozenset({"solution_accepted"}), records=frozenset({"meeting"}))
        self.assertEqual(self.unmet(criteria, facts, DEMO, NEGO), [])

    def test_amount_must_be_above_zero(self):
        criteria = [Criterion(WON.id, "entry", "required_field", "amount")]
        self.assertEqual(self.unmet(criteria, Facts(fields={"amount": Decimal("0")}), NEGO, WON),
                         ["required_field:amount"])
        self.assertEqual(self.unmet(criteria, Facts(fields={"amount": Decimal("1")}), NEGO, WON), [])

    def test_discount_above_limit_needs_an_approval_covering_it(self):
        criteria = [Criterion(NEGO.id, "entry", "manager_approval", "discount")]
        within = Facts(discount_percent=Decimal("15"), discount_limit=Decimal("15"))
        above = Facts(discount_percent=Decimal("20"), discount_limit=Decimal("15"))
        approved = Facts(discount_percent=Decimal("20"), discount_limit=Decimal("15"), approved_discount=Decimal("20"))
        raised = Facts(discount_percent=Decimal("25"), discount_limit=Decimal("15"), approved_discount=Decimal("20"))
        self.assertEqual(self.unmet(criteria, within, DEMO, NEGO), [])
        self.assertEqual(self.unmet(criteria, above, DEMO, NEGO), ["manager_approval:discount"])
        self.assertEqual(self.unmet(criteria, approved, DEMO, NEGO), [])
        self.assertEqual(self.unmet(criteria, raised, DEMO, NEGO), ["manager_approval:discount"])

    def test_closing_lost_always_needs_a_reason_and_the_competitor_when_relevant(self):
        self.assertEqual(self.unmet([], Facts(), NEGO, LOST), ["required_field:loss_reason"])
        needs_rival = Facts(fields={"loss_reason": 2}, loss_requires_competitor=True)
        self.assertEqual(self.unmet([], needs_rival, NEGO, LOST), ["required_field:loss_competitor"])
        named = Facts(fields={"loss_reason": 2, "competitors": [7]}, loss_requires_competitor=True)
        self.assertEqual(self.unmet([], named, NEGO, LOST), [])

    def test_unknown_kinds_are_never_met(self):
        self.assertFalse(gates.criterion_met(Criterion(1, "exit", "manager_approval", "other"), Facts()))
        self.assertFalse(gates.criterion_met(Criterion(1, "exit", "mystery", "x"), Facts()))


class TimingTests(SimpleTestCase):
    def test_percentile(self):
        self.assertIsNone(gates.percentile([], 50))
        self.assertEqual(gates.percentile([1, 2, 3, 4], 50), 2.5)
        self.assertEqual(gates.percentile([5], 90), 5.0)

    def test_stall_threshold_uses_p80_with_enough_history(self):
        self.assertEqual(gates.stall_threshold_days([1, 2], min_samples=3, default_days=30), 30.0)
        self.assertEqual(gates.stall_threshold_days(list(range(11)), min_samples=3, default_days=30), 8.0)
