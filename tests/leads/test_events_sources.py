"""External event ids are unique per source of events (the poster), not across all users."""
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.models import EventType, LeadEvent
from leads.services.events import events_ingest
from tests.leads.factories import LeadFactory
from tests.salesops.test_settings import run_manage

pytestmark = pytest.mark.django_db

URL = "/api/v1/lead-events/"


def event(lead, external_id="e1", type="webinar_attended"):
    return {"lead": lead.pk, "type": type, "occurred_at": "2026-03-01T10:00:00Z", "external_id": external_id}


@pytest.fixture
def lead(org):
    return LeadFactory(owner=org["owner"], industry="technology", company_size=10)


class TestExternalIdPerPoster:
    def test_another_posters_event_with_the_same_id_is_stored(self, org, lead):
        first = events_ingest(by=org["owner"], items=[event(lead)])
        second = events_ingest(by=org["marketing"], items=[event(lead)])
        assert len(first.created) == 1 and len(second.created) == 1
        assert second.duplicates == [] and [s for s, _pk in second.statuses] == ["created"]
        assert sorted(LeadEvent.objects.values_list("posted_by__username", "external_id")) == [
            ("mkt", "e1"), ("owner", "e1")]

    def test_a_retry_by_the_same_poster_is_still_a_duplicate(self, org, lead):
        events_ingest(by=org["owner"], items=[event(lead)])
        events_ingest(by=org["marketing"], items=[event(lead)])
        again = events_ingest(by=org["marketing"], items=[event(lead), event(lead, external_id="e2")])
        assert again.duplicates == ["e1"] and len(again.created) == 1
        assert LeadEvent.objects.filter(posted_by=org["marketing"]).count() == 2
        assert LeadEvent.objects.count() == 3

    def test_the_api_neither_drops_nor_reveals_another_posters_id(self, api, org, lead,
                                                                   django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            assert api.as_user(org["owner"]).post(URL, event(lead), format="json").status_code == 201
        with django_capture_on_commit_callbacks(execute=True):
            response = api.as_user(org["mgr"]).post(URL, event(lead), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["created"] == 1 and body["duplicates"] == 0 and body["duplicate_external_ids"] == []
        assert lead.events.count() == 2

    def test_app_recorded_events_have_their_own_scope(self, org, lead):
        webinar = EventType.objects.get(code="webinar_attended")
        LeadEvent.objects.create(lead=lead, event_type=webinar, occurred_at=timezone.now(), external_id="e1")
        result = events_ingest(by=org["owner"], items=[event(lead)])
        assert len(result.created) == 1 and result.duplicates == []

    def test_the_database_refuses_a_repeated_id_within_one_scope(self, org, lead):
        webinar = EventType.objects.get(code="webinar_attended")
        fields = {"lead": lead, "event_type": webinar, "occurred_at": timezone.now(), "external_id": "x"}
        LeadEvent.objects.create(posted_by=org["owner"], **fields)
        LeadEvent.objects.create(**fields)  # app scope: a different source
        for poster in (org["owner"], None):
            with pytest.raises(IntegrityError), transaction.atomic():
                LeadEvent.objects.create(posted_by=poster, **fields)
        assert LeadEvent.objects.count() == 2


MIGRATE_WITH_AN_OLD_EVENT = """
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
before = [("leads", "0006_h5_import_jobs_imported_outcome")]
executor = MigrationExecutor(connection)
executor.migrate(before)
old = executor.loader.project_state(before).apps
lead = old.get_model("leads", "Lead").objects.create(name="Ada", email="ada@example.com")
webinar = old.get_model("leads", "EventType").objects.get(code="webinar_attended")
old.get_model("leads", "LeadEvent").objects.create(lead=lead, event_type=webinar, external_id="old-1",
                                                   occurred_at=timezone.now())
executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from leads.models import LeadEvent
print([(e.external_id, e.posted_by_id, e.lead_id == lead.pk) for e in LeadEvent.objects.all()])
"""


def test_the_migration_keeps_existing_events(tmp_path):
    # A scratch database in its own process: migrating the test database back and forth would
    # disturb the other tests' data.
    result = run_manage("shell", "-c", MIGRATE_WITH_AN_OLD_EVENT, DEBUG="1",
                        DATABASE_URL=f"sqlite:///{tmp_path / 'migrate.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[('old-1', None, True)]"
