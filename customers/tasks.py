"""Celery tasks for customers: thin wrappers that call one service."""
from celery import shared_task
from django.db import OperationalError


# --- activities and tasks (h2) -----------------------------------------------------------------
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def tasks_remind_due_task() -> dict:
    """Every 5 minutes (beat): remind owners of tasks due within the hour or overdue, once each."""
    from .services.reminders import tasks_remind_due
    result = tasks_remind_due()
    return {"reminded": result.reminded, "batches": result.batches}
