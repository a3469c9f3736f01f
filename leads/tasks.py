"""Celery tasks for leads: thin wrappers that load ids and call one service."""
from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def lead_refresh_completeness_task(lead_id: int) -> int:
    from .services import lead_refresh_completeness
    return lead_refresh_completeness(lead_ids=[lead_id])


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def lead_refresh_completeness_all_task() -> int:
    from .services import lead_refresh_completeness
    return lead_refresh_completeness()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def lead_rescore_task(lead_id: int, reason: str = "data") -> int:
    from .services.scoring import lead_rescore
    return lead_rescore(lead_id=lead_id, reason=reason)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def rescore_job_run_task(job_id: int) -> str:
    from .services.scoring import rescore_job_run
    job = rescore_job_run(job_id=job_id)
    return job.status if job else "gone"


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def rescore_chunk_task(job_id: int) -> str:
    """Score the next unclaimed chunk of a chunked rescore job (one message per chunk; any worker)."""
    from .services.scoring import rescore_chunks_work
    job = rescore_chunks_work(job_id=job_id, max_chunks=1)
    return job.status if job else "gone"


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def nurture_send_due_task() -> dict:
    """Every 10 minutes (beat): send due nurture steps. Retry-safe: a step is never emailed twice."""
    from django.utils import timezone

    from .services.nurture import nurture_send_due
    return nurture_send_due(now=timezone.now()).as_dict()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def lead_route_task(lead_ids: list[int]) -> int:
    """Route leads that reached the top grade (queued by scoring). Retry-safe: routed leads are skipped."""
    from .services.routing import leads_route
    return len(leads_route(lead_ids=lead_ids))


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def leads_flag_sla_breaches_task() -> int:
    """Every 15 minutes (beat): flag first-touch SLA breaches once and escalate to the manager."""
    from .services.routing import leads_flag_sla_breaches
    return leads_flag_sla_breaches()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def leads_return_to_pool_task() -> dict:
    """Every 15 minutes (beat): warn owners a day before, then return untouched leads to the pool."""
    from .services.routing import leads_return_to_pool
    return leads_return_to_pool()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def lead_import_job_run_task(job_id: int) -> None:
    """Preview or import one uploaded CSV file (a LeadImportJob). Retry-safe: all or nothing per run."""
    from .services.imports import lead_import_job_run
    lead_import_job_run(job_id=job_id)


@shared_task
def lead_import_jobs_requeue_stale_task() -> list[int]:
    """Every 5 minutes (beat): queue again the import jobs whose worker died."""
    from .services.imports import lead_import_jobs_requeue_stale
    return lead_import_jobs_requeue_stale()


@shared_task
def leads_resume_stale_jobs_task() -> list[int]:
    """Every minute (beat): re-queue rescore jobs whose worker went silent (killed, lost message)."""
    from .services.scoring import rescore_jobs_resume_stale
    return rescore_jobs_resume_stale()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def leads_rescore_marked_task() -> int:
    """Every minute (beat): rescore, set-based, leads whose own rescore task never ran (broker away)."""
    from .services.scoring import leads_rescore_marked
    return leads_rescore_marked()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def leads_rescore_decayed_task() -> int:
    """Nightly (beat): rescore, set-based, the leads whose behaviour points faded with time."""
    from .services.scoring import leads_rescore_decayed
    return leads_rescore_decayed()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def scoring_suggestion_run_task(suggestion_id: int) -> str:
    """Suggested weights (issue 16): fit, save the draft, measure it. Runs at most once at a time."""
    from .services.scoring_suggest import suggestion_run
    suggestion = suggestion_run(suggestion_id=suggestion_id)
    return suggestion.status if suggestion else "held elsewhere or finished"


@shared_task
def scoring_suggestions_resume_stale_task() -> list[int]:
    """Every 5 minutes (beat): queue again suggestions whose message was lost or whose worker died."""
    from .services.scoring_suggest import suggestions_resume_stale
    return suggestions_resume_stale()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def event_partitions_ensure_task() -> list[str]:
    """Daily (beat): the coming months' partitions of the events table, when it is partitioned (PostgreSQL)."""
    from .services.partitions import event_partitions_ensure
    return event_partitions_ensure()
