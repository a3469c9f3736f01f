"""Celery: thin wrappers over the snapshot, goal and review-pack services."""
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


@shared_task(acks_late=True)
def review_pack_send_month_task(month: str = "") -> dict:
    """Beat runs it daily: mails last month's review pack to whoever has not had it (idempotent)."""
    from .review.selectors import parse_month, previous_month
    from .review.services import review_pack_send_month  # lazy: services may queue tasks
    first_day = parse_month(month) if month else previous_month()
    if first_day is None:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    result = review_pack_send_month(month=first_day)
    return {"month": f"{result.month:%Y-%m}", "sent": result.sent, "failed": result.failed,
            "already": result.already}


@shared_task
def dashboards_warm_task() -> int:
    """Beat, every few minutes: rebuild the dashboards viewed lately (dashboards.board_cache)."""
    from .board_cache import dashboards_warm

    return dashboards_warm()
