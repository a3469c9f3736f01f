"""CSV import of leads with saved column mappings (leads.models.ImportMapping).

A mapping has `columns` (lead field -> CSV column name, or a template such as
"X Education lead {Lead Number}") and `values` (lead field -> {CSV value: our value}; the key "*"
is the default for any other non-empty value, the key "" maps blanks). Besides lead fields, the
pseudo-field `outcome` names a column whose value is the source's historic outcome (e.g. X
Education's "Converted"): "1"/"yes"/"true" converted (and won), "0"/"no"/"false" not, blank
unknown. It is recorded as imported history (`Lead.imported_converted`, with `imported_from`
naming the source) and never as a conversion done here: no status "converted", no converted_at
or won_at without a deal. A file status "converted" is recorded the same way.

Every row is validated (errors carry the spreadsheet row number, the column and a translated
message). Duplicates (by email, case-insensitively, else by external_ref) of existing leads or of
earlier rows are skipped and reported. If any row has an error nothing is saved; otherwise the new
leads are saved and scored set-based over their id range, in one transaction.

The file streams through in chunks of `LEADS_IMPORT_CHUNK_ROWS` rows (issue 14): a chunk is
parsed and validated (rows.py), checked for duplicates with one lookup per chunk (chunks.py), and
its new leads are written at once with their audit rows and changes — on PostgreSQL scored
before their insert (staged by COPY in a temporary table, scored there, inserted once with their
score), elsewhere by bulk_create and scored after the last chunk; the job's progress is written
per chunk. Only the current chunk's rows are in memory, plus one short key per new lead for
duplicates across chunks.

All or nothing with one pass: the chunks are written inside ONE transaction as they are checked,
and the first row error stops the writing (later chunks are still checked, so every error is
reported with its row number, up to salesops.imports.MAX_ERRORS); at the end a file with errors
rolls the transaction back. The alternative, a first pass that validates everything and a second
that parses the file again to write it, would parse every row twice (parsing is most of an
import's time) for no gain: the writes of a bad file cost a rollback, and a good file (the usual
case) is read once. Duplicates are decided against what is in the table when the chunk is
checked; a lead someone else creates meanwhile makes the insert fail (IntegrityError) and the job
fail with nothing written, as before.

Reading, the size limit, row errors, results and staging are the shared framework in
`salesops.imports`; pages and the API run imports as background jobs (`LeadImportJob`).
"""
import gc
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.imports import ImportResult, csv_decode, csv_stream, stage, staged_read
from salesops.jobs import import_job_run, import_jobs_requeue_stale
from salesops.queue import enqueue_on_commit
from salesops.sync import writing_from_now
from teams.predicates import can_import

from ...models import LeadImportJob, ScoreChange
from ..routing import first_touch_sla, leads_notify_new_owners
from ..scoring import leads_rescore_range
from .chunks import LeadWriter, dedupe_chunk
from .mapping import (  # noqa: F401 - the package's public names, as before it was one module
    DATE_FIELDS,
    INTEGER_FIELDS,
    KIND,
    OUTCOME,
    TARGET_FIELDS,
    MappingSpec,
    check_columns,
    import_field_label,
    import_mapping_from_json,
    import_mapping_spec,
)
from .rows import Converter, FieldChecks, Row, RowParser

PREVIEW_ROWS = 20


# --- the service ------------------------------------------------------------------------------
class _Silent:
    """Progress that goes nowhere (imports run outside a job: tests, the command)."""

    def total(self, count: int) -> None:
        pass

    def checked(self, processed: int) -> None:
        pass


def _check_may_import(by) -> None:
    """`by` None is the system (the management command without --as-user)."""
    if by is not None and not can_import(by, KIND):
        raise PermissionDenied(_("You may not import leads."))


def chunk_rows() -> int:
    return max(1, int(settings.LEADS_IMPORT_CHUNK_ROWS))


def _preview_entry(row: Row, fields: list[str]) -> dict:
    status = "error" if row.errors else "duplicate" if row.duplicate else "new"
    return {"row": row.number, "status": status, "values": row.values,
            "cells": [row.values.get(name, "") for name in fields]}


