from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from leads.models import Lead
from pipeline import services
from pipeline.models import ChecklistItem, LossReason, Opportunity, StageTransition
from teams.models import Notification
from tests.leads.factories import LeadFactory

from .factories import competitor, log_meeting, make_opportunity, stage

pytestmark = pytest.mark.django_db


def move(opp, code, by, **kwargs):
    return services.opportunity_transition(opportunity=opp, to_stage=stage(code), by=by, **kwargs)


def codes(exc):
    return [item["code"] for item in exc.value.unmet]


def test_default_stages_come_from_the_data_migration():
    from pipeline.models import Stage
    rows = list(Stage.objects.values_list("code", "name", "name_zh_hans", "probability"))
    assert rows == [
        ("lead_identified", "Lead identified", "线索识别", 10), ("needs_confirmed", "Needs confirmed", "需求确认", 25),
        ("solution_demo", "Solution demo", "方案演示", 50), ("negotiation", "Negotiation", "商务谈判", 75),
        ("closed_won", "Closed won", "成交", 100), ("closed_lost", "Closed lost", "输单", 0)]


def test_a_deal_is_created_in_the_first_stage_with_a_ledger_entry(org):
    opp = make_opportunity(owner=org["owner"])
    assert opp.stage.code == "lead_identified" and opp.stage_probability == 10 and opp.team == org["east"]
    entry = opp.transitions.get()
    assert (entry.kind, entry.from_stage, entry.to_stage.code) == ("created", None, "lead_identified")


def test_leaving_needs_confirmed_needs_confirmed_needs_then_succeeds_and_is_in_the_history(org):
    rep = org["owner"]
    opp = move(make_opportunity(owner=rep), "needs_confirmed", rep)
    with pytest.raises(services.TransitionRefused) as exc:
        move(opp, "solution_demo", rep)
    assert codes(exc) == ["required_field:confirmed_needs"]
    assert "Confirmed needs" in exc.value.unmet[0]["message"]
    opp.refresh_from_db()
    assert opp.stage.code == "needs_confirmed"

    opp = services.opportunity_update(opportunity=opp, by=rep, confirmed_needs="Replace spreadsheets for 40 reps")
    opp = move(opp, "solution_demo", rep)
    assert opp.stage.code == "solution_demo" and opp.stage_probability == 50
    history = list(opp.transitions.order_by("at", "id").values_list("from_stage__code", "to_stage__code", "kind", "by"))
    assert history == [(None, "lead_identified", "created", rep.pk),
                       ("lead_identified", "needs_confirmed", "move", rep.pk),
                       ("needs_confirmed", "solution_demo", "move", rep.pk)]


def test_skipping_a_stage_is_refused(org):
    opp = make_opportunity(owner=org["owner"])
    with pytest.raises(services.TransitionRefused) as exc:
        move(opp, "solution_demo", org["owner"])
    assert codes(exc) == ["skip_forward"]
    assert "Needs confirmed" in exc.value.unmet[0]["message"]


def test_leaving_the_demo_needs_acceptance_and_a_meeting_all_listed(org):
    rep = org["owner"]
    opp = make_opportunity(owner=rep, confirmed_needs="x")
    opp = move(move(opp, "needs_confirmed", rep), "solution_demo", rep)
    with pytest.raises(services.TransitionRefused) as exc:
        move(opp, "negotiation", rep)
    assert codes(exc) == ["checklist_item:solution_accepted", "related_record:meeting"]
    services.checklist_tick(opportunity=opp, item=ChecklistItem.objects.get(code="solution_accepted"), by=rep)
    log_meeting(opp)
    assert move(opp, "negotiation", rep).stage.code == "negotiation"


def test_moving_back_needs_a_reason(org):
    rep = org["owner"]
    opp = move(make_opportunity(owner=rep), "needs_confirmed", rep)
    with pytest.raises(services.TransitionRefused) as exc:
        move(opp, "lead_identified", rep)
    assert codes(exc) == ["reason_required"]
    opp = move(opp, "lead_identified", rep, reason="Champion left")
    assert opp.transitions.last().kind == StageTransition.Kind.BACKWARD


