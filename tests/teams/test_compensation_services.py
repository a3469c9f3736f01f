"""Compensation services: plans and versions, payout computation from the metric registry,
approval, clawbacks, disputes, previews."""
from datetime import date, datetime
from datetime import timezone as tz
from decimal import Decimal as D

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from teams.models import CompensationPlan, Notification, Payout, PayoutDispute, PayoutLine
from teams.services import compensation as comp
from tests.teams.compensation_fixtures import Q3, Q4, SEED_COMPONENTS, compute_q3, seed_plan

pytestmark = pytest.mark.django_db
AFTER_Q3 = datetime(2026, 10, 5, 9, tzinfo=tz.utc)


def seed_values(fake, user, start=Q3[0], quota=110, csat=90, completeness=80, ids=()):
    fake.set("quota_attainment", user, quota, start, ids=ids)
    fake.set("csat", user, csat, start)
    fake.set("data_completeness", user, completeness, start)


class TestPlans:
    def test_a_plan_starts_as_a_draft_version_one_and_is_audited(self, org, fake_metrics):
        plan = comp.plan_create(by=org["admin"], name="Bonus", effective_from=date(2026, 1, 1),
                                target_bonus=D("10000"), components=SEED_COMPONENTS)
        assert (plan.version, plan.status, plan.components.count()) == (1, "draft", 3)
        assert LogEntry.objects.filter(object_id=str(plan.pk)).exists()

    def test_only_admins_change_plans(self, org, fake_metrics):
        with pytest.raises(PermissionDenied):
            comp.plan_create(by=org["mgr"], name="Bonus", effective_from=date(2026, 1, 1), target_bonus=D("1"),
                             components=SEED_COMPONENTS)

    @pytest.mark.parametrize("components, message", [
        ([], "at least one component"),
        ([{**SEED_COMPONENTS[0], "weight": D("50")}], "not 100"),
        ([{**SEED_COMPONENTS[0], "metric_codes": ["nope"]}], "No metric"),
        ([{**SEED_COMPONENTS[0], "metric_codes": ["DROP TABLE"]}], "not a metric code"),
        ([{**SEED_COMPONENTS[0], "weight": D("50")}, {**SEED_COMPONENTS[1], "key": "quota", "weight": D("50")}],
         "Two components"),
        ([{**SEED_COMPONENTS[0], "weight": D("100"), "colour": "red"}], "Unknown fields"),
    ])
    def test_bad_components_are_refused_and_nothing_is_saved(self, org, fake_metrics, components, message):
        with pytest.raises(ValidationError, match=message):
            comp.plan_create(by=org["admin"], name="Bonus", effective_from=date(2026, 1, 1), target_bonus=D("1"),
                             components=components)
        assert not CompensationPlan.objects.exists()

    def test_overlapping_tiers_are_refused(self, org, fake_metrics):
        with pytest.raises(ValidationError, match="overlap"):
            comp.plan_create(by=org["admin"], name="Bonus", effective_from=date(2026, 1, 1), target_bonus=D("1"),
                             components=SEED_COMPONENTS, tiers=[{"lower": 0, "upper": 100, "rate": 1},
                                                                {"lower": 50, "upper": None, "rate": 2}])

    def test_a_new_version_closes_the_previous_one_when_published(self, org, plan):
        draft = comp.plan_new_version(by=org["admin"], plan=plan, effective_from=date(2027, 1, 1))
        assert (draft.version, draft.status, draft.components.count()) == (2, "draft", 3)
        comp.plan_update(by=org["admin"], plan=draft, target_bonus=D("12000"))
        comp.plan_publish(by=org["admin"], plan=draft)
        plan.refresh_from_db()
        assert plan.effective_to == date(2026, 12, 31)
        with pytest.raises(ValidationError):
            comp.plan_update(by=org["admin"], plan=draft, target_bonus=D("1"))