def _stream(*, by, data: bytes, spec: MappingSpec, result: ImportResult, default_owner, preview_rows: int,
            progress, writer: LeadWriter | None) -> None:
    """Read, check and dedupe the file chunk by chunk; hand each chunk's new leads to `writer`
    while no row so far has an error (None: a preview, nothing is written)."""
    stream = csv_stream(csv_decode(data))
    header = stream.header
    positions = check_columns(spec, header)
    converter = Converter(spec=spec, by=by, default_owner=default_owner)
    parser = RowParser(header=header, positions=positions, spec=spec, converter=converter, checks=FieldChecks())
    parse = parser.parse
    owner_at = positions[spec.columns["owner"]] if "owner" in spec.columns else None
    progress.total(stream.line_count)
    seen: dict[str, int] = {}
    preview: list[Row] = []
    size, read = chunk_rows(), 0

    def flush(cells_chunk: list[tuple[int, list[str]]]) -> None:
        if owner_at is not None:
            converter.learn_owners(cells[owner_at].strip() for _n, cells in cells_chunk if len(cells) > owner_at)
        rows = []
        for number, cells in cells_chunk:
            row = parse(number, cells)
            result.add_errors(row.errors)
            if len(preview) < preview_rows:
                preview.append(row)
            rows.append(row)
        result.total_rows += len(rows)
        new = dedupe_chunk(rows, seen=seen, result=result)
        result.to_create += len(new)
        if writer is not None and result.ok:
            writer.write(new)
        progress.checked(read)
        # with the collector paused (_cyclic_gc_paused), the chunk's cyclic garbage: a row error's
        # ValidationError refers to itself (error_list) and its traceback keeps the parsing frame and
        # the row alive. Only what this chunk allocated is looked at: cheap.
        gc.collect(0)

    pending: list[tuple[int, list[str]]] = []
    for number, cells in stream.rows:
        read += 1
        if not "".join(cells).strip():
            continue  # blank lines
        pending.append((number, cells))
        if len(pending) >= size:
            flush(pending)
            pending = []
    if pending:
        flush(pending)
    if not result.total_rows:
        raise ValidationError({"file": [_("The file has no data rows.")]})
    result.preview = [_preview_entry(row, result.fields) for row in preview]


