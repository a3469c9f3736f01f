"""Issue 14: the board's open-column totals from a tally kept by PostgreSQL triggers (pipeline.models.board).

The tally must equal a live count of the deals after every kind of write (services, queryset updates,
raw SQL, deletes, TRUNCATE), survive compaction, be checked and repaired by the nightly verify, and give
the board the same totals as the live count for every viewer's scope; a filtered board counts live.
"""
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pipeline import services
from pipeline.models import BoardTally, Opportunity
from pipeline.selectors import board_tally_in_use
from pipeline.services.board_tally import board_tally_compact, board_tally_verify

from .factories import make_opportunity, stage

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the tally is kept by PostgreSQL triggers; elsewhere the board counts live")


def live() -> dict:
    rows = Opportunity.objects.order_by().values("stage_id", "owner_id", "currency").annotate(
        n=Count("*"), a=Sum("amount"))
    return {(r["stage_id"], r["owner_id"], r["currency"]): (r["n"], r["a"]) for r in rows}


def tallied() -> dict:
    rows = BoardTally.objects.order_by().values("stage_id", "owner_id", "currency").annotate(
        n=Sum("deals"), a=Sum("amount"))
    return {(r["stage_id"], r["owner_id"], r["currency"]): (r["n"], r["a"]) for r in rows if r["n"] or r["a"]}


@postgres_only
def test_every_kind_of_write_keeps_the_tally_equal_to_the_deals(org):
    owner, teammate, admin = org["owner"], org["teammate"], org["admin"]
    a = make_opportunity(owner=owner, amount=Decimal("100"))
    b = make_opportunity(owner=owner, amount=Decimal("250.50"))
    c = make_opportunity(owner=teammate, amount=Decimal("40"), currency="USD")
    assert tallied() == live() and sum(n for n, _ in live().values()) == 3
    services.opportunity_override_stage(opportunity=a, to_stage=stage("negotiation"), by=admin, reason="jump")
    b.refresh_from_db()
    services.opportunity_update(opportunity=b, by=owner, amount=Decimal("999"))
    assert tallied() == live()
    Opportunity.objects.filter(pk=c.pk).update(owner=owner, currency="EUR")  # a queryset update (admin action, sync)
    Opportunity.objects.filter(pk=a.pk).update(name="renamed only")  # changes nothing the board counts
    assert tallied() == live()
    with connection.cursor() as cursor:  # raw SQL, as an importer or a hand fix would
        cursor.execute("UPDATE pipeline_opportunity SET amount = amount + 1 WHERE id IN (%s, %s)", [a.pk, b.pk])
    Opportunity.objects.filter(pk=b.pk).delete()
    assert tallied() == live()
    make_opportunity(owner=teammate, amount=Decimal("7"))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending, as TRUNCATE needs
        cursor.execute("TRUNCATE pipeline_opportunity CASCADE")
    assert tallied() == live() == {}
    assert not BoardTally.objects.exists()


@postgres_only
def test_a_change_that_leaves_the_keys_alone_appends_nothing(org):
    deal = make_opportunity(owner=org["owner"])
    rows = BoardTally.objects.count()
    Opportunity.objects.filter(pk=deal.pk).update(name="New name", stalled_at=timezone.now())
    assert BoardTally.objects.count() == rows


@postgres_only
def test_compaction_folds_the_rows_and_keeps_every_total(org):
    admin = org["admin"]
    deals = [make_opportunity(owner=org["owner"], amount=Decimal("10")) for _ in range(3)]
    for deal in deals:
        services.opportunity_override_stage(opportunity=deal, to_stage=stage("needs_confirmed"), by=admin, reason="x")
    Opportunity.objects.filter(pk=deals[0].pk).delete()
    before = tallied()
    assert BoardTally.objects.count() > len(before)
    result = board_tally_compact()
    assert result["before"] > result["after"] == len(before) == BoardTally.objects.count()
    assert tallied() == before == live()
    # the first stage's key netted to zero: its rows are gone, not kept as zeros
    assert not BoardTally.objects.filter(stage=stage("lead_identified")).exists()


@postgres_only
def test_the_nightly_verify_finds_and_repairs_a_tally_bypassed_by_hand(org):
    make_opportunity(owner=org["owner"], amount=Decimal("10"))
    assert board_tally_verify() == {"mismatched": 0, "repaired": False}
    BoardTally.objects.create(stage=stage("negotiation"), owner=org["owner"], currency="EUR", deals=5,
                              amount=Decimal("1"))
    assert board_tally_verify(repair=False) == {"mismatched": 1, "repaired": False}
    assert tallied() != live()
    assert board_tally_verify() == {"mismatched": 1, "repaired": True}
    assert tallied() == live()


def board_totals_of(client) -> dict:
    response = client.get(reverse("pipeline:board"))
    assert response.status_code == 200
    return {column["stage"].code: (column["count"], [(t["currency"], t["amount"]) for t in column["amounts"]])
            for column in response.context["columns"]}


