"""Reads of integrations, scoped by the caller."""
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from teams.selectors import scope_for_user

from .models import ChangeEvent, Delivery, IntegrationKey, Subscription


def change_feed_for(*, user, after: int = 0, event_type: str | None = None,
                    settle: timedelta = timedelta(0)) -> QuerySet[ChangeEvent]:
    """Changes after the cursor of records `user` may see (by the record's owner when it changed:
    admins all, managers their teams', others their own), oldest first."""
    rows = scope_for_user(ChangeEvent.objects.filter(pk__gt=after), user=user, owner_field="owner")
    if settle:
        rows = rows.filter(created_at__lte=timezone.now() - settle)
    if event_type:
        rows = rows.filter(event_type=event_type)
    return rows.order_by("pk")


def subscription_queryset() -> QuerySet[Subscription]:
    return Subscription.objects.all()


def delivery_queryset() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("event", "subscription").order_by("-pk")


def key_queryset() -> QuerySet[IntegrationKey]:
    return IntegrationKey.objects.select_related("user").order_by("name", "pk")
