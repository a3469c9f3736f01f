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


# --- issue 16: the learnt win probability ----------------------------------------------------------
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def win_model_train_task(model_id: int) -> None:
    """Run one queued training (claims the row; a row already claimed or finished is left alone)."""
    from .services.winprob import win_model_train
    win_model_train(model_id=model_id)


@shared_task
def win_models_resume_stale_task() -> list[int]:
    """Every 10 minutes (beat): trainings whose message was lost or whose worker died, sent again."""
    from .services.winprob import win_models_resume_stale
    return win_models_resume_stale()


@shared_task
def win_model_retrain_task() -> int:
    """Monthly (beat): train again on every closed deal so far (activated if it beats the stage table)."""
    from .services.winprob import win_model_request
    return win_model_request(by=None).pk


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def win_probabilities_score_task() -> int:
    """Nightly (beat) and on activation: the active model's probability for every open deal (idempotent)."""
    from .services.winprob import win_probabilities_score
    return win_probabilities_score()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def win_probability_rescore_task(opportunity_id: int) -> int:
    """After a deal moves to an open stage: its probability from the active model (none: nothing)."""
    from .services.winprob import win_probability_rescore
    return win_probability_rescore(opportunity_id=opportunity_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def board_tally_compact_task() -> dict:
    """Every 10 minutes (beat): fold the board tally's appended rows (PostgreSQL; idempotent)."""
    from .services import board_tally_compact
    return board_tally_compact()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def board_tally_verify_task() -> dict:
    """Nightly (beat): compare the board tally with the deals and rebuild it on a mismatch (PostgreSQL)."""
    from .services import board_tally_verify
    return board_tally_verify(repair=True)
