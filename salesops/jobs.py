"""Background import jobs: the fields and the run loop every importer shares (base layer, no app).

An app defines a concrete job model on `ImportJobBase` (leads.LeadImportJob,
pipeline.OpportunityImportJob) with its own `created_by`, and a Celery task that calls
`import_job_run(model, job_id, work)`. A job goes queued -> running -> done | failed; `failed`
carries its reason and the row errors; `processed`/`total` count rows. Nothing is half-imported:
the importer writes in one transaction together with the job's `done`, so a worker killed halfway
leaves the job `running` with nothing written, and running it again (the task is re-delivered,
or `import_jobs_requeue_stale` queues it) starts over and is idempotent.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .imports import ImportResult, failure_summary, staged_delete
from .queue import enqueue_on_commit

logger = logging.getLogger(__name__)
QUEUED_STALE_AFTER = timedelta(minutes=10)  # no worker took the job (broker lost it)
RUNNING_STALE_AFTER = timedelta(minutes=35)  # longer than CELERY_TASK_TIME_LIMIT: its worker is gone
PROGRESS_EVERY = 1000  # rows between progress writes


class ImportJobBase(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    preview = models.BooleanField(
        gettext_lazy("preview only"), default=False,
        help_text=gettext_lazy("Check the file and show what would be imported; save nothing."))
    status = models.CharField(gettext_lazy("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(gettext_lazy("file name"), max_length=255, blank=True)
    staged = models.JSONField(
        gettext_lazy("staged files"), default=dict, blank=True,
        help_text=gettext_lazy("Role -> name of the uploaded file in the import staging storage."))
    options = models.JSONField(gettext_lazy("options"), default=dict, blank=True)
    total = models.PositiveIntegerField(gettext_lazy("rows"), default=0)
    processed = models.PositiveIntegerField(gettext_lazy("rows processed"), default=0)
    error = models.TextField(gettext_lazy("failure reason"), blank=True)
    result = models.JSONField(gettext_lazy("result"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(gettext_lazy("attempts"), default=0)
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    started_at = models.DateTimeField(gettext_lazy("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(gettext_lazy("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return 0 if not self.total else min(100, self.processed * 100 // self.total)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @cached_property
    def outcome(self) -> ImportResult:
        return ImportResult.from_dict(self.result)


class JobProgress:
    """Passed to the importer: `total(n)` once, `step(n)` as rows are checked (written every so
    often) or `checked(n)` (written now: a streaming importer calls it once per chunk).

    An importer that writes as it reads (leads) reports progress from inside its transaction,
    where an UPDATE of the job row would show only at the commit. On PostgreSQL the progress then
    goes through a connection of its own, committed at once, so the page sees the rows move;
    elsewhere (SQLite: one writer at a time) it is written in the transaction as before."""

    def __init__(self, model, job_id: int):
        self.model, self.job_id, self.last_written = model, job_id, 0
        self._side = None

    def total(self, count: int) -> None:
        self._write(total=count, heartbeat_at=timezone.now())

    def step(self, processed: int) -> None:
        if processed - self.last_written >= PROGRESS_EVERY:
            self.checked(processed)

    def checked(self, processed: int) -> None:
        """`processed` rows are checked (written now, whatever the count)."""
        self.last_written = processed
        self._write(processed=processed, heartbeat_at=timezone.now())

    def _write(self, **values) -> None:
        connection = connections[router.db_for_write(self.model)]
        if not (connection.in_atomic_block and connection.vendor == "postgresql"):
            self.model.objects.filter(pk=self.job_id).update(**values)
            return
        if self._side is None:
            self._side = connection.__class__(dict(connection.settings_dict), connection.alias)
            with self._side.cursor() as cursor:
                # progress need not survive a crash of the database (the job's end is written by
                # the import's own transaction): not waiting for each update to reach the disk
                # saves the disk's flush per chunk (18 ms here: 0.36 s of a 100,000-row import)
                cursor.execute("SET synchronous_commit TO off")
        names = list(values)
        with self._side.cursor() as cursor:  # autocommit: visible at once
            cursor.execute(f"UPDATE {self.model._meta.db_table} SET "
                           + ", ".join(f"{self.model._meta.get_field(name).column} = %s" for name in names)
                           + " WHERE id = %s", [*values.values(), self.job_id])

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _finish(model, job_id: int, *, status: str, result: ImportResult | None = None, error: str = "") -> None:
    """End a job that is not finished yet (a run that lost a race never overwrites the winner's end)."""
    values = {"status": status, "error": error, "finished_at": timezone.now(), "heartbeat_at": timezone.now()}
    if result is not None:
        values.update(result=result.as_dict(), processed=result.total_rows, total=result.total_rows)
    model.objects.filter(pk=job_id).exclude(status__in=(model.Status.DONE, model.Status.FAILED)).update(**values)


def import_job_run(model, job_id: int, work: Callable) -> None:
    """Run one job: `work(job, progress, finish)` checks the file and (unless a preview) writes.

    `work` calls `finish(result)` inside the transaction that writes the records (or at the end
    of a preview), so the job is `done` exactly when its records are there. Row errors, file
    errors (ValidationError) and unexpected exceptions end the job `failed` with the reason.
    A finished job is left alone (a re-delivered task changes nothing)."""
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return
        if job.status == model.Status.RUNNING and job.heartbeat_at and job.heartbeat_at > timezone.now() - RUNNING_STALE_AFTER:
            return  # another worker runs it (a message redelivered while it works); the sweeper resumes a dead one
        model.objects.filter(pk=job_id).update(status=model.Status.RUNNING, attempts=job.attempts + 1,
                                               started_at=job.started_at or timezone.now(),
                                               heartbeat_at=timezone.now(), processed=0)
    job.refresh_from_db()

    def finish(result: ImportResult) -> None:
        # inside the importer's transaction (a savepoint there; its own transaction at the end of a
        # preview): a second run of the same job must not write twice
        with transaction.atomic():
            if model.objects.select_for_update().get(pk=job_id).is_finished:
                raise RuntimeError("import job finished by another run")
            _finish(model, job_id, status=model.Status.DONE, result=result)

    progress = JobProgress(model, job_id)
    try:
        result = work(job, progress, finish)
    except ValidationError as exc:
        _finish(model, job_id, status=model.Status.FAILED, error=" ".join(exc.messages))
    except PermissionDenied as exc:
        _finish(model, job_id, status=model.Status.FAILED, error=str(exc) or _("You may not run this import."))
    except IntegrityError:  # a record of the file was created meanwhile (e.g. the same email)
        _finish(model, job_id, status=model.Status.FAILED, error=_(
            "Some of these records were created by someone else during the import; nothing was imported. "
            "Upload the file again."))
    except Exception as exc:  # noqa: BLE001 - any crash ends the job failed with its reason, never "running"
        logger.exception("import job %s/%s failed", model._meta.label, job_id)
        _finish(model, job_id, status=model.Status.FAILED,
                error=_("The import stopped on an unexpected error (%(error)s); nothing was imported.")
                % {"error": type(exc).__name__})
    else:
        if not result.ok:
            _finish(model, job_id, status=model.Status.FAILED, result=result, error=failure_summary(result))
        elif not model.objects.filter(pk=job_id, status=model.Status.DONE).exists():
            finish(result)  # nothing to write (e.g. every row a duplicate)
    progress.close()
    if not (job.preview and model.objects.filter(pk=job_id, status=model.Status.DONE).exists()):
        staged_delete(names=job.staged.values())  # kept only for a preview that can be confirmed


def import_jobs_requeue_stale(model, task, *, now=None) -> list[int]:
    """Queue again the jobs whose worker died: queued, or running with no sign of life for a while."""
    now = now or timezone.now()
    Status = model.Status
    stale = model.objects.filter(
        models.Q(status=Status.QUEUED, created_at__lt=now - QUEUED_STALE_AFTER)
        & (models.Q(heartbeat_at__isnull=True) | models.Q(heartbeat_at__lt=now - QUEUED_STALE_AFTER))
        | models.Q(status=Status.RUNNING, heartbeat_at__lt=now - RUNNING_STALE_AFTER))
    ids = list(stale.values_list("pk", flat=True)[:100])
    # like the rescore jobs: a file that keeps killing its worker is given up after so many starts
    counts_starts = any(f.name == "attempts" for f in model._meta.get_fields())  # import jobs do
    spent = list(model.objects.filter(pk__in=ids, attempts__gte=settings.LEADS_JOB_MAX_ATTEMPTS)
                 .values_list("pk", flat=True)) if counts_starts else []
    for job_id in spent:
        _finish(model, job_id, status=Status.FAILED, error=_(
            "The import stopped after %(n)s starts without finishing; nothing was imported.")
            % {"n": settings.LEADS_JOB_MAX_ATTEMPTS})
    ids = [job_id for job_id in ids if job_id not in set(spent)]
    model.objects.filter(pk__in=ids).update(status=Status.QUEUED, heartbeat_at=now)
    for job_id in ids:
        enqueue_on_commit(task, job_id)
    return ids


def import_job_queryset(model, *, user, see_all: bool):
    """The jobs a user may follow: their own, or every job when `see_all` (the caller's predicate)."""
    jobs = model.objects.select_related("created_by")
    return jobs if see_all else jobs.filter(created_by_id=getattr(user, "pk", None))
