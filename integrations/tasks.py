"""Celery tasks of integrations: thin wrappers over integrations.services."""
from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def webhook_deliver_task(delivery_id: int) -> str:
    """One attempt; after a failure the next attempt is queued with the delivery's back-off."""
    from salesops.queue import enqueue_later

    from .models import Delivery
    from .services import webhook_deliver

    delivery = webhook_deliver(delivery_id=delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == Delivery.Status.PENDING:
        from django.utils import timezone

        countdown = max(0, int((delivery.next_attempt_at - timezone.now()).total_seconds()))
        enqueue_later(webhook_deliver_task, delivery.pk, countdown=countdown)
    return delivery.status


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def webhooks_dispatch_task() -> int:
    """Queue every due delivery (after a publish, and every minute by beat: the broker may have been away)."""
    from salesops.queue import enqueue

    from .services import deliveries_due

    ids = deliveries_due()
    for delivery_id in ids:
        enqueue(webhook_deliver_task, delivery_id)
    return len(ids)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def changes_purge_task() -> int:
    from .services import changes_purge
    return changes_purge()
