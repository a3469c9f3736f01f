"""Issue 7, deals: frozen commercial fields of closed deals, reopen / audited correction, approvals that a
later change outgrows, and deletion through the service (API and services)."""
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from pipeline import services
from pipeline.models import Approval, ChecklistItem, Opportunity, OpportunityLine, Product, StageTransition

from .factories import log_meeting, make_opportunity, stage

pytestmark = pytest.mark.django_db
URL = "/api/v1/opportunities/"


def move(opp, code, by, **kwargs):
    return services.opportunity_transition(opportunity=opp, to_stage=stage(code), by=by, **kwargs)


def in_negotiation(rep, mgr, *, discount):
    """A deal with an approved `discount` (above the 15 % limit), moved into Negotiation."""
    opp = make_opportunity(owner=rep, confirmed_needs="x", discount_percent=Decimal(discount),
                           expected_close_date=date(2026, 12, 31))
    opp = move(move(opp, "needs_confirmed", rep), "solution_demo", rep)
    services.checklist_tick(opportunity=opp, item=ChecklistItem.objects.get(code="solution_accepted"), by=rep)
    log_meeting(opp)
    approval = services.approval_request(opportunity=opp, by=rep)
    services.approval_decide(approval=approval, by=mgr, approve=True)
    return move(opp, "negotiation", rep), approval


def closed_won(org, **fields):
    rep = org["owner"]
    opp = make_opportunity(owner=rep, confirmed_needs="x", expected_close_date=date(2026, 12, 31),
                           amount=Decimal("30000"), **fields)
    return services.opportunity_override_stage(opportunity=opp, to_stage=stage("closed_won"), by=org["admin"],
                                               reason="Signed")


@pytest.fixture(autouse=True)
def _discount_limit(settings):
    settings.PIPELINE_DISCOUNT_APPROVAL_LIMIT = 15


class TestApprovalWithdrawal:
    def test_approve_20_patch_45_then_closing_won_is_400_naming_the_approval(self, api, org):
        opp, approval = in_negotiation(org["owner"], org["mgr"], discount="20")
        client = api.as_user(org["owner"])
        response = client.patch(f"{URL}{opp.pk}/", {"discount_percent": "45"}, format="json")
        assert response.status_code == 200, response.json()
        approval.refresh_from_db()
        assert approval.status == Approval.Status.WITHDRAWN

        response = client.post(f"{URL}{opp.pk}/transition/", {"stage": "closed_won"}, format="json")
        assert response.status_code == 400
        unmet = response.json()["unmet"]
        assert [u["code"] for u in unmet] == ["manager_approval:discount"]
        assert "45" in unmet[0]["message"] and "approval" in unmet[0]["message"]
        opp.refresh_from_db()
        assert opp.stage.code == "negotiation" and not opp.transitions.filter(to_stage__code="closed_won").exists()

        # approved again at 45 %: now it closes
        again = services.approval_request(opportunity=opp, by=org["owner"])
        services.approval_decide(approval=again, by=org["mgr"], approve=True)
        response = client.post(f"{URL}{opp.pk}/transition/", {"stage": "closed_won"}, format="json")
        assert response.status_code == 200 and response.json()["stage_code"] == "closed_won"

    def test_a_lower_discount_keeps_the_approval(self, org):
        opp, approval = in_negotiation(org["owner"], org["mgr"], discount="20")
        services.opportunity_update(opportunity=opp, by=org["owner"], discount_percent=Decimal("18"))
        approval.refresh_from_db()
        assert approval.status == Approval.Status.APPROVED
        assert move(opp, "closed_won", org["owner"]).stage.code == "closed_won"

    def test_closed_won_rechecks_the_approval_even_without_a_configured_gate(self, org):
        opp, _approval = in_negotiation(org["owner"], org["mgr"], discount="20")
        from pipeline.models import GateCriterion
        GateCriterion.objects.filter(kind="manager_approval").update(is_active=False)
        services.opportunity_update(opportunity=opp, by=org["owner"], discount_percent=Decimal("30"))
        with pytest.raises(services.TransitionRefused) as exc:
            move(opp, "closed_won", org["owner"])
        assert [u["code"] for u in exc.value.unmet] == ["manager_approval:discount"]

    def test_a_withdrawn_approval_cannot_be_decided(self, org):
        opp, _ = in_negotiation(org["owner"], org["mgr"], discount="20")
        services.opportunity_update(opportunity=opp, by=org["owner"], discount_percent=Decimal("25"))
        pending = services.approval_request(opportunity=opp, by=org["owner"])
        services.opportunity_update(opportunity=opp, by=org["owner"], discount_percent=Decimal("40"))
        with pytest.raises(ValidationError):
            services.approval_decide(approval=pending, by=org["mgr"], approve=True)
        assert set(opp.approvals.values_list("status", flat=True)) == {"withdrawn"}