def test_closing_lost_without_a_reason_is_refused_and_a_competitor_loss_needs_the_competitor(org):
    rep = org["owner"]
    opp = make_opportunity(owner=rep)
    with pytest.raises(services.TransitionRefused) as exc:
        move(opp, "closed_lost", rep)
    assert codes(exc) == ["required_field:loss_reason"]
    to_rival = LossReason.objects.get(code="competitor")
    with pytest.raises(services.TransitionRefused) as exc:
        move(opp, "closed_lost", rep, loss_reason=to_rival)
    assert codes(exc) == ["required_field:loss_competitor"]
    opp.refresh_from_db()
    assert opp.loss_reason is None  # a refused move changes nothing
    rival = competitor()
    opp = move(opp, "closed_lost", rep, loss_reason=to_rival, competitors=[rival])
    assert opp.stage.code == "closed_lost" and opp.loss_reason == to_rival and opp.closed_at
    assert list(opp.competitors.all()) == [rival]


def _to_demo_done(rep, **fields):
    opp = make_opportunity(owner=rep, confirmed_needs="x", **fields)
    opp = move(move(opp, "needs_confirmed", rep), "solution_demo", rep)
    services.checklist_tick(opportunity=opp, item=ChecklistItem.objects.get(code="solution_accepted"), by=rep)
    log_meeting(opp)
    return opp


@override_settings(PIPELINE_DISCOUNT_APPROVAL_LIMIT=15)
def test_a_discount_over_the_limit_waits_for_manager_approval(org):
    rep, mgr = org["owner"], org["mgr"]
    opp = _to_demo_done(rep, discount_percent=Decimal("20"))
    with pytest.raises(services.TransitionRefused) as exc:
        move(opp, "negotiation", rep)
    assert codes(exc) == ["manager_approval:discount"]
    assert "20" in exc.value.unmet[0]["message"] and "15" in exc.value.unmet[0]["message"]

    approval = services.approval_request(opportunity=opp, by=rep)
    assert Notification.objects.filter(recipient=mgr, kind="approval_requested").exists()
    with pytest.raises(services.TransitionRefused):
        move(opp, "negotiation", rep)  # still pending
    with pytest.raises(PermissionDenied):
        services.approval_decide(approval=approval, by=org["other_mgr"], approve=True)
    with pytest.raises(PermissionDenied):
        services.approval_decide(approval=approval, by=org["teammate"], approve=True)
    services.approval_decide(approval=approval, by=mgr, approve=True)
    assert move(opp, "negotiation", rep).stage.code == "negotiation"


@override_settings(PIPELINE_DISCOUNT_APPROVAL_LIMIT=15)
def test_a_discount_within_the_limit_needs_no_approval(org):
    opp = _to_demo_done(org["owner"], discount_percent=Decimal("15"))
    with pytest.raises(ValidationError):
        services.approval_request(opportunity=opp, by=org["owner"])
    assert move(opp, "negotiation", org["owner"]).stage.code == "negotiation"


def test_closing_won_needs_amount_and_close_date(org):
    rep = org["owner"]
    opp = _to_demo_done(rep, amount=Decimal("0"))
    opp = move(opp, "negotiation", rep)
    with pytest.raises(services.TransitionRefused) as exc:
        move(opp, "closed_won", rep)
    assert codes(exc) == ["required_field:amount", "required_field:expected_close_date"]
    opp = services.opportunity_update(opportunity=opp, by=rep, amount=Decimal("5000"),
                                      expected_close_date=date(2026, 12, 31))
    won = move(opp, "closed_won", rep)
    assert won.closed_at and won.stage_probability == 100


def test_a_stale_version_is_a_conflict_and_the_history_stays_consistent(org):
    rep, mgr = org["owner"], org["mgr"]
    opp = make_opportunity(owner=rep)
    seen = opp.version
    move(opp, "needs_confirmed", rep, expected_version=seen)
    with pytest.raises(services.TransitionConflict) as exc:
        move(opp, "closed_lost", mgr, expected_version=seen, loss_reason=LossReason.objects.get(code="price"))
    assert exc.value.current_stage.code == "needs_confirmed"
    opp.refresh_from_db()
    assert opp.stage.code == "needs_confirmed" and opp.version == seen + 1
    assert opp.transitions.count() == 2


def test_the_stage_cannot_be_changed_by_an_update(org):
    opp = make_opportunity(owner=org["owner"])
    with pytest.raises(ValidationError):
        services.opportunity_update(opportunity=opp, by=org["owner"], stage=stage("closed_won"))