class TestComputation:
    def test_the_seed_example_from_the_registry(self, org, plan, fake_metrics):
        seed_values(fake_metrics, org["owner"], ids=[org["owner"].pk])
        payout = compute_q3(plan, org["owner"])
        lines = list(payout.lines.all())
        assert (payout.total, payout.status, payout.currency) == (D("10000.00"), "computed", "CNY")
        assert [(x.component_key, x.value, x.contribution) for x in lines] == [
            ("quota", D("110.00"), D("6600.00")), ("csat", D("90.00"), D("1800.00")),
            ("process", D("80.00"), D("1600.00"))]
        assert lines[0].records_url.startswith("/records/quota_attainment/") and lines[0].record_ids == [org["owner"].pk]
        assert lines[2].notes == ["not_available:activity_logged_within_24h", "not_available:training_participation"]
        assert [part["available"] for part in lines[2].parts] == [False, True, False]

    def test_recomputing_is_idempotent_and_keeps_line_ids(self, org, plan, fake_metrics):
        seed_values(fake_metrics, org["owner"])
        first = compute_q3(plan, org["owner"])
        ids = list(first.lines.values_list("pk", flat=True))
        fake_metrics.set("csat", org["owner"], 100)
        again = compute_q3(plan, org["owner"])
        assert again.pk == first.pk and Payout.objects.count() == 1
        assert list(again.lines.values_list("pk", flat=True)) == ids and again.total == D("10200.00")

    def test_an_approved_payout_is_never_recomputed(self, org, plan, fake_metrics):
        seed_values(fake_metrics, org["owner"])
        payout = compute_q3(plan, org["owner"])
        comp.payout_approve(by=org["mgr"], payout=payout, now=AFTER_Q3)
        fake_metrics.set("csat", org["owner"], 10)
        assert compute_q3(plan, org["owner"]) is None
        payout.refresh_from_db()
        assert payout.total == D("10000.00")

    def test_the_period_job_computes_each_assigned_person_once(self, org, plan, fake_metrics):
        seed_values(fake_metrics, org["owner"])
        done = comp.payouts_compute_period(kind="quarterly", start=Q3[0], end=Q3[1])
        assert done == {"computed": 3, "skipped": 0, "no_plan": 0}
        assert comp.payouts_compute_period(kind="quarterly", start=Q3[0], end=Q3[1])["computed"] == 3
        assert Payout.objects.count() == 3
        assert comp.payouts_compute_period(kind="quarterly", start=Q3[0], end=Q3[1], limit=1)["computed"] == 1

    def test_the_beat_job_computes_the_last_and_the_running_quarter(self, org, plan, fake_metrics):
        from teams.tasks import payouts_compute_due_task
        comp.payouts_compute_due(today=date(2026, 10, 5))
        assert set(Payout.objects.values_list("period_start", flat=True)) == {Q3[0], Q4[0]}
        assert isinstance(payouts_compute_due_task.delay().get(), dict)

    def test_a_deal_lost_after_approval_is_clawed_back_next_period(self, org, plan, fake_metrics):
        owner = org["owner"]
        seed_values(fake_metrics, owner, ids=[org["owner"].pk, org["teammate"].pk])
        comp.payout_approve(by=org["mgr"], payout=compute_q3(plan, owner), now=AFTER_Q3)
        seed_values(fake_metrics, owner, quota=90, ids=[org["owner"].pk])  # a won deal was reopened
        seed_values(fake_metrics, owner, start=Q4[0], quota=100, csat=100, completeness=100)
        q4 = comp.payout_compute(user=owner, start=Q4[0], end=Q4[1], plan=plan)
        clawback = q4.lines.get(kind=PayoutLine.Kind.CLAWBACK)
        assert (clawback.contribution, clawback.corrects_period_start, clawback.record_ids) == (
            D("-1200.00"), Q3[0], [org["teammate"].pk])
        assert (q4.bonus, q4.corrections, q4.total) == (D("10000.00"), D("-1200.00"), D("8800.00"))
        assert comp.payout_compute(user=owner, start=Q4[0], end=Q4[1], plan=plan).lines.filter(
            kind=PayoutLine.Kind.CLAWBACK).count() == 1  # recomputing does not claw back twice

    def test_commission_tiers_read_a_money_metric(self, org, fake_metrics):
        plan = seed_plan(org["admin"], name="Hunter", commission_metric="won_value",
                         tiers=[{"lower": 0, "upper": 100000, "rate": 2}, {"lower": 100000, "upper": None, "rate": 5}])
        fake_metrics.set("won_value", org["owner"], 150000)
        payout = compute_q3(plan, org["owner"])
        assert payout.commission == D("4500.00")
        assert list(payout.lines.filter(kind="commission").values_list("contribution", flat=True)) == [D("2000.00"), D("2500.00")]


