"""A deal's activities: logged in customers' log, linked to the deal by pipeline (OpportunityActivity)."""
import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Activity
from pipeline import services
from pipeline.models import ChecklistItem, Opportunity, OpportunityActivity, Stage
from tests.customers.factories import AccountFactory, ContactFactory, ActivityFactory

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

    logged = api.as_user(rep).post(f"/api/v1/opportunities/{opp.pk}/activities/", _meeting(), format="json")
    assert logged.status_code == 201, logged.json()
    activity = Activity.objects.get(pk=logged.json()["id"])
    assert (activity.account_id, activity.owner_id) == (opp.account_id, rep.pk)
    assert OpportunityActivity.objects.filter(opportunity=opp, activity=activity).exists()

    moved = api.as_user(rep).post(f"/api/v1/opportunities/{opp.pk}/transition/", {"stage": "negotiation"},
                                  format="json")
    assert moved.status_code == 200, moved.json()


def test_a_meeting_linked_to_another_deal_does_not_meet_this_deals_gate(org):
    rep = org["owner"]
    opp = _at_solution_demo(rep)
    other = make_opportunity(owner=rep, account=opp.account)
    services.opportunity_activity_log(opportunity=other, by=rep, kind="meeting", summary="Other deal",
                                         occurred_at=timezone.now())
    problems = services.transition_problems(opportunity=opp, to_stage=Stage.objects.get(code="negotiation"))
    assert "related_record:meeting" in {p["code"] for p in problems}
    ActivityFactory(account=opp.account, owner=rep, kind=Activity.Kind.MEETING)  # unlinked, on the account
    problems = services.transition_problems(opportunity=opp, to_stage=Stage.objects.get(code="negotiation"))
    assert "related_record:meeting" not in {p["code"] for p in problems}


def test_the_deal_lists_only_its_own_activities(api, org):
    opp = make_opportunity(owner=org["owner"])
    mine = services.opportunity_activity_log(opportunity=opp, by=org["owner"], kind="call", summary="Call",
                                                occurred_at=timezone.now())
    ActivityFactory(account=opp.account, owner=org["owner"])  # on the account, not about this deal
    response = api.as_user(org["owner"]).get(f"/api/v1/opportunities/{opp.pk}/activities/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_outsiders_can_neither_read_nor_log_a_deals_activities(api, org):
    opp = make_opportunity(owner=org["owner"])
    client = api.as_user(org["outsider"])
    assert client.get(f"/api/v1/opportunities/{opp.pk}/activities/").status_code == 404
    assert client.post(f"/api/v1/opportunities/{opp.pk}/activities/", _meeting(), format="json").status_code == 404
    assert not OpportunityActivity.objects.exists() and not Activity.objects.exists()


def test_the_service_refuses_a_deal_the_user_may_not_change(org):
    from django.core.exceptions import PermissionDenied

    opp = make_opportunity(owner=org["owner"])
    with pytest.raises(PermissionDenied):
        services.opportunity_activity_log(opportunity=opp, by=org["outsider"], kind="call", summary="x",
                                             occurred_at=timezone.now())
    assert not Activity.objects.exists()


def test_a_contact_of_another_account_is_a_400_and_logs_nothing(api, org):
    opp = make_opportunity(owner=org["owner"])
    stranger = ContactFactory(account=AccountFactory(owner=org["owner"]))
    response = api.as_user(org["owner"]).post(f"/api/v1/opportunities/{opp.pk}/activities/",
                                              _meeting(contact=stranger.pk), format="json")
    assert response.status_code == 400 and "contact" in response.json()
    assert not OpportunityActivity.objects.exists() and not Activity.objects.exists()


def test_the_deal_page_logs_a_linked_activity(client, org):
    opp = make_opportunity(owner=org["owner"])
    client.force_login(org["owner"])
    response = client.post(reverse("pipeline:activity-log", args=[opp.pk]), {
        "kind": "meeting", "occurred_at": timezone.now().strftime("%Y-%m-%dT%H:%M"), "summary": "On site"})
    assert response.status_code == 302
    link = OpportunityActivity.objects.get(opportunity=opp)
    assert link.activity.summary == "On site"
    assert "On site" in client.get(reverse("pipeline:detail", args=[opp.pk])).content.decode()


def test_deleting_a_deal_keeps_its_activities_in_the_customers_log(org):
    opp = make_opportunity(owner=org["owner"])
    activity = services.opportunity_activity_log(opportunity=opp, by=org["owner"], kind="call",
                                                       summary="Kept", occurred_at=timezone.now())
    Opportunity.objects.filter(pk=opp.pk).delete()
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert not OpportunityActivity.objects.exists()