def test_admin_override_needs_an_admin_and_a_reason_and_is_audited(org):
    opp = make_opportunity(owner=org["owner"])
    with pytest.raises(PermissionDenied):
        services.opportunity_override_stage(opportunity=opp, to_stage=stage("closed_won"), by=org["mgr"], reason="x")
    with pytest.raises(ValidationError):
        services.opportunity_override_stage(opportunity=opp, to_stage=stage("closed_won"), by=org["admin"], reason="")
    opp = services.opportunity_override_stage(opportunity=opp, to_stage=stage("closed_won"), by=org["admin"],
                                              reason="Signed offline")
    entry = opp.transitions.last()
    assert (entry.kind, entry.reason, entry.by) == ("override", "Signed offline", org["admin"])


def test_import_places_a_deal_in_its_recorded_stage_at_its_time(org):
    opp = make_opportunity(owner=org["owner"], created_at=timezone.now() - timedelta(days=90))
    when = timezone.now() - timedelta(days=30)
    opp = services.opportunity_import_stage(opportunity=opp, to_stage=stage("closed_won"), at=when,
                                            amount=Decimal("777"))
    entry = opp.transitions.last()
    assert (entry.kind, entry.at, entry.amount, opp.closed_at, opp.amount) == (
        "imported", when, Decimal("777"), when, Decimal("777"))


def test_lead_convert_creates_account_contact_and_opportunity(org):
    lead = LeadFactory(owner=org["owner"], status=Lead.Status.QUALIFIED, company="Acme", job_title="CTO")
    opp = services.lead_convert(lead=lead, by=org["owner"], amount=Decimal("1200"))
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED and lead.converted_at
    assert opp.lead == lead and opp.account.name == "Acme" and opp.contact.title == "CTO"
    assert opp.stage.code == "lead_identified" and opp.owner == org["owner"]
    with pytest.raises(ValidationError):
        services.lead_convert(lead=lead, by=org["owner"])


def test_only_qualified_visible_leads_convert(org):
    lead = LeadFactory(owner=org["owner"], status=Lead.Status.NEW)
    with pytest.raises(ValidationError):
        services.lead_convert(lead=lead, by=org["owner"])
    with pytest.raises(PermissionDenied):
        services.lead_convert(lead=lead, by=org["outsider"])
    assert not Opportunity.objects.exists()


@override_settings(PIPELINE_STALL_DAYS=10, PIPELINE_STALL_MIN_SAMPLES=50)
def test_stalled_deals_are_flagged_once_and_a_move_clears_the_flag(org):
    rep = org["owner"]
    old = make_opportunity(owner=rep)
    Opportunity.objects.filter(pk=old.pk).update(stage_entered_at=timezone.now() - timedelta(days=11))
    fresh = make_opportunity(owner=rep)
    assert services.opportunities_flag_stalled() == 1
    assert services.opportunities_flag_stalled() == 0  # idempotent
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.stalled_at and not fresh.stalled_at
    assert Notification.objects.filter(kind="opportunity_stalled", recipient__in=[rep, org["mgr"]]).count() == 2
    assert move(old, "needs_confirmed", rep).stalled_at is None


def test_stage_timing_reports_p50_and_p90(org):
    from pipeline.selectors import stage_timing
    rep = org["owner"]
    opp = make_opportunity(owner=rep)
    StageTransition.objects.filter(opportunity=opp).update(at=timezone.now() - timedelta(days=4))
    move(opp, "needs_confirmed", rep)
    row = next(r for r in stage_timing() if r["stage"].code == "lead_identified")
    assert row["stays"] == 1 and round(row["p50"]) == 4


def test_winning_a_converted_leads_deal_marks_the_lead_won_and_reopening_clears_it(org):
    lead = LeadFactory(owner=org["owner"], status=Lead.Status.QUALIFIED, company="Acme")
    opp = services.lead_convert(lead=lead, by=org["owner"], amount=Decimal("1200"))
    when = timezone.now() - timedelta(days=1)
    opp = services.opportunity_import_stage(opportunity=opp, to_stage=stage("closed_won"), at=when)
    lead.refresh_from_db()
    assert lead.won_at == when
    services.opportunity_override_stage(opportunity=opp, to_stage=stage("negotiation"), by=org["admin"],
                                        reason="Signed by mistake")
    lead.refresh_from_db()
    assert lead.won_at is None
