"""KPI snapshots: write the value of every registered metric for every scope and period, once.

What is snapshotted (bounded): every metric in `salesops.metrics`, for the organisation, each team
and each active rep or manager (people who own deals and leads), for
- the daily beat job (`kpi_snapshots_daily_task`, 01:15): the last complete day (yesterday) as a
  `day` row, and the month to date ([1st of yesterday's month, yesterday]) as a `month` row — so
  a month gets one row per day (the last one, on the month's last day, is the whole month);
  the kinds are `settings.SALESOPS_SNAPSHOT_KINDS` (default day and month);
- a backfill (`manage.py backfill_snapshots`, the on-demand job): a `day` row for each day of the
  range, and one row per other kind for each period the range touches, ending on the period's last
  day or on the range's last day.
Only complete days are snapshotted (never today), so a row, once written, never needs correcting.

Rows are immutable and keyed by (metric, scope, scope id, kind, start, end): before computing, the
keys already written are read in one query and skipped; the new rows go in with one bulk insert
that ignores conflicts (a concurrent run). A second run therefore computes nothing and writes
nothing. A metric that fails for a scope is logged and skipped (its row comes on the next run).

Values are computed as an administrator sees them (every record), narrowed to the scope, reading
from the read replica when one is configured (`DATABASE_REPLICA_URL`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops import metrics as registry
from salesops.db_router import replica_reads
from salesops.jobs import import_jobs_requeue_stale
from salesops.metrics import Metric, MetricResult, Period, Scope
from salesops.queue import enqueue_on_commit
from teams.models import Team, User
from teams.predicates import can_run_snapshots

from .models import KpiSnapshot, SnapshotJob

logger = logging.getLogger(__name__)
Kind = KpiSnapshot.Kind
MAX_BACKFILL_DAYS = 366 * 3


def system_viewer() -> User:
    """An unsaved administrator: snapshots and goals measure every record (the scope narrows)."""
    return User(username="kpi-snapshots", role=User.Role.ADMIN, is_active=True)


def kind_start(kind: str, day: date) -> date:
    """The first day of the `kind` period containing `day` (weeks start on Monday)."""
    if kind == Kind.DAY:
        return day
    if kind == Kind.WEEK:
        return day - timedelta(days=day.weekday())
    if kind == Kind.MONTH:
        return day.replace(day=1)
    if kind == Kind.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    raise ValueError(f"unknown period kind {kind!r}")


def kind_shift(kind: str, start: date, periods: int) -> date:
    """The start of the period `periods` periods after (negative: before) the one starting at `start`."""
    if kind == Kind.DAY:
        return start + timedelta(days=periods)
    if kind == Kind.WEEK:
        return start + timedelta(weeks=periods)
    months = 1 if kind == Kind.MONTH else 3
    index = start.year * 12 + start.month - 1 + periods * months
    return date(index // 12, index % 12 + 1, 1)


def kind_end(kind: str, start: date) -> date:
    return kind_shift(kind, start, 1) - timedelta(days=1)


@dataclass(frozen=True)
class PlannedPeriod:
    kind: str
    start: date
    end: date


def daily_plan(day: date, kinds: Iterable[str]) -> list[PlannedPeriod]:
    """The periods the daily job snapshots for the complete day `day`: each kind to date."""
    return [PlannedPeriod(kind, kind_start(kind, day), day) for kind in kinds]


def backfill_plan(start: date, end: date, kinds: Iterable[str]) -> list[PlannedPeriod]:
    """A day row per day, and per other kind one row per period touched (to its end or to `end`)."""
    kinds = list(kinds)
    plan = []
    day = start
    while day <= end:
        for kind in kinds:
            if kind == Kind.DAY:
                plan.append(PlannedPeriod(kind, day, day))
            elif day == end or kind_end(kind, kind_start(kind, day)) == day:
                plan.append(PlannedPeriod(kind, kind_start(kind, day), day))
        day += timedelta(days=1)
    return plan


def snapshot_scopes(viewer) -> list[Scope]:
    """The organisation, each team, each active rep or manager."""
    teams = Team.objects.order_by("pk").values_list("pk", flat=True)
    reps = (User.objects.filter(is_active=True, role__in=(User.Role.REP, User.Role.MANAGER))
            .order_by("pk").values_list("pk", flat=True))
    return ([Scope(viewer)] + [Scope(viewer, team_id=pk) for pk in teams]
            + [Scope(viewer, owner_id=pk) for pk in reps])


def scope_key(scope: Scope) -> tuple[str, int]:
    return scope.level, scope.owner_id or scope.team_id or 0


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(round(float(value), 4))) if not isinstance(value, Decimal) else value.quantize(Decimal("0.0001"))


def snapshot_row(metric: Metric, scope: Scope, period: PlannedPeriod, result: MetricResult, now) -> KpiSnapshot:
    level, scope_id = scope_key(scope)
    return KpiSnapshot(
        metric=metric.code, scope=level, scope_id=scope_id, period_kind=period.kind,
        period_start=period.start, period_end=period.end, value=_decimal(result.value), count=result.count,
        per_currency={cur: str(amount) for cur, amount in (result.per_currency or {}).items()}, computed_at=now)


def snapshots_write(*, plan: list[PlannedPeriod], metrics: list[Metric] | None = None,
                    scopes: list[Scope] | None = None, step: Callable[[int], None] | None = None) -> int:
    """Write the missing snapshots of `plan` (every metric, every scope by default). Returns rows written."""
    metrics = registry.all_metrics() if metrics is None else metrics
    scopes = snapshot_scopes(system_viewer()) if scopes is None else scopes
    codes = [m.code for m in metrics]
    written = 0
    for done, period in enumerate(plan, start=1):
        existing = set(KpiSnapshot.objects.filter(
            metric__in=codes, period_kind=period.kind, period_start=period.start, period_end=period.end,
        ).values_list("metric", "scope", "scope_id"))
        rows, now = [], timezone.now()
        for metric in metrics:
            for scope in scopes:
                if (metric.code, *scope_key(scope)) in existing:
                    continue
                try:
                    with replica_reads():  # the heavy reads; the keys above and the writes use the primary
                        result = metric.compute(scope, Period(period.start, period.end))
                except Exception:  # noqa: BLE001 - one broken metric must not stop the others
                    logger.exception("snapshot of %s for %s %s failed", metric.code, scope.level, period)
                    continue
                rows.append(snapshot_row(metric, scope, period, result, now))
        if rows:
            before = KpiSnapshot.objects.filter(period_kind=period.kind, period_start=period.start,
                                                period_end=period.end).count()
            KpiSnapshot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
            written += KpiSnapshot.objects.filter(period_kind=period.kind, period_start=period.start,
                                                  period_end=period.end).count() - before
        if step:
            step(done)
    return written


def snapshot_kinds() -> list[str]:
    kinds = list(getattr(settings, "SALESOPS_SNAPSHOT_KINDS", (Kind.DAY, Kind.MONTH)))
    unknown = set(kinds) - set(Kind.values)
    if unknown:
        raise ValueError(f"SALESOPS_SNAPSHOT_KINDS: unknown kinds {sorted(unknown)}")
    return kinds


def kpi_snapshots_daily(*, today: date | None = None) -> int:
    """The beat job: yesterday (the last complete day) and each configured kind to date."""
    yesterday = (today or timezone.localdate()) - timedelta(days=1)
    return snapshots_write(plan=daily_plan(yesterday, snapshot_kinds()))


def _metrics_for(code: str | None) -> list[Metric]:
    if not code:
        return registry.all_metrics()
    metric = registry.find(code)
    if metric is None:
        raise ValidationError(_("Unknown metric “%(code)s”.") % {"code": code})
    return [metric]


def check_backfill_range(start: date, end: date, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if start > end:
        raise ValidationError(_("The first day must not be after the last day."))
    if end >= today:
        raise ValidationError(_("Snapshots are taken of complete days only: the last day must be before today."))
    if (end - start).days >= MAX_BACKFILL_DAYS:
        raise ValidationError(_("At most %(days)d days at a time.") % {"days": MAX_BACKFILL_DAYS})


def snapshots_backfill(*, start: date, end: date, metric: str | None = None, kinds: Iterable[str] | None = None,
                       step: Callable[[int], None] | None = None, total: Callable[[int], None] | None = None) -> int:
    """Snapshot every complete day of [start, end] (and the other kinds per period touched)."""
    check_backfill_range(start, end)
    metrics = _metrics_for(metric)
    plan = backfill_plan(start, end, kinds or snapshot_kinds())
    if total:
        total(len(plan))
    return snapshots_write(plan=plan, metrics=metrics, step=step)


# --- on-demand job ---------------------------------------------------------------------------

def snapshot_job_create(*, by, start: date | None = None, end: date | None = None, metric: str = "") -> SnapshotJob:
    """Queue a snapshot run (default: yesterday, every metric). Managers and admins."""
    if not can_run_snapshots(by):
        raise PermissionDenied(_("Only managers and administrators take KPI snapshots."))
    yesterday = timezone.localdate() - timedelta(days=1)
    start, end = start or end or yesterday, end or start or yesterday
    check_backfill_range(start, end)
    _metrics_for(metric)
    job = SnapshotJob.objects.create(start=start, end=end, metric=metric or "", created_by=by)
    from .tasks import snapshot_job_run_task  # tasks import this module

    enqueue_on_commit(snapshot_job_run_task, job.pk)
    return job


def snapshot_job_run(*, job_id: int) -> SnapshotJob | None:
    """Run a queued job; a finished one is left alone (a re-delivered task changes nothing)."""
    with transaction.atomic():
        job = SnapshotJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        SnapshotJob.objects.filter(pk=job_id).update(status=SnapshotJob.Status.RUNNING, started_at=timezone.now(),
                                                     heartbeat_at=timezone.now(), processed=0)
    jobs = SnapshotJob.objects.filter(pk=job_id)
    try:
        written = snapshots_backfill(start=job.start, end=job.end, metric=job.metric or None,
                                     total=lambda n: jobs.update(total=n, heartbeat_at=timezone.now()),
                                     step=lambda n: jobs.update(processed=n, heartbeat_at=timezone.now()))
    except ValidationError as exc:
        jobs.update(status=SnapshotJob.Status.FAILED, error=" ".join(exc.messages), finished_at=timezone.now())
    except Exception as exc:  # noqa: BLE001 - the job ends failed with its reason, never "running"
        logger.exception("snapshot job %s failed", job_id)
        jobs.update(status=SnapshotJob.Status.FAILED, finished_at=timezone.now(),
                    error=_("The run stopped on an unexpected error (%(error)s).") % {"error": type(exc).__name__})
    else:
        jobs.update(status=SnapshotJob.Status.DONE, written=written, finished_at=timezone.now())
    return jobs.first()


def snapshot_jobs_requeue_stale(*, now=None) -> list[int]:
    """Queue again the runs whose worker died (salesops.jobs' rule: queued with no worker, or running
    with no sign of life). A run starts over and, being idempotent, writes only what is missing."""
    from .tasks import snapshot_job_run_task

    return import_jobs_requeue_stale(SnapshotJob, snapshot_job_run_task, now=now)


def snapshot_job_queryset_for(*, user):
    """Admins follow every job; managers their own."""
    jobs = SnapshotJob.objects.select_related("created_by")
    if not can_run_snapshots(user):
        return jobs.none()
    return jobs if user.is_admin_role else jobs.filter(created_by_id=user.pk)

