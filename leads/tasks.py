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
