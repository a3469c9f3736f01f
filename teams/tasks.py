"""Teams background work: thin tasks over teams.services."""
from celery import shared_task
from django.db import OperationalError


# --- onboarding (h10) ------------------------------------------------------------------------------
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def onboarding_refresh_task() -> dict:
    """Tick the milestones the CRM sees reached, fill time to first deal and ramp (bounded, idempotent)."""
    from .services.onboarding import onboarding_refresh_all
    return onboarding_refresh_all()
