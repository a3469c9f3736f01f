"""A deal's interactions: logged in customers' log, linked to the deal by pipeline (OpportunityInteraction)."""
import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Interaction
from pipeline import services
from pipeline.models import ChecklistItem, Opportunity, OpportunityInteraction, Stage
from tests.customers.factories import AccountFactory, ContactFactory, InteractionFactory

from .factories import make_opportunity

pytestmark = pytest.mark.django_db


def _at_solution_demo(rep):
    opp = make_opportunity(owner=rep, confirmed_needs="x")
    for code in ("needs_confirmed", "solution_demo"):
        opp = services.opportunity_transition(opportunity=opp, to_stage=Stage.objects.get(code=code), by=rep)
    services.checklist_tick(opportunity=opp, item=ChecklistItem.objects.get(code="solution_accepted"), by=rep)
    return opp


def _meeting(**extra):
    return {"kind": "meeting", "summary": "Demo", "occurred_at": timezone.now().isoformat(), **extra}


def test_a_meeting_logged_on_the_deal_through_the_api_meets_the_demo_gate(api, org):
    rep = org["owner"]
    opp = _at_solution_demo(rep)
    refused = api.as_user(rep).post(f"/api/v1/opportunities/{opp.pk}/transition/", {"stage": "negotiation"},
                                    format="json")
    assert refused.status_code == 400 and "related_record:meeting" in {u["code"] for u in refused.json()["unmet"]}

    logged = api.as_user(rep).post(f"/api/v1/opportunities/{opp.pk}/interactions/", _meeting(), format="json")
    assert logged.status_code == 201, logged.json()
    interaction = Interaction.objects.get(pk=logged.json()["id"])
    assert (interaction.account_id, interaction.owner_id) == (opp.account_id, rep.pk)
    assert OpportunityInteraction.objects.filter(opportunity=opp, interaction=interaction).exists()

    moved = api.as_user(rep).post(f"/api/v1/opportunities/{opp.pk}/transition/", {"stage": "negotiation"},
                                  format="json")
    assert moved.status_code == 200, moved.json()


def test_a_meeting_linked_to_another_deal_does_not_meet_this_deals_gate(org):
    rep = org["owner"]
    opp = _at_solution_demo(rep)
    other = make_opportunity(owner=rep, account=opp.account)
    services.opportunity_interaction_log(opportunity=other, by=rep, kind="meeting", summary="Other deal",
                                         occurred_at=timezone.now())
    problems = services.transition_problems(opportunity=opp, to_stage=Stage.objects.get(code="negotiation"))
    assert "related_record:meeting" in {p["code"] for p in problems}
    InteractionFactory(account=opp.account, owner=rep, kind=Interaction.Kind.MEETING)  # unlinked, on the account
    problems = services.transition_problems(opportunity=opp, to_stage=Stage.objects.get(code="negotiation"))
    assert "related_record:meeting" not in {p["code"] for p in problems}


def test_the_deal_lists_only_its_own_interactions(api, org):
    opp = make_opportunity(owner=org["owner"])
    mine = services.opportunity_interaction_log(opportunity=opp, by=org["owner"], kind="call", summary="Call",
                                                occurred_at=timezone.now())
    InteractionFactory(account=opp.account, owner=org["owner"])  # on the account, not about this deal
    response = api.as_user(org["owner"]).get(f"/api/v1/opportunities/{opp.pk}/interactions/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_outsiders_can_neither_read_nor_log_a_deals_interactions(api, org):
    opp = make_opportunity(owner=org["owner"])
    client = api.as_user(org["outsider"])
    assert client.get(f"/api/v1/opportunities/{opp.pk}/interactions/").status_code == 404
    assert client.post(f"/api/v1/opportunities/{opp.pk}/interactions/", _meeting(), format="json").status_code == 404
    assert not OpportunityInteraction.objects.exists() and not Interaction.objects.exists()


def test_the_service_refuses_a_deal_the_user_may_not_change(org):
    from django.core.exceptions import PermissionDenied

    opp = make_opportunity(owner=org["owner"])
    with pytest.raises(PermissionDenied):
        services.opportunity_interaction_log(opportunity=opp, by=org["outsider"], kind="call", summary="x",
                                             occurred_at=timezone.now())
    assert not Interaction.objects.exists()


def test_a_contact_of_another_account_is_a_400_and_logs_nothing(api, org):
    opp = make_opportunity(owner=org["owner"])
    stranger = ContactFactory(account=AccountFactory(owner=org["owner"]))
    response = api.as_user(org["owner"]).post(f"/api/v1/opportunities/{opp.pk}/interactions/",
                                              _meeting(contact=stranger.pk), format="json")
    assert response.status_code == 400 and "contact" in response.json()
    assert not OpportunityInteraction.objects.exists() and not Interaction.objects.exists()


def test_the_deal_page_logs_a_linked_interaction(client, org):
    opp = make_opportunity(owner=org["owner"])
    client.force_login(org["owner"])
    response = client.post(reverse("pipeline:interaction-log", args=[opp.pk]), {
        "kind": "meeting", "occurred_at": timezone.now().strftime("%Y-%m-%dT%H:%M"), "summary": "On site"})
    assert response.status_code == 302
    link = OpportunityInteraction.objects.get(opportunity=opp)
    assert link.interaction.summary == "On site"
    assert "On site" in client.get(reverse("pipeline:detail", args=[opp.pk])).content.decode()


def test_deleting_a_deal_keeps_its_interactions_in_the_customers_log(org):
    opp = make_opportunity(owner=org["owner"])
    interaction = services.opportunity_interaction_log(opportunity=opp, by=org["owner"], kind="call",
                                                       summary="Kept", occurred_at=timezone.now())
    Opportunity.objects.filter(pk=opp.pk).delete()
    assert Interaction.objects.filter(pk=interaction.pk).exists()
    assert not OpportunityInteraction.objects.exists()
