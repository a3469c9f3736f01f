"""Celery tasks for customers: thin wrappers over services (each area appends its own)."""
from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def contracts_renewal_reminders_task() -> dict:
    """Daily (beat): renewal reminders at 90/60/30 days before a contract's end, and renewed contracts
    past their end closed. Retry-safe: each reminder is recorded with its task and notification."""
    from .services.contracts import contracts_send_renewal_reminders
    return contracts_send_renewal_reminders().as_dict()
# --- h6: customer import jobs ---------------------------------------------------------------------
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def customer_import_job_run_task(job_id: int) -> None:
    """Import one uploaded customer file (a CustomerImportJob). Retry-safe: all or nothing."""
    from .services.customer_import import customer_import_job_run
    customer_import_job_run(job_id=job_id)


@shared_task
def customer_import_jobs_requeue_stale_task() -> list[int]:
    """Every 5 minutes (beat): queue again the customer import jobs whose worker died."""
    from .services.customer_import import customer_import_jobs_requeue_stale
    return customer_import_jobs_requeue_stale()
# --- activities and tasks (h2) -----------------------------------------------------------------
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def tasks_remind_due_task() -> dict:
    """Every 5 minutes (beat): remind owners of tasks due within the hour or overdue, once each."""
    from .services.reminders import tasks_remind_due
    result = tasks_remind_due()
    return {"reminded": result.reminded, "batches": result.batches}


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
