"""Opportunity.furthest_stage: kept from the ledger by the services, backfilled set-based, and the
source of the funnel's conversion (pipeline.selectors.metrics.funnel_conversion)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from pipeline.models import Opportunity
from pipeline.selectors import stage_list
from pipeline.selectors.metrics import funnel_conversion
from pipeline.services import opportunity_override_stage
from pipeline.services.ledger import opportunities_furthest_sync

from .factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


def furthest(opp) -> str | None:
    value = Opportunity.objects.filter(pk=opp.pk).values_list("furthest_stage__code", flat=True).get()
    return value


def test_a_new_deal_starts_at_its_stage(org):
    assert furthest(make_opportunity(owner=org["owner"])) == "lead_identified"


def test_moves_keep_the_furthest_forward_stage(org):
    opp = make_opportunity(owner=org["owner"])
    admin = org["admin"]
    opportunity_override_stage(opportunity=opp, to_stage=stage("negotiation"), by=admin, reason="jump")
    assert furthest(opp) == "negotiation"
    opportunity_override_stage(opportunity=opp, to_stage=stage("needs_confirmed"), by=admin, reason="back")
    assert furthest(opp) == "negotiation"  # moving back keeps what the deal reached
    opportunity_override_stage(opportunity=opp, to_stage=stage("closed_lost"), by=admin, reason="lost")
    assert furthest(opp) == "negotiation"  # a lost stage is not a step forward
    opportunity_override_stage(opportunity=opp, to_stage=stage("closed_won"), by=admin, reason="won after all")
    assert furthest(opp) == "closed_won"


def test_the_backfill_rebuilds_it_from_the_ledger(org):
    a, b = make_opportunity(owner=org["owner"]), make_opportunity(owner=org["owner"])
    opportunity_override_stage(opportunity=a, to_stage=stage("solution_demo"), by=org["admin"], reason="x")
    Opportunity.objects.update(furthest_stage=None)
    assert opportunities_furthest_sync() == 2
    assert (furthest(a), furthest(b)) == ("solution_demo", "lead_identified")


def test_the_funnel_conversion_reads_it(org):
    deals = [make_opportunity(owner=org["owner"]) for _ in range(4)]
    for opp, code in zip(deals, ["needs_confirmed", "solution_demo", "closed_lost", "lead_identified"]):
        if code != "lead_identified":
            opportunity_override_stage(opportunity=opp, to_stage=stage(code), by=org["admin"], reason="x")
    today = timezone.localdate()
    rows = funnel_conversion(queryset=Opportunity.objects.all(), start=today - timedelta(days=1), end=today,
                             stages=stage_list())
    reached = {(r["from_stage"], r["to_stage"]): (r["reached_from"], r["reached_to"]) for r in rows}
    assert reached[("lead_identified", "needs_confirmed")] == (4, 2)
    assert reached[("needs_confirmed", "solution_demo")] == (2, 1)
    # a stale stored value is what the funnel reads: it does not go back to the ledger
    Opportunity.objects.filter(pk=deals[3].pk).update(furthest_stage=stage("negotiation"))
    rows = funnel_conversion(queryset=Opportunity.objects.all(), start=today - timedelta(days=1), end=today,
                             stages=stage_list())
    assert rows[0]["reached_to"] == 3


def test_the_backfill_agrees_with_the_per_deal_sync_and_writes_only_changes(org):
    """The whole-table backfill (set-based on PostgreSQL) gives each deal what the per-deal sync gives,
    empties a deal with no forward entry, and leaves deals already right alone."""
    from pipeline.models import StageTransition

    admin = org["admin"]
    deals = [make_opportunity(owner=org["owner"]) for _ in range(4)]
    opportunity_override_stage(opportunity=deals[0], to_stage=stage("negotiation"), by=admin, reason="x")
    opportunity_override_stage(opportunity=deals[0], to_stage=stage("needs_confirmed"), by=admin, reason="back")
    opportunity_override_stage(opportunity=deals[1], to_stage=stage("closed_lost"), by=admin, reason="lost")
    # a deal whose ledger shows no forward entry at all (e.g. imported straight into lost)
    StageTransition.objects.filter(opportunity=deals[2]).update(to_stage=stage("closed_lost"))
    expected = {}
    for opp in deals:
        opportunities_furthest_sync(opportunity_ids=[opp.pk])
        expected[opp.pk] = furthest(opp)
    assert expected[deals[0].pk] == "negotiation" and expected[deals[2].pk] is None
    Opportunity.objects.filter(pk__in=[deals[0].pk, deals[1].pk]).update(furthest_stage=stage("closed_won"))
    Opportunity.objects.filter(pk=deals[2].pk).update(furthest_stage=stage("solution_demo"))
    from django.db import connection

    # PostgreSQL writes the 3 that changed; elsewhere the plain UPDATE counts every deal
    assert opportunities_furthest_sync() == (3 if connection.vendor == "postgresql" else 4)
    assert {opp.pk: furthest(opp) for opp in deals} == expected
