"""Each ledger entry carries the stay it ends (pipeline.services.ledger): the stage the deal was in and
the days since the previous entry, in (at, id) order — also when an entry lands out of order."""
from datetime import timedelta

import pytest
from django.utils import timezone

from pipeline.models import StageTransition
from pipeline.selectors import stage_stay_percentiles, stage_stays
from pipeline.services import ledger
from pipeline.services.ledger import ledger_entries_with_stays, ledger_stays_backfill, stays_of

from .factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


def entries(opp):
    return list(StageTransition.objects.filter(opportunity=opp).order_by("at", "id")
                .values_list("to_stage__code", "stay_stage__code", "stay_days"))


def test_stays_of_pairs_each_entry_with_the_one_before():
    t0 = timezone.now()
    assert stays_of([(1, t0), (2, t0 + timedelta(days=2)), (3, t0 + timedelta(days=2, hours=12))]) == [
        (None, None), (1, 2.0), (2, 0.5)]


def test_a_move_records_the_stay_it_ends(org):
    from pipeline import services

    opp = make_opportunity(owner=org["owner"])
    StageTransition.objects.filter(opportunity=opp).update(at=timezone.now() - timedelta(days=4))
    services.opportunity_import_stage(opportunity=opp, to_stage=stage("needs_confirmed"), at=timezone.now())
    first, last = entries(opp)
    assert first[1:] == (None, None)
    assert last[:2] == ("needs_confirmed", "lead_identified") and last[2] == pytest.approx(4.0, abs=0.01)


def test_an_entry_dated_before_the_last_one_shifts_its_neighbours_stay(org):
    from pipeline import services

    now = timezone.now()
    opp = make_opportunity(owner=org["owner"])
    StageTransition.objects.filter(opportunity=opp).update(at=now - timedelta(days=10))
    services.opportunity_import_stage(opportunity=opp, to_stage=stage("solution_demo"), at=now - timedelta(days=2))
    services.opportunity_import_stage(opportunity=opp, to_stage=stage("needs_confirmed"), at=now - timedelta(days=6))
    assert [(code, left, None if days is None else round(days, 3)) for code, left, days in entries(opp)] == [
        ("lead_identified", None, None), ("needs_confirmed", "lead_identified", 4.0),
        ("solution_demo", "needs_confirmed", 4.0)]


def test_the_backfill_gives_what_the_services_keep(org):
    from pipeline import services

    opp = make_opportunity(owner=org["owner"])
    services.opportunity_import_stage(opportunity=opp, to_stage=stage("needs_confirmed"), at=timezone.now())
    kept = entries(opp)
    StageTransition.objects.update(stay_stage=None, stay_days=None)
    assert ledger_stays_backfill() == 1
    # the same stays; the days may differ in the last bits (the database's float arithmetic vs Python's)
    again = entries(opp)
    assert [row[:2] for row in again] == [row[:2] for row in kept]
    assert [row[2] for row in again] == [pytest.approx(row[2], rel=1e-9, abs=1e-12) if row[2] is not None else None
                                         for row in kept]


def test_imported_entries_get_their_stays_before_the_insert(org):
    opp = make_opportunity(owner=org["owner"])
    t0 = timezone.now() - timedelta(days=3)
    new = [StageTransition(opportunity=opp, opportunity_ref=opp.pk, to_stage=stage("closed_won"), at=t0 + timedelta(days=3),
                           amount=1, probability=100),
           StageTransition(opportunity=opp, opportunity_ref=opp.pk, to_stage=stage("lead_identified"), at=t0,
                           amount=1, probability=10)]
    ledger_entries_with_stays(new)
    assert (new[1].stay_stage_id, new[1].stay_days) == (None, None)
    assert new[0].stay_stage_id == stage("lead_identified").pk and new[0].stay_days == pytest.approx(3.0)


def test_time_in_stage_reads_the_stays_ended_in_the_period(org):
    from pipeline import services
    from pipeline.models import Opportunity

    now = timezone.now()
    for days in (2, 4, 9):
        opp = make_opportunity(owner=org["owner"])
        StageTransition.objects.filter(opportunity=opp).update(at=now - timedelta(days=days + 1))
        services.opportunity_import_stage(opportunity=opp, to_stage=stage("needs_confirmed"), at=now - timedelta(days=1))
    today = timezone.localdate()
    figures = stage_stay_percentiles(opportunities=Opportunity.objects.all(), start=today - timedelta(days=5), end=today)
    first = stage("lead_identified").pk
    assert figures[first]["stays"] == 3 and figures[first][50] == pytest.approx(4.0, abs=0.01)
    assert figures[None]["deals"] == 3
    assert len(stage_stays(start=today, end=today)) == 0  # none ended today
    assert ledger.BACKFILL_SQL.strip().startswith("UPDATE")
