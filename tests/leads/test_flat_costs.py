"""Costs that stay flat as the tables grow (issue 14): id-range rescores that write only changed
rows, the cached rule set, the one email lookup, the routing loads read from a partial index."""
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import EventType, Lead, LeadEvent, RoutingRule, ScoreChange
from leads.selectors import email_lookup_q, external_ref_lookup_q
from leads.services.core import lead_create
from leads.services.lifecycle import lead_delete, lead_disqualify
from leads.services.routing import (lead_assign, leads_route, open_lead_counts_queryset,
                                    rep_open_lead_counts)
from leads.services.scoring import lead_rescore, leads_rescore_range
from teams.models import User
from tests.leads.factories import LeadFactory
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=dt_timezone.utc)
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL plans")


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny: ask whether the index CAN serve
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- rescoring ---------------------------------------------------------------------------------
class TestRangeRescore:
    def test_only_leads_in_the_range_are_scored(self, org):
        leads = LeadFactory.create_batch(4, industry="technology", company_size=5000)
        ids = sorted(lead.pk for lead in leads)
        assert leads_rescore_range(lo=ids[1], hi=ids[2], reason="data") == 2
        scores = dict(Lead.objects.values_list("pk", "score"))
        assert [scores[pk] for pk in ids] == [0, 25, 25, 0]

    def test_unchanged_rows_are_not_written(self, org):
        lead = LeadFactory(industry="finance", company_size=10)
        other = LeadFactory(industry="retail", company_size=10)
        lead_rescore(lead_id=lead.pk, reason="data")
        lead_rescore(lead_id=other.pk, reason="data")
        before = {row[0]: row for row in Lead.objects.values_list("pk", "score", "scored_at", "updated_at", "version")}
        xmin = _xmins()
        LeadEvent.objects.create(lead=lead, event_type=EventType.objects.get(code="webinar_attended"),
                                 occurred_at=timezone.now())
        lo, hi = min(lead.pk, other.pk), max(lead.pk, other.pk)
        assert leads_rescore_range(lo=lo, hi=hi, reason="data", now=timezone.now() + timedelta(minutes=5)) == 1
        after = {row[0]: row for row in Lead.objects.values_list("pk", "score", "scored_at", "updated_at", "version")}
        assert after[other.pk] == before[other.pk]  # not written: same scored_at, updated_at, version
        assert after[lead.pk][1] == 35 and after[lead.pk][2] != before[lead.pk][2]
        # a score change moves updated_at (sync clients see it, issue 15) but is not an edit: same version
        assert after[lead.pk][3] > before[lead.pk][3] and after[lead.pk][4] == before[lead.pk][4]
        assert ScoreChange.objects.filter(lead=other).count() == 1
        if xmin:
            assert _xmins()[other.pk] == xmin[other.pk] and _xmins()[lead.pk] != xmin[lead.pk]

    def test_a_single_lead_rescore_reads_no_rule_rows_once_loaded(self, org):
        lead = LeadFactory(industry="finance", company_size=5000)
        lead_rescore(lead_id=lead.pk, reason="data")  # loads the published set once
        LeadEvent.objects.create(lead=lead, event_type=EventType.objects.get(code="webinar_attended"),
                                 occurred_at=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            lead_rescore(lead_id=lead.pk, reason="data")
        tables = " ".join(q["sql"] for q in queries.captured_queries)
        assert "leads_attributerule" not in tables and "leads_gradeband" not in tables
        assert "leads_behaviourrule" not in tables
        # 6 to score and write; 7 for webhooks and the change feed (the batch's history marker, then for
        # "lead.scored" and "lead.grade_changed" each a feed marker, one INSERT … SELECT and the
        # subscriptions): a constant per batch, whatever its size (tests/integrations/test_webhooks.py)
        assert len([q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]) <= 13
        lead.refresh_from_db()
        assert lead.score == 45

    def test_an_edited_rule_set_is_not_served_from_the_cache(self, org):
        from leads.models import RuleSet

        lead = LeadFactory(industry="finance", company_size=10)
        lead_rescore(lead_id=lead.pk, reason="data")
        rule = RuleSet.objects.get(status=RuleSet.Status.PUBLISHED).attribute_rules.get(field="industry")
        rule.points = 40
        rule.save()
        lead_rescore(lead_id=lead.pk, reason="data")
        lead.refresh_from_db()
        assert lead.score == 40


def _xmins() -> dict:
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM leads_lead")
        return dict(cursor.fetchall())


@postgres_only
def test_the_rescore_update_reads_only_its_range(org):
    """The UPDATE names the id range on leads_lead itself: its plan reads leads_lead by primary key."""
    from leads.services.scoring import compile_rule_set, published_rule_set

    LeadFactory.create_batch(3)
    compiled = compile_rule_set(published_rule_set(), now=timezone.now())
    captured = []

    def keep(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    from leads.services.scoring import _rescore_range_sql

    with connection.execute_wrapper(keep):
        _rescore_range_sql(compiled, rule_set_id=published_rule_set().pk, lo=1, hi=10, reason="data", now=NOW)
    sql, params = next((s, p) for s, p in captured if "UPDATE leads_lead" in s)
    assert "l.id >= %s AND l.id <= %s" in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on leads_lead" not in plan


def test_the_lead_indexes_have_readers():
    names = {index.name for index in Lead._meta.indexes}
    assert {"lead_owner_created_kpis", "lead_created_id", "lead_external_ref", "lead_owner_open"} <= names
    # the (owner, -created_at) twin of lead_owner_created_kpis is gone: one index entry less per lead write
    assert "lead_owner_created" not in names
    for field in ("grade", "scored_with", "owner", "external_ref", "created_at"):
        assert not Lead._meta.get_field(field).db_index, field


@postgres_only
def test_a_reps_newest_leads_read_the_kpi_index_backwards(org):
    rep = org["owner"]
    LeadFactory.create_batch(3, owner=rep)
    plan = explain(Lead.objects.filter(owner=rep).order_by("-created_at")[:25])
    assert "lead_owner_created_kpis" in plan and "Backward" in plan


class TestExternalRefLookup:
    def test_it_matches_references_and_never_blanks(self, org):
        lead = LeadFactory(external_ref="crm-1")
        LeadFactory(external_ref="")
        assert list(Lead.objects.filter(external_ref_lookup_q(["crm-1", "crm-2", ""]))) == [lead]
        assert not Lead.objects.filter(external_ref_lookup_q([""])).exists()

    @postgres_only
    def test_postgresql_answers_from_the_partial_index(self, org):
        LeadFactory(external_ref="crm-1")
        assert "lead_external_ref" in explain(Lead.objects.filter(external_ref_lookup_q(["crm-1", "crm-2"])))


# --- email lookups -----------------------------------------------------------------------------
class TestEmailLookup:
    def test_it_ignores_case_and_blanks(self, org):
        lead = LeadFactory(email="Ann.Lee@Example.com")
        LeadFactory(email="")
        assert list(Lead.objects.filter(email_lookup_q(" ann.lee@example.COM "))) == [lead]
        assert list(Lead.objects.filter(email_lookup_q(["x@y.z", "ANN.LEE@example.com"]))) == [lead]
        assert not Lead.objects.filter(email_lookup_q("")).exists()
        assert not Lead.objects.filter(email_lookup_q([])).exists()

    def test_the_uniqueness_check_uses_it(self, org):
        LeadFactory(email="dup@example.com")
        from django.core.exceptions import ValidationError

        with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError):
            lead_create(by=org["admin"], name="Dup", email="DUP@example.com")
        lookup = next(q["sql"] for q in queries.captured_queries if 'FROM "leads_lead"' in q["sql"])
        assert 'LOWER("leads_lead"."email")' in lookup
        assert 'NOT ("leads_lead"."email" = \'\')' in lookup or '"leads_lead"."email" <> \'\'' in lookup
        assert "UPPER" not in lookup

    @postgres_only
    def test_postgresql_answers_from_the_unique_index(self, org):
        LeadFactory(email="a@example.com")
        assert "lead_email_unique_ci" in explain(Lead.objects.filter(email_lookup_q("A@example.com")))
        assert "lead_email_unique_ci" in explain(Lead.objects.filter(email_lookup_q(["a@example.com", "b@x.y"])))


# --- routing loads -----------------------------------------------------------------------------
def fresh_counts() -> dict:
    counts: dict = {}
    for owner_id, status in Lead.objects.values_list("owner_id", "status"):
        if owner_id is not None and status not in ("converted", "disqualified"):
            counts[owner_id] = counts.get(owner_id, 0) + 1
    return counts


class TestRoutingLoads:
    def test_the_loads_equal_a_fresh_count_after_every_kind_of_change(self, org):
        owner, teammate, mgr = org["owner"], org["teammate"], org["mgr"]
        reps = [owner.pk, teammate.pk]
        leads = LeadFactory.create_batch(4, owner=owner)
        assert rep_open_lead_counts(rep_ids=reps) == fresh_counts() == {owner.pk: 4}
        lead_assign(lead=leads[0], rep=teammate, by=mgr)  # reassign
        assert rep_open_lead_counts(rep_ids=reps) == fresh_counts() == {owner.pk: 3, teammate.pk: 1}
        lead_disqualify(lead=leads[1], by=mgr, reason="no budget")  # closed
        Lead.objects.filter(pk=leads[2].pk).update(status=Lead.Status.CONVERTED)  # as the conversion does
        assert rep_open_lead_counts(rep_ids=reps) == fresh_counts() == {owner.pk: 1, teammate.pk: 1}
        lead_delete(lead=leads[3], by=org["admin"], reason="test")
        assert rep_open_lead_counts(rep_ids=reps) == fresh_counts() == {teammate.pk: 1}

    @postgres_only
    def test_postgresql_counts_from_the_partial_index(self, org):
        LeadFactory.create_batch(2, owner=org["owner"])
        plan = explain(open_lead_counts_queryset(rep_ids=[org["owner"].pk, org["teammate"].pk]))
        assert "lead_owner_open" in plan and "Seq Scan" not in plan

    def test_a_batch_respects_capacity_and_turns(self, db):
        team = TeamFactory(name="North")
        reps = [UserFactory(username=f"r{i}", team=team, lead_capacity=2) for i in range(2)]
        RoutingRule.objects.create(name="All", priority=1, team=team)
        LeadFactory(owner=reps[0])  # r0 already holds one open lead
        leads = [LeadFactory(owner=None, mql_at=NOW) for _ in range(4)]
        progress = []
        leads_route(lead_ids=[lead.pk for lead in leads], now=NOW, batch_size=3,
                    on_progress=lambda done, total: progress.append((done, total)))
        owners = [Lead.objects.get(pk=lead.pk).owner_id for lead in leads]
        assert owners == [reps[0].pk, reps[1].pk, reps[1].pk, None]  # r0 full after one, r1 after two
        assert progress == [(3, 4), (4, 4)]
        assert rep_open_lead_counts(rep_ids=[r.pk for r in reps]) == fresh_counts() == {reps[0].pk: 2, reps[1].pk: 2}
        assert User.objects.get(pk=reps[1].pk).last_lead_assigned_at > NOW


# --- keyset pages ------------------------------------------------------------------------------
class TestKeysetPages:
    def test_pages_repeat_and_skip_nothing_even_on_equal_timestamps(self, org):
        from salesops.keyset import keyset_page

        leads = LeadFactory.create_batch(7, owner=org["owner"])
        same = timezone.now() - timedelta(days=1)
        Lead.objects.filter(pk__in=[lead.pk for lead in leads[2:6]]).update(created_at=same)  # ties on created_at
        seen, after = [], None
        for _ in range(10):
            page = keyset_page(Lead.objects.all(), after=after, size=3)
            seen += [lead.pk for lead in page.rows]
            after = page.next_cursor
            if after is None:
                break
        assert seen == list(Lead.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
        assert len(seen) == len(set(seen)) == 7

    def test_a_bad_cursor_starts_from_the_beginning(self, org):
        from salesops.keyset import decode_cursor, keyset_page

        LeadFactory.create_batch(2)
        for token in ("!!", "bm90LWEtY3Vyc29y", "x" * 500, ""):
            assert decode_cursor(token) is None
            assert len(keyset_page(Lead.objects.all(), after=token, size=5).rows) == 2

    def test_the_lead_list_walks_by_cursor_without_counting(self, client, org):
        from django.urls import reverse

        LeadFactory.create_batch(55, owner=org["owner"])
        client.force_login(org["admin"])
        first = client.get(reverse("leads:list"))
        cursor = first.context["keyset_next"]
        assert cursor
        with CaptureQueriesContext(connection) as queries:
            second = client.get(reverse("leads:list"), {"after": cursor})
        assert second.status_code == 200 and second.context["keyset"]
        assert len(second.context["object_list"]) == 5 and second.context["keyset_next"] is None
        shown = {lead.pk for lead in first.context["object_list"]} | {lead.pk for lead in second.context["object_list"]}
        assert len(shown) == 55
        assert not any("COUNT(" in q["sql"] and "leads_lead" in q["sql"] for q in queries.captured_queries)
        assert 'data-link="keyset-next"' not in second.content.decode()
        assert client.get(reverse("leads:list"), {"after": "garbage"}).status_code == 200
