"""Reads of integrations, scoped by the caller."""
from datetime import timedelta

from django.db import router
from django.db.models import Min, QuerySet

from salesops.sync import committed_before
from teams.selectors import scope_for_user

from .models import ChangeEvent, Delivery, IntegrationKey, Subscription


def change_feed_for(*, user, after: int = 0, event_type: str | None = None,
                    settle: timedelta = timedelta(0)) -> QuerySet[ChangeEvent]:
    """Changes after the cursor of records `user` may see (by the record's owner when it changed:
    admins all, managers their teams', others their own), oldest first.

    Only changes made before `settle` ago and before the oldest write transaction still open began
    (salesops.sync.committed_before): a transaction that commits late — a lead import publishes
    its changes as its file streams and commits them all at the end — has smaller ids than changes
    others committed meanwhile, and a consumer that had read past those ids would never get its
    changes. Held back, they come in id order once it commits.

    The page ends before the first change after the cursor that is not settled yet (whoever's):
    ids and stamps are not in the same order (one statement stamps all its rows at its start while
    others take ids in between), so leaving unsettled rows out and going on would move the cursor
    past them."""
    horizon = committed_before(settle=settle, using=router.db_for_write(ChangeEvent))
    # the recent end of the table, by the created_at index (BRIN on PostgreSQL): a few seconds of changes
    unsettled = ChangeEvent.objects.filter(created_at__gte=horizon, pk__gt=after).aggregate(first=Min("pk"))["first"]
    rows = scope_for_user(ChangeEvent.objects.filter(pk__gt=after), user=user, owner_field="owner")
    if unsettled is not None:
        rows = rows.filter(pk__lt=unsettled)
    if event_type:
        rows = rows.filter(event_type=event_type)
    return rows.order_by("pk")


def subscription_queryset() -> QuerySet[Subscription]:
    return Subscription.objects.all()


def delivery_queryset() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("event", "subscription").order_by("-pk")


def key_queryset() -> QuerySet[IntegrationKey]:
    return IntegrationKey.objects.select_related("user").order_by("name", "pk")
