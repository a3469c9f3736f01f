"""Customers' background work: thin wrappers over customers.services (ids in, service called)."""
from celery import shared_task


@shared_task
def health_recompute_accounts_task(account_ids: list[int]) -> int:
    """Recompute the health of a bounded list of accounts (queued by health_recompute_later)."""
    from .services.health import health_recompute_accounts

    return health_recompute_accounts(account_ids=account_ids)


@shared_task
def health_recompute_nightly_task() -> int:
    """Start (or resume) today's recompute of every account's health."""
    from .services.health import health_recompute_job_start

    return health_recompute_job_start().pk


@shared_task
def health_recompute_job_run_task(job_id: int) -> None:
    from .services.health import health_recompute_job_run

    health_recompute_job_run(job_id=job_id)


@shared_task
def health_jobs_resume_stale_task() -> list[int]:
    from .services.health import health_jobs_resume_stale

    return health_jobs_resume_stale()
