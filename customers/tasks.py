"""Celery tasks for customers: thin wrappers that call one service."""
from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def contracts_renewal_reminders_task() -> dict:
    """Daily (beat): renewal reminders at 90/60/30 days before a contract's end, and renewed contracts
    past their end closed. Retry-safe: each reminder is recorded with its task and notification."""
    from .services.contracts import contracts_send_renewal_reminders
    return contracts_send_renewal_reminders().as_dict()
