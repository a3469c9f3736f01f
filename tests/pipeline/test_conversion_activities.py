"""A lead's activities follow it on conversion: onto the new account and contact (one UPDATE) and
linked to the new deal (one bulk insert), so the account's and the deal's timelines show them."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Activity
from customers.services import activity_log
from leads.models import Lead
from pipeline import services
from pipeline.models import OpportunityActivity
from salesops.timeline import timeline
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def qualified_lead_with_activities(owner, n: int):
    lead = LeadFactory(owner=owner, status=Lead.Status.QUALIFIED, company="Globex")
    for i in range(n):
        activity_log(by=owner, lead=lead, kind="call", summary=f"Call {i}",
                     occurred_at=timezone.now() - timedelta(days=i))
    activity_log(by=owner, lead=lead, kind="task", summary="Send the deck", due_at=timezone.now() + timedelta(days=1))
    return lead


def test_the_leads_activities_move_to_the_account_contact_and_deal(org):
    lead = qualified_lead_with_activities(org["owner"], 3)
    before = Activity.objects.count()
    opp = services.lead_convert(lead=lead, by=org["owner"])
    moved = Activity.objects.filter(lead=lead)
    assert moved.count() == before == 4
    assert set(moved.values_list("account_id", "contact_id")) == {(opp.account_id, opp.contact_id)}
    assert set(OpportunityActivity.objects.filter(opportunity=opp).values_list("activity_id", flat=True)) == set(
        moved.values_list("pk", flat=True))
    bodies = {item.body for item in timeline("opportunity", opp, org["owner"])}
    assert bodies == {"Call 0", "Call 1", "Call 2", "Send the deck"}
    assert {item.body for item in timeline("account", opp.account, org["owner"])} == bodies
    assert {item.body for item in timeline("lead", lead, org["owner"])} == bodies  # still on the lead too


def test_the_move_costs_the_same_queries_for_one_or_many_activities(org):
    def cost(n):
        lead = qualified_lead_with_activities(org["owner"], n)
        with CaptureQueriesContext(connection) as queries:
            services.lead_convert(lead=lead, by=org["owner"])
        return len(queries)

    assert cost(1) == cost(12)


def test_a_lead_without_activities_converts_as_before(org):
    lead = LeadFactory(owner=org["owner"], status=Lead.Status.QUALIFIED)
    opp = services.lead_convert(lead=lead, by=org["owner"])
    assert not OpportunityActivity.objects.filter(opportunity=opp).exists()
