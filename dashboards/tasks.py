from celery import shared_task

from .review.selectors import parse_month, previous_month


@shared_task(acks_late=True)
def review_pack_send_month_task(month: str = "") -> dict:
    """Beat runs it daily: mails last month's review pack to whoever has not had it (idempotent)."""
    from .review.services import review_pack_send_month  # lazy: services may queue tasks
    first_day = parse_month(month) if month else previous_month()
    if first_day is None:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    result = review_pack_send_month(month=first_day)
    return {"month": f"{result.month:%Y-%m}", "sent": result.sent, "failed": result.failed,
            "already": result.already}
