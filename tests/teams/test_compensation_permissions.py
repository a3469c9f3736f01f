"""Who may do what with compensation (teams.predicates) and who reads what (teams.selectors.compensation)."""
import pytest

from teams import predicates as p
from teams.selectors import compensation as read
from teams.services import compensation as comp
from tests.teams.compensation_fixtures import compute_q3, seed_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def payouts(org, plan, fake_metrics):
    return {person: compute_q3(plan, org[person]) for person in ("owner", "teammate", "outsider")}


def test_a_manager_approves_their_teams_payouts_only(org, payouts):
    assert p.can_approve_payout(org["mgr"], payouts["owner"])
    assert not p.can_approve_payout(org["mgr"], payouts["outsider"])
    assert not p.can_approve_payout(org["owner"], payouts["owner"])
    assert not p.can_approve_payout(org["teammate"], payouts["owner"])
    assert p.can_approve_payout(org["admin"], payouts["outsider"])


def test_a_manager_never_approves_their_own_payout(org, plan, fake_metrics):
    comp.plan_assign(by=org["admin"], plan=plan, user=org["mgr"], starts_on=plan.effective_from)
    assert not p.can_approve_payout(org["mgr"], compute_q3(plan, org["mgr"]))


def test_only_the_person_paid_disputes_and_the_approver_answers(org, payouts):
    line = payouts["owner"].lines.first()
    assert p.can_dispute_payout_line(org["owner"], line)
    assert not any(p.can_dispute_payout_line(org[who], line) for who in ("teammate", "mgr", "admin"))
    dispute = comp.dispute_raise(by=org["owner"], line=line, text="?")
    assert p.can_answer_payout_dispute(org["mgr"], dispute) and not p.can_answer_payout_dispute(org["other_mgr"], dispute)


def test_plans_and_review_rights(org):
    assert p.can_manage_compensation_plans(org["admin"]) and not p.can_manage_compensation_plans(org["mgr"])
    assert p.can_review_payouts(org["mgr"]) and not p.can_review_payouts(org["owner"])


def test_a_rep_reads_only_their_own_payouts_and_plans(org, plan, payouts):
    assert set(read.payout_queryset_for(user=org["owner"])) == {payouts["owner"]}
    assert set(read.payout_queryset_for(user=org["mgr"])) == {payouts["owner"], payouts["teammate"]}
    assert set(read.payout_line_queryset_for(user=org["owner"]).values_list("payout_id", flat=True)) == {
        payouts["owner"].pk}
    other = seed_plan(org["admin"], name="Marketing bonus")
    comp.plan_assign(by=org["admin"], plan=other, user=org["marketing"], starts_on=other.effective_from)
    assert set(read.plan_queryset_for(user=org["owner"])) == {plan}
    assert set(read.plan_queryset_for(user=org["marketing"])) == {other}
    assert set(read.plan_queryset_for(user=org["other_mgr"])) == {plan}  # their rep (outsider) is on it
    assert set(read.plan_queryset_for(user=org["admin"])) == {plan, other}