class TestFrozenClosedDeal:
    def test_patch_amount_on_a_closed_deal_is_refused_with_the_reopen_rule(self, api, org):
        opp = closed_won(org)
        ledger = opp.transitions.count()
        response = api.as_user(org["owner"]).patch(f"{URL}{opp.pk}/", {"amount": "99999999.99"}, format="json")
        assert response.status_code == 400
        assert "Reopen the deal to change" in response.json()["amount"][0]
        opp.refresh_from_db()
        assert opp.amount == Decimal("30000") and opp.transitions.count() == ledger

    @pytest.mark.parametrize("field,value", [("discount_percent", "5"), ("currency", "USD"),
                                             ("expected_close_date", "2027-01-31")])
    def test_every_commercial_field_is_frozen(self, api, org, field, value):
        opp = closed_won(org)
        response = api.as_user(org["admin"]).patch(f"{URL}{opp.pk}/", {field: value}, format="json")
        assert response.status_code == 400 and "Reopen the deal to change" in response.json()[field][0]

    def test_other_fields_and_unchanged_values_still_save(self, api, org):
        opp = closed_won(org)
        response = api.as_user(org["owner"]).patch(f"{URL}{opp.pk}/", {"next_step": "Kick-off",
                                                                       "amount": "30000.00"}, format="json")
        assert response.status_code == 200 and response.json()["next_step"] == "Kick-off"

    def test_products_of_a_closed_deal_are_frozen(self, org):
        opp = closed_won(org)
        product = Product.objects.create(name="Seat", list_price=Decimal("10"))
        with pytest.raises(ValidationError, match="Reopen the deal"):
            services.opportunity_line_add(opportunity=opp, by=org["owner"], product=product)
        assert not OpportunityLine.objects.filter(opportunity=opp).exists()

    def test_reopening_is_a_ledger_entry_and_then_the_amount_may_change(self, api, org):
        opp = closed_won(org)
        client = api.as_user(org["owner"])
        assert client.post(f"{URL}{opp.pk}/transition/", {"stage": "negotiation"},
                           format="json").status_code == 400  # reopening needs a reason
        response = client.post(f"{URL}{opp.pk}/transition/", {"stage": "negotiation", "reason": "Scope grew"},
                               format="json")
        assert response.status_code == 200
        entry = opp.transitions.last()
        assert (entry.kind, entry.from_stage.code, entry.reason) == ("backward", "closed_won", "Scope grew")
        response = client.patch(f"{URL}{opp.pk}/", {"amount": "45000"}, format="json")
        assert response.status_code == 200 and response.json()["amount"] == "45000.00"

    def test_an_admin_correction_is_audited_in_the_ledger(self, api, org):
        opp = closed_won(org)
        url = f"{URL}{opp.pk}/correct/"
        assert api.as_user(org["mgr"]).post(url, {"reason": "typo", "amount": "31000"},
                                            format="json").status_code == 403
        assert api.as_user(org["admin"]).post(url, {"amount": "31000"}, format="json").status_code == 400
        response = api.as_user(org["admin"]).post(url, {"reason": "Typo in the signed amount", "amount": "31000"},
                                                  format="json")
        assert response.status_code == 200 and response.json()["amount"] == "31000.00"
        entry = opp.transitions.last()
        assert (entry.kind, entry.by, entry.amount, entry.to_stage.code) == (
            "correction", org["admin"], Decimal("31000"), "closed_won")
        assert "Typo in the signed amount" in entry.reason and "30000.00 -> 31000" in entry.reason

    def test_a_correction_is_only_for_closed_deals_and_needs_the_predicate(self, org):
        opp = make_opportunity(owner=org["owner"])
        with pytest.raises(ValidationError):
            services.opportunity_correct_closed(opportunity=opp, by=org["admin"], reason="x", amount=Decimal("1"))
        with pytest.raises(PermissionDenied):
            services.opportunity_correct_closed(opportunity=closed_won(org), by=org["owner"], reason="x",
                                                amount=Decimal("1"))


