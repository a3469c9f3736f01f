"""The events table partitioned by month (issue 14, item 6): `partition_events` converts
leads_leadevent on PostgreSQL (data, ids, indexes, foreign keys and idempotency kept) and does
nothing on SQLite; after conversion events still insert, deduplicate, read and score, a full
rescore gives the same scores, and the daily job creates the coming months' partitions."""
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from leads.models import EventType, Lead, LeadEvent
from leads.services import partitions
from leads.services.events import events_ingest
from leads.services.scoring import leads_rescore_range
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="declarative partitioning is PostgreSQL's; SQLite does nothing")


def run(*args) -> str:
    out = StringIO()
    call_command("partition_events", *args, stdout=out)
    return out.getvalue()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite answer")
def test_on_sqlite_the_command_says_postgresql_only_and_does_nothing():
    assert "needs PostgreSQL" in run("--apply")
    assert partitions.event_partitions_ensure() == []
    assert partitions.events_partition_convert()["converted"] is False


def scores() -> dict:
    return dict(Lead.objects.values_list("pk", "score"))


@pytest.fixture
def scored_leads(org):
    types = {t.code: t for t in EventType.objects.all()}
    now = timezone.now()
    leads = [LeadFactory(industry=["technology", "retail"][i % 2], company_size=[50, 5000][i % 3 == 0])
             for i in range(12)]
    for i, lead in enumerate(leads):
        for k, code in enumerate(["webinar_attended", "pricing_page_visit", "whitepaper_download"][: i % 4]):
            LeadEvent.objects.create(lead=lead, event_type=types[code], occurred_at=now - timedelta(days=40 * i + k),
                                     external_id=f"ext-{i}-{k}" if k else None)
    LeadEvent.objects.create(lead=leads[0], event_type=types["webinar_attended"],
                             occurred_at=datetime(1990, 1, 1, tzinfo=dt_timezone.utc))  # before the partitions: DEFAULT
    leads_rescore_range(lo=leads[0].pk, hi=leads[-1].pk, reason="data")
    return leads


@postgresql_only
def test_conversion_keeps_events_scores_and_idempotency(scored_leads, org):
    before_scores, before_events = scores(), sorted(LeadEvent.objects.values_list("pk", "lead_id", "occurred_at"))
    assert "Not partitioned" in run("--check")
    out = run("--apply")
    assert f"{len(before_events)} rows copied" in out
    status = partitions.events_partition_status()
    assert status["partitioned"] and status["rows"] == len(before_events)
    names = [name for name, _bound in status["partitions"]]
    assert "leads_leadevent_default" in names and len(names) > 12
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM leads_leadevent_default")
        assert cursor.fetchone()[0] == 1  # the 1990 event
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'leads_leadevent'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert {"leads_leadevent_pkey", "lead_event_lookup"} <= indexes
    # reads and ids are unchanged; the ORM's primary key still finds an event
    assert sorted(LeadEvent.objects.values_list("pk", "lead_id", "occurred_at")) == before_events
    first = LeadEvent.objects.order_by("pk").first()
    assert LeadEvent.objects.get(pk=first.pk).lead_id == first.lead_id
    # the same scores from a full rescore over the partitioned table: nothing changes
    lo, hi = scored_leads[0].pk, scored_leads[-1].pk
    assert leads_rescore_range(lo=lo, hi=hi, reason="data") == 0 and scores() == before_scores
    # new events insert (ids continue after the copied ones), deduplicate per poster, and score
    lead = scored_leads[1]
    result = events_ingest(by=org["marketing"], items=[
        {"lead": lead.pk, "type": "pricing_page_visit", "occurred_at": timezone.now().isoformat(), "external_id": "w-1"}])
    assert len(result.created) == 1 and result.created[0].pk > max(pk for pk, *_ in before_events)
    again = events_ingest(by=org["marketing"], items=[
        {"lead": lead.pk, "type": "pricing_page_visit", "occurred_at": timezone.now().isoformat(), "external_id": "w-1"}])
    assert again.duplicates == ["w-1"] and not again.created
    # the key table enforces uniqueness even when a write skips the service's check (a race)
    types = EventType.objects.get(code="webinar_attended")
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadEvent.objects.create(lead=lead, event_type=types, occurred_at=timezone.now() - timedelta(days=90),
                                 external_id="w-1", posted_by=org["marketing"])
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadEvent.objects.create(lead=lead, event_type=types, occurred_at=timezone.now(), external_id="ext-3-1")
    LeadEvent.objects.create(lead=lead, event_type=types, occurred_at=timezone.now(), external_id="w-1")  # app's own: ok
    leads_rescore_range(lo=lead.pk, hi=lead.pk, reason="event")
    lead.refresh_from_db()
    assert lead.score > before_scores[lead.pk]
    # deleting a lead deletes its events and frees their keys
    gone = scored_leads[2]
    gone.delete()
    LeadEvent.objects.create(lead=scored_leads[3], event_type=types, occurred_at=timezone.now(), external_id="ext-2-1")
    assert "Partitioned by month" in run("--check")
    assert partitions.events_partition_convert()["converted"] is False  # once only


@postgresql_only
def test_the_daily_job_creates_the_coming_months_and_moves_default_rows(scored_leads):
    run("--apply")
    later = timezone.now() + timedelta(days=200)
    month = partitions._month(later.date())
    stray = LeadEvent.objects.create(lead=scored_leads[0], event_type=EventType.objects.first(),
                                     occurred_at=later, external_id="future-1")  # lands in DEFAULT today
    made = partitions.event_partitions_ensure(now=later)
    assert partitions._partition_name(month) in made
    assert partitions.event_partitions_ensure(now=later) == []  # idempotent
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {partitions._partition_name(month)} WHERE id = %s", [stray.pk])
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT COUNT(*) FROM leads_leadevent_key WHERE event_id = %s", [stray.pk])
        assert cursor.fetchone()[0] == 1  # its idempotency key survived the move
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadEvent.objects.create(lead=scored_leads[0], event_type=EventType.objects.first(), occurred_at=later,
                                 external_id="future-1")
