"""Celery tasks for teams: thin wrappers that call one service."""
from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def payouts_compute_due_task() -> dict:
    """Beat: compute the open payouts of the last finished and the running month and quarter
    (bounded per run by TEAMS_PAYOUT_BATCH_SIZE people; approved payouts are left alone)."""
    from .services.compensation import payouts_compute_due
    return payouts_compute_due()
