"""A reader's cursor never moves past a row a still-open transaction will commit (salesops.sync.committed_before):
the sync lists (by updated_at) and the change feed (by id) hold back what was stamped after the oldest open
write transaction began — a lead import writes for as long as its file streams and commits at the end."""
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from integrations.events import publish
from integrations.models import ChangeEvent
from leads.models import Lead
from leads.services import lead_update
from salesops.sync import committed_before
from tests.leads.factories import LeadFactory

LEADS_SYNC = "/api/v1/leads/sync/"
FEED = "/api/v1/changes/"
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="other sessions' open transactions are PostgreSQL's pg_stat_activity")


def sync_ids(client, cursor: str = "") -> tuple[list[int], str]:
    body = client.get(LEADS_SYNC, {"cursor": cursor, "page_size": 1000}).json()
    return [row["id"] for row in body["results"]], body["next_cursor"]


def feed_ids(client, after: int = 0) -> tuple[list[int], int]:
    body = client.get(FEED, {"after": after, "limit": 500}).json()
    return [row["id"] for row in body["results"]], body["next_cursor"]


class OtherSession:
    """A second connection to the same database, in a transaction of its own until `commit()`."""

    def __init__(self):
        database = connections["default"]
        self.connection = database.__class__(dict(database.settings_dict), database.alias)
        self.cursor = self.connection.cursor()
        self.cursor.execute("BEGIN")

    def execute(self, sql: str, params=()):
        self.cursor.execute(sql, params)
        return self.cursor.fetchall() if self.cursor.description else None

    def commit(self):
        self.cursor.execute("COMMIT")

    def close(self):
        self.cursor.close()
        self.connection.close()


@pytest.mark.django_db
class TestSettleMargin:
    def test_the_sync_list_shows_rows_changed_before_the_margin_only(self, api, org, settings):
        settings.SALESOPS_SYNC_SETTLE_SECONDS = 30
        old, fresh = LeadFactory(owner=org["owner"]), LeadFactory(owner=org["owner"])
        Lead.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(minutes=1))
        client = api.as_user(org["owner"])
        ids, cursor = sync_ids(client)
        assert ids == [old.pk]
        Lead.objects.filter(pk=fresh.pk).update(updated_at=timezone.now() - timedelta(seconds=40))
        assert sync_ids(client, cursor)[0] == [fresh.pk]  # later, from the same cursor: not skipped

    def test_the_feed_holds_back_changes_younger_than_its_margin(self, api, org, settings):
        settings.INTEGRATIONS_CHANGES_SETTLE_SECONDS = 30
        early = publish("lead.created", object_id=1, owner_id=org["owner"].pk, payload={})
        late = publish("lead.created", object_id=2, owner_id=org["owner"].pk, payload={})
        ChangeEvent.objects.filter(pk=early).update(created_at=timezone.now() - timedelta(minutes=1))
        client = api.as_user(org["admin"])
        ids, cursor = feed_ids(client)
        assert ids == [early]
        ChangeEvent.objects.filter(pk=late).update(created_at=timezone.now() - timedelta(seconds=40))
        assert feed_ids(client, cursor)[0] == [late]

    def test_the_feed_stops_before_an_unsettled_change_that_has_a_smaller_id(self, api, org, settings):
        """Ids and stamps are not in the same order (publish_select stamps all its rows when it starts
        while others take ids in between): a settled change after an unsettled one waits with it, or the
        cursor would pass the unsettled one for good."""
        settings.INTEGRATIONS_CHANGES_SETTLE_SECONDS = 5
        first = publish("lead.created", object_id=1, owner_id=org["owner"].pk, payload={})
        early = publish("lead.created", object_id=2, owner_id=org["owner"].pk, payload={})
        late = publish("lead.created", object_id=3, owner_id=org["owner"].pk, payload={})
        now = timezone.now()
        ChangeEvent.objects.filter(pk=first).update(created_at=now - timedelta(seconds=60))
        ChangeEvent.objects.filter(pk=early).update(created_at=now - timedelta(seconds=1))  # not settled
        ChangeEvent.objects.filter(pk=late).update(created_at=now - timedelta(seconds=10))  # settled, larger id
        client = api.as_user(org["admin"])
        ids, cursor = feed_ids(client)
        assert ids == [first] and cursor == first
        ChangeEvent.objects.filter(pk=early).update(created_at=now - timedelta(seconds=30))
        assert feed_ids(client, cursor)[0] == [early, late]

    def test_with_no_other_transaction_the_horizon_is_now_minus_the_margin(self):
        before = timezone.now()
        horizon = committed_before(settle=timedelta(seconds=5))
        assert before - timedelta(seconds=5) <= horizon <= timezone.now() - timedelta(seconds=5)