class TestOpportunityDelete:
    def test_api_delete_goes_through_the_service_with_an_audit_entry(self, api, org):
        opp = closed_won(org)
        assert api.as_user(org["owner"]).delete(f"{URL}{opp.pk}/").status_code == 403
        assert api.as_user(org["mgr"]).delete(f"{URL}{opp.pk}/").status_code == 403
        assert Opportunity.objects.filter(pk=opp.pk).exists()
        assert api.as_user(org["admin"]).delete(f"{URL}{opp.pk}/").status_code == 204
        assert not Opportunity.objects.filter(pk=opp.pk).exists()
        entry = LogEntry.objects.get(object_id=str(opp.pk), action_flag=DELETION)
        assert entry.user == org["admin"] and "closed_won" in entry.change_message
        assert "2 stage ledger rows are kept" in entry.change_message
        kept = StageTransition.objects.filter(opportunity_ref=opp.pk)  # the ledger outlives the deal
        assert [(t.kind, t.opportunity_id, t.opportunity_name) for t in kept.order_by("at", "id")] == [
            ("created", None, opp.name), ("override", None, opp.name)]

    def test_the_service_refuses_non_admins(self, org):
        opp = make_opportunity(owner=org["owner"])
        with pytest.raises(PermissionDenied):
            services.opportunity_delete(opportunity=opp, by=org["mgr"])
        assert StageTransition.objects.filter(opportunity=opp).exists() and not LogEntry.objects.exists()


class TestPages:
    """The same rules through the HTML pages (edit form and stage move)."""

    def form_data(self, opp, **changes):
        data = {"name": opp.name, "account": opp.account_id, "owner": opp.owner_id, "amount": str(opp.amount),
                "currency": opp.currency, "discount_percent": str(opp.discount_percent),
                "expected_close_date": opp.expected_close_date.isoformat() if opp.expected_close_date else "",
                "forecast_category": opp.forecast_category, "version": opp.version}
        return {**data, **changes}

    def test_the_edit_page_refuses_a_closed_deals_amount_naming_the_reopen_rule(self, client, org):
        opp = closed_won(org)
        client.force_login(org["owner"])
        url = f"/pipeline/{opp.pk}/edit/"
        response = client.post(url, self.form_data(opp, amount="99999999.99"))
        assert response.status_code == 200 and "Reopen the deal to change" in response.content.decode()
        opp.refresh_from_db()
        assert opp.amount == Decimal("30000")
        response = client.post(url, self.form_data(opp, next_step="Kick-off"))
        assert response.status_code == 302
        opp.refresh_from_db()
        assert opp.next_step == "Kick-off"

    def test_the_edit_page_withdraws_an_outgrown_approval_and_the_move_page_lists_it(self, client, org):
        opp, approval = in_negotiation(org["owner"], org["mgr"], discount="20")
        client.force_login(org["owner"])
        assert client.post(f"/pipeline/{opp.pk}/edit/",
                           self.form_data(opp, discount_percent="45")).status_code == 302
        approval.refresh_from_db()
        assert approval.status == Approval.Status.WITHDRAWN
        response = client.post(f"/pipeline/{opp.pk}/transition/", {"stage": stage("closed_won").pk}, follow=True)
        html = response.content.decode()
        assert "unmet-manager_approval:discount" in html and "45" in html
        opp.refresh_from_db()
        assert opp.stage.code == "negotiation"