@contextmanager
def _cyclic_gc_paused():
    """Python's cyclic garbage collector off while a file streams through (on again after, as it was).

    Every chunk allocates thousands of short-lived dicts and strings that survive a few
    collections (the chunk is held until written), so the collector kept walking every object of
    the process — all of Django's — a fifth of the import's Python time. A good row holds no
    reference cycle (reference counting frees each chunk as soon as the next replaces it), but a
    row error does (Django's ValidationError, its traceback): each chunk ends with a collection of
    the youngest generation, which holds only that chunk's objects (a file with an error in every
    row grew by 1 GB per 150,000 rows without it, by 70 MB with it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def leads_import(*, by, data: bytes, mapping, dry_run: bool = False, default_owner=...,
                 preview_rows: int = PREVIEW_ROWS, source: str = "", progress=None, finish=None) -> ImportResult:
    """Import leads from CSV bytes. `by` is the importing user (None: a system import, e.g. the
    management command); imported leads belong to `default_owner` (default: `by`) unless the
    mapping has an owner column. With `dry_run` (or any row error) nothing is saved. `source`
    labels the imported history (default: the mapping's name).

    File-level problems (size, encoding, not CSV, mapped columns missing) raise ValidationError;
    PermissionDenied when `by` may not import leads; row problems are listed in the result.
    `finish(result)` is called inside the transaction that saves the leads (a job marks itself done)."""
    _check_may_import(by)
    spec = mapping if isinstance(mapping, MappingSpec) else import_mapping_spec(mapping=mapping)
    if default_owner is ...:
        default_owner = by
    source = source or spec.name or _("CSV import")
    result = ImportResult(dry_run=dry_run, fields=list(spec.columns))
    result.field_labels = [import_field_label(name) for name in result.fields]
    options = {"by": by, "data": data, "spec": spec, "result": result, "default_owner": default_owner,
               "preview_rows": preview_rows, "progress": progress or _Silent()}
    if dry_run:
        with _cyclic_gc_paused():
            _stream(**options, writer=None)
        return result
    with transaction.atomic():
        # a writer from its first moment: the leads are stamped with it (updated_at) long before the
        # commit, and sync readers hold back from it only once the transaction is a writer
        writing_from_now()
        now = timezone.now()
        writer = LeadWriter(by=by, now=now, source=source, sla_due=now + first_touch_sla(), targets=spec.columns,
                            default_owner=default_owner)
        with _cyclic_gc_paused():
            _stream(**options, writer=writer)
        if not result.ok:
            transaction.set_rollback(True)  # the chunks written before the first error
            return result
        if not writer.created:
            return result
        result.created = writer.created
        result.ids = [writer.lo, writer.hi]
        # asked once: a publish committing between two asks would rescore without fresh statistics
        superseded = writer.prescored and writer.scored_with_superseded()
        writer.refresh_statistics(rescore_follows=superseded or not writer.prescored)
        leads_notify_new_owners(counts=writer.owners, by=by)
        result.counts["assigned"] = sum(writer.owners.values())
        if writer.prescored:  # PostgreSQL: each chunk was scored before its insert
            result.counts["rescored"] = writer.rescored
            writer.queue_routing()
            if superseded:
                # a rule set published while the file streamed: its rescore job cannot see these
                # uncommitted leads, so they are scored with it here, before the commit (as the
                # path that scores after inserting does)
                result.counts["rescored"] += leads_rescore_range(lo=writer.lo, hi=writer.hi,
                                                                 reason=ScoreChange.Reason.IMPORT)
        else:
            result.counts["rescored"] = leads_rescore_range(lo=writer.lo, hi=writer.hi,
                                                            reason=ScoreChange.Reason.IMPORT)
        if finish is not None:
            finish(result)
    return result


def import_header_check(*, data: bytes, mapping) -> MappingSpec:
    """The quick checks a page or the API does before queueing a job: size, text, mapped columns."""
    spec = mapping if isinstance(mapping, MappingSpec) else import_mapping_spec(mapping=mapping)
    check_columns(spec, csv_stream(csv_decode(data)).header)
    return spec


# --- background jobs ------------------------------------------------------------------------------
@transaction.atomic
def lead_import_job_start(*, by, data: bytes, file_name: str, mapping, preview: bool = True,
                          upload_id: int | None = None) -> LeadImportJob:
    """Check the file's header, stage it (0600) and queue a job that previews or imports it
    (`upload_id`: the LeadImportUpload of the mapping screen it came from)."""
    _check_may_import(by)
    spec = import_header_check(data=data, mapping=mapping)
    options = {"mapping": spec.as_dict(), "source": spec.name or str(file_name)[:100]}
    if upload_id is not None:
        options["upload"] = upload_id
    job = LeadImportJob.objects.create(
        created_by=by, preview=preview, file_name=str(file_name)[:255], staged={"file": stage(data=data)},
        options=options)
    _queue(job)
    return job


@transaction.atomic
def lead_import_job_confirm(*, by, job: LeadImportJob) -> LeadImportJob:
    """Import the file a finished preview checked (its staged copy), as a new job."""
    _check_may_import(by)
    preview = LeadImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if preview is None or not preview.preview or preview.status != LeadImportJob.Status.DONE:
        raise ValidationError(_("Only a finished preview without problems can be imported."))
    if preview.created_by_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the person who uploaded the file can import it."))
    existing = LeadImportJob.objects.filter(preview_of=preview).first()
    if existing is not None:
        return existing  # confirming twice imports once
    if not preview.outcome.to_create:
        raise ValidationError(_("There are no new leads to import in this file."))
    confirmed = LeadImportJob.objects.create(
        created_by=by, preview=False, preview_of=preview, file_name=preview.file_name, staged=preview.staged,
        options=preview.options, total=preview.total)
    _queue(confirmed)
    return confirmed


def _queue(job: LeadImportJob) -> None:
    from ...tasks import lead_import_job_run_task

    enqueue_on_commit(lead_import_job_run_task, job.pk)


def lead_import_job_run(*, job_id: int) -> None:
    """Run a queued job (the Celery task); see salesops.jobs.import_job_run."""
    def work(job, progress, finish):
        if job.created_by is None:
            raise ValidationError(_("The person who started this import no longer has an account."))
        return leads_import(by=job.created_by, data=staged_read(name=job.staged.get("file", "")),
                            mapping=job.options["mapping"], dry_run=job.preview, source=job.options.get("source", ""),
                            progress=progress, finish=finish)

    import_job_run(LeadImportJob, job_id, work)


def lead_import_jobs_requeue_stale() -> list[int]:
    from ...tasks import lead_import_job_run_task
    return import_jobs_requeue_stale(LeadImportJob, lead_import_job_run_task)
