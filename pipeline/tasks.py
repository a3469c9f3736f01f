"""Celery tasks for the pipeline: thin wrappers over services."""
from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def opportunities_flag_stalled_task() -> int:
    """Nightly (beat): flag deals stalled in their stage and tell the owner and manager (idempotent)."""
    from .services import opportunities_flag_stalled
    return opportunities_flag_stalled()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def forecast_model_recompute_task() -> int:
    """Nightly (beat) and after a deal closes: relearn win rates per team and stage (idempotent)."""
    from .services import forecast_model_recompute
    return forecast_model_recompute()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def forecast_snapshot_task() -> int:
    """Weekly (beat): store this month's and quarter's forecast per rep, team and in total (idempotent per day)."""
    from .services import forecast_snapshot_take
    return forecast_snapshot_take()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def opportunity_import_job_run_task(job_id: int) -> None:
    """Import one set of uploaded Maven CRM files (an OpportunityImportJob). Retry-safe: all or nothing."""
    from .importing import opportunity_import_job_run
    opportunity_import_job_run(job_id=job_id)


@shared_task
def opportunity_import_jobs_requeue_stale_task() -> list[int]:
    """Every 5 minutes (beat): queue again the import jobs whose worker died."""
    from .importing import opportunity_import_jobs_requeue_stale
    return opportunity_import_jobs_requeue_stale()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def handoff_onboarding_catch_up_task() -> int:
    """Nightly (beat): onboarding tasks of deals won this week that an on-commit run missed (idempotent)."""
    from .services import handoff_onboarding_catch_up
    return handoff_onboarding_catch_up()
