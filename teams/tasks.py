"""Teams background work: thin tasks over teams.services."""
from celery import shared_task
from django.db import OperationalError


# --- onboarding (h10) ------------------------------------------------------------------------------
@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def onboarding_refresh_task() -> dict:
    """Tick the milestones the CRM sees reached, fill time to first deal and ramp (bounded, idempotent)."""
    from .services.onboarding import onboarding_refresh_all
    return onboarding_refresh_all()


# --- training and awards (h11) ----------------------------------------------------------------

@shared_task
def certification_reminders_task() -> int:
    """Daily: remind holders of certificates nearing expiry (at most once per threshold; bounded)."""
    from .services.training import certification_reminders_send

    return certification_reminders_send()


@shared_task
def best_newcomer_last_month_task() -> int | None:
    """Daily (idempotent): last month's best newcomer from the `quota_attainment` metric."""
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from .services.awards import best_newcomer_compute, month_of

    start, end = month_of(timezone.localdate() - relativedelta(months=1))
    award = best_newcomer_compute(start=start, end=end)
    return award.pk if award else None


# --- compensation (h9) -----------------------------------------------------------------------------


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def payouts_compute_due_task() -> dict:
    """Beat: compute the open payouts of the last finished and the running month and quarter
    (bounded per run by TEAMS_PAYOUT_BATCH_SIZE people; approved payouts are left alone)."""
    from .services.compensation import payouts_compute_due
    return payouts_compute_due()
