"""leads.services.imports streams files in chunks (issue 14 item 5): same result whatever the chunk
size, duplicates across chunks, a bad row in a later chunk writes nothing, progress per chunk."""
import pytest
from django.db import connection, connections, transaction

from integrations.models import ChangeEvent
from leads.models import Assignment, Lead, ScoreChange
from leads.services.imports import leads_import
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.SALESOPS_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.SALESOPS_IMPORT_STAGING_DIR


MAPPING = {"columns": {"name": "Name", "email": "Email", "company": "Company", "industry": "Sector",
                       "company_size": "Staff", "outcome": "Won", "external_ref": "Ref"}}


def csv_file(rows: list[str]) -> bytes:
    return ("Name,Email,Company,Sector,Staff,Won,Ref\n" + "\n".join(rows) + "\n").encode()


def good_rows(n: int = 23) -> list[str]:
    rows = []
    for i in range(n):
        email = f"p{i}@example.com" if i % 5 else ""  # every fifth row has no email: deduped by Ref
        rows.append(f"Person {i},{email},Co {i},{'technology' if i % 2 else 'retail'},{100 + i * 100},"
                    f"{'yes' if i % 7 == 0 else ''},R{i}")
    return rows


class Recorder:
    def __init__(self):
        self.totals, self.checked_counts = [], []

    def total(self, count):
        self.totals.append(count)

    def checked(self, processed):
        self.checked_counts.append(processed)


def snapshot():
    leads = sorted(Lead.objects.values_list(
        "name", "email", "company", "industry", "company_size", "external_ref", "owner_id", "score", "grade",
        "completeness", "imported_converted", "date_unknown", "version", "assigned_at", "first_touch_due_at"))
    leads = [(*row[:-2], row[-2] is not None, row[-1] is not None) for row in leads]
    history = sorted(ScoreChange.objects.values_list("lead__name", "score", "grade", "reason"))
    audit = sorted(Assignment.objects.values_list("lead__name", "rep_id", "assigned_by_id", "reason"))
    created = ChangeEvent.objects.filter(event_type="lead.created").count()
    return leads, history, audit, created


def import_and_snapshot(settings, org, data, *, chunk):
    settings.LEADS_IMPORT_CHUNK_ROWS = chunk
    with transaction.atomic():
        result = leads_import(by=org["mgr"], data=data, mapping=MAPPING)
        seen = snapshot()
        transaction.set_rollback(True)
    return result, seen


class TestChunks:
    def test_small_chunks_give_the_same_leads_history_and_audit_as_one_chunk(self, settings, org):
        LeadFactory(email="P3@example.com")  # an existing lead: row 5 is its duplicate
        rows = good_rows() + ["Again,p8@EXAMPLE.com,X,retail,,,", "Ref again,,X,retail,,,R10"]
        data = csv_file(rows)
        whole, whole_seen = import_and_snapshot(settings, org, data, chunk=1000)
        chunked, chunked_seen = import_and_snapshot(settings, org, data, chunk=4)
        assert whole.ok and chunked.ok and whole.created == chunked.created == 22
        assert chunked_seen == whole_seen
        leads, history, audit, created = chunked_seen
        assert len(leads) - 1 == len(history) == created == 22  # the existing lead has no import history
        assert len(audit) == 22 - 4  # rows 0, 7, 14, 21 are converted per the source: history, not work
        for name in ("duplicates", "to_create", "total_rows", "preview", "counts"):
            assert getattr(chunked, name) == getattr(whole, name), name

    def test_duplicates_are_found_across_chunks(self, settings, org):
        settings.LEADS_IMPORT_CHUNK_ROWS = 2
        LeadFactory(email="old@example.com")
        data = csv_file(["A,a@example.com,,,,,", "B,b@example.com,,,,,", "C,c@example.com,,,,,",
                         "A again,A@Example.com,,,,,", "Old,OLD@example.com,,,,,", "D,,,,,,R1", "D again,,,,,,R1"])
        result = leads_import(by=org["mgr"], data=data, mapping=MAPPING)
        assert result.ok and result.created == 4
        assert result.duplicates == [{"row": 5, "reason": "same as row 2"},
                                     {"row": 6, "reason": "a lead with email OLD@example.com exists"},
                                     {"row": 8, "reason": "same as row 7"}]
        assert Lead.objects.filter(email__iexact="a@example.com").count() == 1

    def test_a_bad_row_in_a_later_chunk_means_nothing_is_written(self, settings, org):
        settings.LEADS_IMPORT_CHUNK_ROWS = 3
        rows = good_rows(10) + ["Bad,not-an-email,,,lots,,"]
        result = leads_import(by=org["mgr"], data=csv_file(rows), mapping=MAPPING)
        assert not result.ok and result.created == 0
        assert {(e.row, e.column) for e in result.errors} == {(12, "Email"), (12, "Staff")}
        assert not Lead.objects.exists() and not ScoreChange.objects.exists() and not Assignment.objects.exists()
        assert not ChangeEvent.objects.filter(event_type="lead.created").exists()

    def test_every_error_is_counted_across_chunks_and_the_first_ones_kept(self, settings, org, monkeypatch):
        from salesops import imports as framework
        monkeypatch.setattr(framework, "MAX_ERRORS", 3)
        settings.LEADS_IMPORT_CHUNK_ROWS = 2
        rows = ["Good,g@example.com,,,,,"] + [f"Bad {i},bad{i},,,,," for i in range(7)]
        result = leads_import(by=org["mgr"], data=csv_file(rows), mapping=MAPPING)
        assert result.error_count == 7 and [e.row for e in result.errors] == [3, 4, 5]
        assert not Lead.objects.exists()

    def test_progress_is_reported_once_per_chunk(self, settings, org):
        settings.LEADS_IMPORT_CHUNK_ROWS = 3
        progress = Recorder()
        result = leads_import(by=org["mgr"], data=csv_file(good_rows(10)), mapping=MAPPING, progress=progress)
        assert result.ok and progress.totals == [10]
        assert progress.checked_counts == [3, 6, 9, 10]

    def test_a_preview_writes_nothing_and_agrees_with_the_import(self, settings, org):
        settings.LEADS_IMPORT_CHUNK_ROWS = 4
        data = csv_file(good_rows() + ["Again,p8@example.com,X,retail,,,"])
        preview = leads_import(by=org["mgr"], data=data, mapping=MAPPING, dry_run=True)
        assert not Lead.objects.exists()
        result = leads_import(by=org["mgr"], data=data, mapping=MAPPING)
        assert (preview.to_create, preview.duplicates) == (result.to_create, result.duplicates)
        assert result.created == Lead.objects.count() == 23


