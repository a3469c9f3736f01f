"""Celery: thin wrappers over the snapshot and goal services."""
from celery import shared_task


@shared_task
def kpi_snapshots_daily_task() -> int:
    from .snapshots import kpi_snapshots_daily

    return kpi_snapshots_daily()


@shared_task
def snapshot_job_run_task(job_id: int) -> None:
    from .snapshots import snapshot_job_run

    snapshot_job_run(job_id=job_id)


@shared_task
def snapshot_jobs_requeue_stale_task() -> list[int]:
    from .snapshots import snapshot_jobs_requeue_stale

    return snapshot_jobs_requeue_stale()


@shared_task
def goals_check_task() -> int:
    from .goal_services import goals_check_all

    return goals_check_all()
