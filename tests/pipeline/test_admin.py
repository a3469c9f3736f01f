"""Issue 7, admin entries of the pipeline: the change form, the line inline, the two stage actions and
deletion all go through the services; ledger rows are read-only."""
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.messages import get_messages

from pipeline import services
from pipeline.models import Opportunity, OpportunityLine, Product, StageTransition

from .factories import make_opportunity, stage

pytestmark = pytest.mark.django_db
LIST = "/admin/pipeline/opportunity/"


@pytest.fixture
def admin_client(client, org):
    client.force_login(org["admin"])
    return client


def change_form_data(response) -> dict:
    """The posted data of an admin change form as the page shows it (main form and inlines)."""
    data = {}
    for name in response.context["adminform"].form.fields:
        value = response.context["adminform"].form[name].value()
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = str(formset.management_form[name].value())
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[form.add_prefix(name)] = str(value)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_saving_the_change_form_goes_through_opportunity_update(admin_client, org):
    opp = make_opportunity(owner=org["owner"])
    url = f"{LIST}{opp.pk}/change/"
    data = change_form_data(admin_client.get(url))
    data["owner"] = str(org["outsider"].pk)  # a West rep
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    opp.refresh_from_db()
    assert opp.owner == org["outsider"] and opp.team == org["west"] and opp.version == 2


def test_raising_the_discount_in_the_admin_withdraws_the_approval(admin_client, org, settings):
    settings.PIPELINE_DISCOUNT_APPROVAL_LIMIT = 15
    opp = make_opportunity(owner=org["owner"], discount_percent=Decimal("20"))
    approval = services.approval_request(opportunity=opp, by=org["owner"])
    services.approval_decide(approval=approval, by=org["mgr"], approve=True)
    url = f"{LIST}{opp.pk}/change/"
    data = change_form_data(admin_client.get(url))
    data["discount_percent"] = "45"
    assert admin_client.post(url, data).status_code == 302
    approval.refresh_from_db()
    assert approval.status == "withdrawn"


def test_a_closed_deals_commercial_fields_and_lines_are_read_only_in_the_admin(admin_client, org):
    opp = make_opportunity(owner=org["owner"], amount=Decimal("30000"), expected_close_date=date(2026, 12, 31))
    opp = services.opportunity_override_stage(opportunity=opp, to_stage=stage("closed_won"), by=org["admin"],
                                              reason="Signed")
    url = f"{LIST}{opp.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    assert not {"amount", "discount_percent", "currency", "expected_close_date"} & set(form.fields)
    data = change_form_data(page)
    data["amount"] = "99999999.99"
    data["next_step"] = "Kick-off"
    assert admin_client.post(url, data).status_code == 302
    opp.refresh_from_db()
    assert opp.amount == Decimal("30000") and opp.next_step == "Kick-off"
    inline = next(i for i in page.context["inline_admin_formsets"] if i.formset.model is OpportunityLine)
    assert not inline.has_add_permission and not inline.has_delete_permission


def test_lines_added_in_the_admin_go_through_the_line_service(admin_client, org, monkeypatch):
    opp = make_opportunity(owner=org["owner"])
    product = Product.objects.create(name="Seat", list_price=Decimal("10"))
    calls = []
    real = services.opportunity_line_add
    monkeypatch.setattr(services, "opportunity_line_add", lambda **kw: calls.append(kw) or real(**kw))
    url = f"{LIST}{opp.pk}/change/"
    data = change_form_data(admin_client.get(url))
    data.update({"lines-TOTAL_FORMS": "1", "lines-0-product": str(product.pk), "lines-0-quantity": "3",
                 "lines-0-unit_price": "12", "lines-0-margin_percent": "0", "lines-0-opportunity": str(opp.pk)})
    assert admin_client.post(url, data).status_code == 302
    line = OpportunityLine.objects.get(opportunity=opp)
    assert (line.quantity, line.unit_price) == (Decimal("3"), Decimal("12")) and len(calls) == 1


def run_action(client, action, opportunities, **fields):
    return client.post(LIST, {"action": action, "_selected_action": [o.pk for o in opportunities],
                              "index": "0", **fields}, follow=True)


def test_move_to_stage_action_moves_through_the_gates_with_a_ledger_entry(admin_client, org):
    opp = make_opportunity(owner=org["owner"])
    response = run_action(admin_client, "move_to_stage", [opp], stage=stage("needs_confirmed").pk)
    assert "1 opportunities moved." in messages_of(response)
    entry = opp.transitions.last()
    assert (entry.kind, entry.to_stage.code, entry.by) == ("move", "needs_confirmed", org["admin"])