@postgres_only
@pytest.mark.parametrize("who", ["admin", "mgr", "owner", "outsider"])
def test_the_board_totals_from_the_tally_equal_the_live_count_for_every_scope(client, org, settings, who):
    for rep, amount in [("owner", "100"), ("owner", "5.25"), ("teammate", "70"), ("outsider", "1000")]:
        make_opportunity(owner=org[rep], amount=Decimal(amount))
    deal = make_opportunity(owner=org["teammate"], amount=Decimal("30"), currency="USD")
    services.opportunity_override_stage(opportunity=deal, to_stage=stage("solution_demo"), by=org["admin"], reason="x")
    won = make_opportunity(owner=org["owner"], amount=Decimal("500"))
    services.opportunity_override_stage(opportunity=won, to_stage=stage("closed_won"), by=org["admin"], reason="won")
    client.force_login(org[who])
    with CaptureQueriesContext(connection) as queries:
        from_tally = board_totals_of(client)
    assert any("pipeline_boardtally" in q["sql"] for q in queries.captured_queries)
    settings.PIPELINE_BOARD_TALLY = False
    with CaptureQueriesContext(connection) as queries:
        counted = board_totals_of(client)
    assert not any("pipeline_boardtally" in q["sql"] for q in queries.captured_queries)
    assert from_tally == counted
    expected_open = {"admin": 5, "mgr": 4, "owner": 2, "outsider": 1}[who]
    assert sum(count for code, (count, _) in from_tally.items() if code not in ("closed_won", "closed_lost")) == \
        expected_open
    assert from_tally["closed_won"][0] == (1 if who in ("admin", "mgr", "owner") else 0)  # closed this month, live


@postgres_only
def test_a_filtered_board_and_its_moves_count_the_matching_deals_live(client, org):
    small = make_opportunity(owner=org["owner"], name="Small", amount=Decimal("100"))
    deal = make_opportunity(owner=org["owner"], name="Big", amount=Decimal("90000"))
    client.force_login(org["owner"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pipeline:board"), {"max_amount": "5000"})
    assert not any("pipeline_boardtally" in q["sql"] for q in queries.captured_queries)
    first = response.context["columns"][0]
    assert first["count"] == 1 and first["amounts"][0]["amount"] == Decimal("100")
    # an empty filter form (submitted with nothing chosen) is the whole scope: the tally
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pipeline:board"), {"q": "", "max_amount": "", "owner": ""})
    assert any("pipeline_boardtally" in q["sql"] for q in queries.captured_queries)
    assert response.context["columns"][0]["count"] == 2
    # a move answers the totals the same way: live with the board's filter, from the tally without one
    with CaptureQueriesContext(connection) as queries:
        data = client.post(reverse("pipeline:board-move", args=[deal.pk]) + "?max_amount=5000",
                           {"stage": stage("needs_confirmed").pk, "version": deal.version}).json()
    assert not any("pipeline_boardtally" in q["sql"] for q in queries.captured_queries)
    assert 'data-count="0"' in data["columns"]["needs_confirmed"]["totals"]  # "Big" moved, but filtered out
    assert 'data-count="1"' in data["columns"]["lead_identified"]["totals"]
    with CaptureQueriesContext(connection) as queries:
        data = client.post(reverse("pipeline:board-move", args=[small.pk]),
                           {"stage": stage("needs_confirmed").pk, "version": small.version}).json()
    assert data["ok"] and any("pipeline_boardtally" in q["sql"] for q in queries.captured_queries)
    assert 'data-count="2"' in data["columns"]["needs_confirmed"]["totals"]
    assert 'data-count="0"' in data["columns"]["lead_identified"]["totals"]
    # ordering is not a filter
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("pipeline:board"), {"ordering": "name"})
    assert any("pipeline_boardtally" in q["sql"] for q in queries.captured_queries)


def test_elsewhere_than_postgresql_the_board_counts_live(client, org):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite behaviour")
    assert not board_tally_in_use()
    make_opportunity(owner=org["owner"], amount=Decimal("100"))
    client.force_login(org["owner"])
    assert board_totals_of(client)["lead_identified"] == (1, [("CNY", Decimal("100.00"))])
    assert board_tally_compact() == {} and board_tally_verify() == {}


def test_the_tally_is_no_editable_record(admin_client):
    from django.contrib import admin

    assert BoardTally not in admin.site._registry


def _compaction_held_open(deals_in_tally: int):
    """A second connection that has folded the tally but not committed (as the beat job mid-way)."""
    import psycopg
    from django.conf import settings as django_settings

    db = django_settings.DATABASES["default"]
    other = psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"],
                            password=db["PASSWORD"] or None, dbname=db["NAME"])
    from pipeline.services.board_tally import COMPACT_LOCK, COMPACT_SQL

    other.execute("SELECT pg_advisory_xact_lock(%s)", [COMPACT_LOCK])
    other.execute(COMPACT_SQL)
    return other


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("what", ["rebuild", "truncate"])
def test_upkeep_racing_a_compaction_neither_counts_twice_nor_keeps_stale_rows(org, what):
    """A rebuild (nightly verify) or a TRUNCATE of the deals while a compaction is uncommitted: the
    rebuild waits for it and replaces what it folded; the TRUNCATE empties it too."""
    import threading

    for _ in range(3):
        make_opportunity(owner=org["owner"], amount=Decimal("10"))
    if what == "rebuild":  # something to repair
        BoardTally.objects.create(stage=stage("negotiation"), owner=org["owner"], currency="CNY", deals=4,
                                  amount=Decimal("1"))
    other = _compaction_held_open(3)
    result = {}

    def upkeep():
        from django.db import connection as thread_connection
        try:
            if what == "rebuild":
                result["verify"] = board_tally_verify(repair=True)
            else:
                with thread_connection.cursor() as cursor:
                    cursor.execute("TRUNCATE pipeline_opportunity CASCADE")
        finally:
            thread_connection.close()

    thread = threading.Thread(target=upkeep)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive()  # waiting for the compaction
    other.commit()
    other.close()
    thread.join(30)
    assert not thread.is_alive()
    assert tallied() == live()
    assert sum(n for n, _ in tallied().values()) == (3 if what == "rebuild" else 0)