class TestJobProgress:
    def test_a_job_ends_with_every_row_counted(self, settings, org, staging):
        from leads.models import LeadImportJob
        from leads.services.imports import lead_import_job_run, lead_import_job_start
        settings.LEADS_IMPORT_CHUNK_ROWS = 4
        job = lead_import_job_start(by=org["mgr"], data=csv_file(good_rows()), file_name="x.csv", mapping=MAPPING,
                                    preview=False)
        lead_import_job_run(job_id=job.pk)
        job = LeadImportJob.objects.get(pk=job.pk)
        assert (job.status, job.processed, job.total, job.outcome.created) == ("done", 23, 23, 23)


@pytest.mark.parametrize("values", [
    {}, {"name": "A"}, {"name": " ", "email": "a@b.cn", "company_size": 0}, {"industry": "retail", "phone": "1"},
    {"name": "A", "email": "a@b.cn", "phone": "1", "company": "C", "industry": "retail", "company_size": 5,
     "region": "east", "job_title": "T", "source": "other"},
])
def test_the_importers_completeness_is_the_quality_rule(values):
    from leads.quality import PROFILE_FIELDS, completeness_percent
    from leads.services.imports.rows import FieldChecks, profile_completeness
    defaults = FieldChecks().profile_defaults
    assert profile_completeness(values, defaults) == completeness_percent(
        {name: values.get(name, defaults[name]) for name in PROFILE_FIELDS})


@pytest.mark.parametrize("values", [
    {"name": "Ada", "email": "ada@example.com", "company_size": 5, "total_visits": 0, "industry": "retail"},
    {"name": "", "email": "not an email", "company_size": 0, "total_visits": -1},
    {"name": "x" * 201, "email": "a@localhost", "company": "c" * 201, "company_size": 10_000_001},
    {"name": "Ü", "email": "ü@bücher.example", "region": "moon", "phone": "1" * 51},
    {"name": "Q", "email": '"quoted"@example.com', "do_not_email": True, "external_ref": "r" * 101},
    {"name": "N", "email": "a@[127.0.0.1]", "industry": "", "time_on_site": 2**31},
])
def test_the_row_checks_are_lead_clean_fields(values):
    """FieldChecks takes a shortcut for usual values: it must answer exactly as clean_fields."""
    from django.core.exceptions import ValidationError

    from leads.services.imports.rows import FieldChecks
    check = set(values) | {"name"}
    expected = {}
    try:
        Lead(**values).clean_fields(exclude=[f.name for f in Lead._meta.fields if f.name not in check])
    except ValidationError as exc:
        expected = exc.message_dict
    assert FieldChecks().errors(values, check=check) == expected


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="progress has a connection of its own on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_import_transaction_shows_at_once_without_waiting_for_the_disk(org):
    """Progress written from inside the import's transaction goes through its own connection,
    committed at once (others see it) and asynchronously (a chunk does not wait for the disk's
    flush: 18 ms a chunk here), while the import's own transaction keeps synchronous commit."""
    from leads.models import LeadImportJob
    from salesops.jobs import JobProgress

    job = LeadImportJob.objects.create(created_by=org["mgr"], file_name="x.csv", staged={}, options={})
    progress = JobProgress(LeadImportJob, job.pk)
    database = connections["default"]
    other = database.__class__(dict(database.settings_dict), database.alias)
    try:
        with transaction.atomic():
            progress.checked(7)
            with other.cursor() as cursor:
                cursor.execute("SELECT processed FROM leads_leadimportjob WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (7,)
            with progress._side.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone() == ("off",)
            with connection.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone() == ("on",)
    finally:
        progress.close()
        other.close()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a transaction id on demand is PostgreSQL's")
def test_an_import_is_a_writer_before_it_stamps_anything(org):
    """The import takes its transaction id first (salesops.sync.writing_from_now), then its moment: sync
    readers hold back from its start, not from its first chunk's write (tests/salesops/test_sync_horizon.py)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = leads_import(by=org["mgr"], data=csv_file(good_rows(3)), mapping=MAPPING)
    assert result.created == 3
    statements = [q["sql"] for q in queries.captured_queries]
    first_write = next(i for i, sql in enumerate(statements) if sql.lstrip().upper().startswith(("INSERT", "COPY",
                                                                                                   "CREATE", "UPDATE")))
    assert any("pg_current_xact_id()" in sql for sql in statements[:first_write])