def test_move_to_stage_action_shows_every_unmet_criterion_and_moves_nothing(admin_client, org):
    opp = services.opportunity_transition(opportunity=make_opportunity(owner=org["owner"]),
                                          to_stage=stage("needs_confirmed"), by=org["owner"])
    opp = services.opportunity_update(opportunity=opp, by=org["owner"], confirmed_needs="x")
    opp = services.opportunity_transition(opportunity=opp, to_stage=stage("solution_demo"), by=org["owner"])
    response = run_action(admin_client, "move_to_stage", [opp], stage=stage("negotiation").pk)
    [message] = messages_of(response)
    assert "was not moved" in message and "Checklist item not ticked" in message and "Missing:" in message
    opp.refresh_from_db()
    assert opp.stage.code == "solution_demo" and opp.transitions.count() == 3


def test_a_stage_action_without_a_stage_says_so(admin_client, org):
    opp = make_opportunity(owner=org["owner"])
    response = run_action(admin_client, "move_to_stage", [opp], stage="")
    assert messages_of(response) == ["Choose the stage to move to."]
    assert opp.transitions.count() == 1


def test_override_stage_action_is_audited_and_needs_a_reason(admin_client, org):
    deals = [make_opportunity(owner=org["owner"]), make_opportunity(owner=org["teammate"])]
    response = run_action(admin_client, "override_stage", deals, stage=stage("closed_won").pk, reason="")
    assert all("An override needs a reason." in m for m in messages_of(response))
    assert not StageTransition.objects.filter(kind="override").exists()
    response = run_action(admin_client, "override_stage", deals, stage=stage("closed_won").pk,
                          reason="Signed offline")
    assert "2 opportunities moved." in messages_of(response)
    entries = StageTransition.objects.filter(kind="override", to_stage__code="closed_won", reason="Signed offline")
    assert entries.count() == 2 and {e.by for e in entries} == {org["admin"]}


def test_override_stage_action_refuses_a_staff_manager(client, org):
    from django.contrib.auth.models import Permission
    org["mgr"].is_staff = True  # Django permissions to the admin, but not the override predicate
    org["mgr"].save()
    org["mgr"].user_permissions.set(Permission.objects.filter(content_type__app_label="pipeline",
                                                              codename__in=["view_opportunity", "change_opportunity"]))
    client.force_login(org["mgr"])
    opp = make_opportunity(owner=org["owner"])
    response = run_action(client, "override_stage", [opp], stage=stage("closed_won").pk, reason="x")
    assert any("Only administrators can override a stage." in m for m in messages_of(response))
    assert opp.transitions.count() == 1


def test_deleting_in_the_admin_goes_through_the_service(admin_client, org):
    opp = make_opportunity(owner=org["owner"])
    response = admin_client.post(f"{LIST}{opp.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Opportunity.objects.filter(pk=opp.pk).exists()
    assert LogEntry.objects.filter(object_id=str(opp.pk), action_flag=DELETION, user=org["admin"]).exists()


def test_a_deletion_in_the_admin_is_audited_once_with_the_deals_figures(admin_client, org):
    opp = make_opportunity(owner=org["owner"])
    admin_client.post(LIST, {"action": "delete_selected", "_selected_action": [opp.pk], "post": "yes"})
    entries = LogEntry.objects.filter(object_id=str(opp.pk), action_flag=DELETION)
    assert entries.count() == 1 and "stage ledger rows are kept" in entries.get().change_message


def test_ledger_rows_are_read_only_and_never_deleted_in_the_admin(admin_client, org):
    entry = make_opportunity(owner=org["owner"]).transitions.get()
    url = f"/admin/pipeline/stagetransition/{entry.pk}/"
    assert admin_client.get(f"{url}delete/").status_code == 403
    assert admin_client.post(f"{url}change/", {"reason": "edited"}).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == ""


def test_approvals_are_decided_through_the_service_and_never_deleted(admin_client, org, settings):
    settings.PIPELINE_DISCOUNT_APPROVAL_LIMIT = 15
    opp = make_opportunity(owner=org["owner"], discount_percent=Decimal("20"))
    approval = services.approval_request(opportunity=opp, by=org["owner"])
    response = admin_client.post("/admin/pipeline/approval/", {"action": "approve_selected",
                                                               "_selected_action": [approval.pk]}, follow=True)
    assert response.status_code == 200
    approval.refresh_from_db()
    assert (approval.status, approval.decided_by) == ("approved", org["admin"])
    assert admin_client.get(f"/admin/pipeline/approval/{approval.pk}/delete/").status_code == 403