class TestApproval:
    def test_a_manager_approves_their_teams_payout_only(self, org, plan, fake_metrics):
        mine, theirs = compute_q3(plan, org["owner"]), compute_q3(plan, org["outsider"])
        with pytest.raises(PermissionDenied):
            comp.payout_approve(by=org["mgr"], payout=theirs, now=AFTER_Q3)
        with pytest.raises(PermissionDenied):
            comp.payout_approve(by=org["owner"], payout=mine, now=AFTER_Q3)
        payout = comp.payout_approve(by=org["mgr"], payout=mine, now=AFTER_Q3)
        assert (payout.status, payout.approved_by) == ("approved", org["mgr"])
        assert Notification.objects.filter(recipient=org["owner"], kind="payout_approved").exists()
        with pytest.raises(ValidationError):
            comp.payout_approve(by=org["mgr"], payout=mine, now=AFTER_Q3)

    def test_a_running_period_is_not_approved(self, org, plan, fake_metrics):
        with pytest.raises(ValidationError, match="not over"):
            comp.payout_approve(by=org["mgr"], payout=compute_q3(plan, org["owner"]),
                                now=datetime(2026, 9, 30, 9, tzinfo=tz.utc))

    def test_admins_mark_approved_payouts_paid(self, org, plan, fake_metrics):
        payout = compute_q3(plan, org["owner"])
        with pytest.raises(ValidationError):
            comp.payout_mark_paid(by=org["admin"], payout=payout)
        comp.payout_approve(by=org["mgr"], payout=payout, now=AFTER_Q3)
        with pytest.raises(PermissionDenied):
            comp.payout_mark_paid(by=org["mgr"], payout=payout)
        assert comp.payout_mark_paid(by=org["admin"], payout=payout).status == "paid"


class TestDisputes:
    def test_a_rep_disputes_a_line_and_the_manager_answers_with_an_audit_trail(self, org, plan, fake_metrics):
        line = compute_q3(plan, org["owner"]).lines.first()
        with pytest.raises(PermissionDenied):
            comp.dispute_raise(by=org["teammate"], line=line, text="Mine?")
        dispute = comp.dispute_raise(by=org["owner"], line=line, text="Two deals are missing.")
        assert Notification.objects.filter(recipient=org["mgr"], kind="payout_dispute").exists()
        with pytest.raises(ValidationError):
            comp.dispute_raise(by=org["owner"], line=line, text="Again")
        with pytest.raises(PermissionDenied):
            comp.dispute_answer(by=org["other_mgr"], dispute=dispute, answer="No")
        with pytest.raises(ValidationError):
            comp.dispute_answer(by=org["mgr"], dispute=dispute, answer="   ")
        dispute = comp.dispute_answer(by=org["mgr"], dispute=dispute, answer="They closed in October.")
        assert (dispute.status, dispute.answered_by) == ("answered", org["mgr"])
        assert LogEntry.objects.filter(object_id=str(dispute.pk), content_type__model="payoutdispute").count() == 2

    def test_disputes_survive_a_recomputation(self, org, plan, fake_metrics):
        line = compute_q3(plan, org["owner"]).lines.first()
        comp.dispute_raise(by=org["owner"], line=line, text="Why?")
        compute_q3(plan, org["owner"])
        assert PayoutDispute.objects.get().line_id == line.pk


class TestPreviews:
    def test_the_calculator_answers_the_seed_example_and_writes_nothing(self, org, plan):
        result = comp.plan_preview(plan=plan, values={"quota_attainment": 110, "csat": "90", "data_completeness": 80,
                                                      "activity_logged_within_24h": 80, "training_participation": 80})
        assert result.total == D("10000.00") and len(result.lines) == 3
        assert not Payout.objects.exists()

    @pytest.mark.parametrize("values", [{"nps": 1}, {"csat": "x"}, {"csat": -1}, {"csat": "NaN"}, {"csat": 10**9}])
    def test_the_calculator_refuses_bad_values(self, plan, values):
        with pytest.raises(ValidationError):
            comp.plan_preview(plan=plan, values=values)

    def test_what_if_recomputes_last_periods_payouts_by_a_draft(self, org, plan, fake_metrics):
        seed_values(fake_metrics, org["owner"])
        compute_q3(plan, org["owner"])
        draft = comp.plan_new_version(by=org["admin"], plan=plan, effective_from=date(2027, 1, 1))
        draft = comp.plan_update(by=org["admin"], plan=draft, target_bonus=D("12000"))
        [row] = [r for r in comp.plan_what_if(by=org["admin"], plan=draft) if r["user"] == org["owner"]]
        assert (row["current"], row["preview"], row["difference"]) == (D("10000.00"), D("12000.00"), D("2000.00"))
        assert Payout.objects.get(user=org["owner"]).total == D("10000.00")
        assert comp.plan_what_if(by=org["owner"], plan=draft)[0]["user"] == org["owner"]