@on_postgresql
@pytest.mark.django_db(transaction=True)
class TestOpenTransactions:
    def test_a_sync_cursor_does_not_move_past_a_lead_an_open_transaction_commits_later(self, api, org):
        slow, quick = LeadFactory(owner=org["owner"]), LeadFactory(owner=org["owner"])
        client = api.as_user(org["owner"])
        seen, cursor = sync_ids(client)
        assert set(seen) == {slow.pk, quick.pk}
        other = OtherSession()
        try:
            # an import: stamped now, committed later
            other.execute("UPDATE leads_lead SET company = 'Imported', updated_at = clock_timestamp() WHERE id = %s",
                          [slow.pk])
            lead_update(lead=quick, by=org["owner"], company="Changed meanwhile")  # committed at once
            during, during_cursor = sync_ids(client, cursor)
            assert during == []  # held back: the open transaction began before it was stamped
            other.commit()
        finally:
            other.close()
        after, _cursor = sync_ids(client, during_cursor)
        assert after == [slow.pk, quick.pk]  # both, in stamp order: nothing skipped

    def test_the_feed_does_not_move_past_changes_an_open_transaction_commits_later(self, api, org, settings):
        settings.INTEGRATIONS_CHANGES_SETTLE_SECONDS = 0
        client = api.as_user(org["admin"])
        first = publish("lead.created", object_id=1, owner_id=org["owner"].pk, payload={})
        assert feed_ids(client)[0] == [first]
        other = OtherSession()
        try:
            [(slow,)] = other.execute(
                "INSERT INTO integrations_changeevent (event_type, object_type, object_id, payload, created_at, owner_id)"
                " VALUES ('lead.created', 'lead', 2, '{}', clock_timestamp(), %s) RETURNING id", [org["owner"].pk])
            quick = publish("lead.created", object_id=3, owner_id=org["owner"].pk, payload={})  # committed at once
            assert slow < quick
            during, cursor = feed_ids(client, first)
            assert during == [] and cursor == first  # quick waits: slow, a smaller id, is not committed yet
            other.commit()
        finally:
            other.close()
        assert feed_ids(client, cursor)[0] == [slow, quick]

    def test_a_transaction_that_took_its_id_holds_readers_back_before_its_first_write(self, api, org):
        """salesops.sync.writing_from_now: a lead import stamps its leads with its first moment, then
        reads the file; readers hold back from that moment, not from its first write."""
        lead = LeadFactory(owner=org["owner"])
        client = api.as_user(org["owner"])
        _seen, cursor = sync_ids(client)
        other = OtherSession()
        try:
            other.execute("SELECT pg_current_xact_id()")  # what writing_from_now() runs
            lead_update(lead=lead, by=org["owner"], company="Changed meanwhile")
            assert sync_ids(client, cursor)[0] == []
        finally:
            other.close()  # rolled back: nothing of it to wait for
        assert sync_ids(client, cursor)[0] == [lead.pk]

    def test_a_transaction_that_only_reads_holds_nothing_back(self, api, org):
        lead = LeadFactory(owner=org["owner"])
        other = OtherSession()
        try:
            other.execute("SELECT count(*) FROM leads_lead")
            assert sync_ids(api.as_user(org["owner"]))[0] == [lead.pk]
        finally:
            other.close()
