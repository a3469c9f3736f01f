"""Writes of integrations: subscriptions, deliveries (send, retry, redeliver), integration keys,
retention. Views, the API, the admin and tasks all come through here."""
import json
import logging
import secrets
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.predicates import can_manage_integrations

from . import events, keys, signing
from .targets import check_target
from .models import ChangeEvent, Delivery, DeliveryAttempt, IntegrationKey, Subscription

logger = logging.getLogger(__name__)
EXCERPT_CHARS = 500
USER_AGENT = "SalesOps-Webhooks/1"


def _check_may_manage(by) -> None:
    if not can_manage_integrations(by):
        raise PermissionDenied(_("Only administrators manage integrations."))


def _check_event_types(codes) -> list[str]:
    known = {t.code for t in events.event_types()}
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        raise ValidationError({"event_types": _("Choose at least one event type.")})
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ValidationError({"event_types": _("Unknown event types: %(codes)s.") % {"codes": ", ".join(unknown)}})
    return sorted(set(codes))


# --- subscriptions ----------------------------------------------------------------------------------
@transaction.atomic
def subscription_create(*, by, name: str, url: str, event_types: list, is_active: bool = True,
                        max_attempts: int = 6) -> Subscription:
    _check_may_manage(by)
    subscription = Subscription(name=name, url=url, event_types=_check_event_types(event_types), is_active=is_active,
                                max_attempts=max_attempts, secret="whsec_" + secrets.token_urlsafe(32), created_by=by)
    subscription.full_clean()
    check_target(subscription.url)
    subscription.save()
    return subscription


@transaction.atomic
def subscription_update(*, subscription: Subscription, by, **fields) -> Subscription:
    _check_may_manage(by)
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if "event_types" in fields:
        fields["event_types"] = _check_event_types(fields["event_types"])
    for name in ("name", "url", "event_types", "is_active", "max_attempts"):
        if name in fields:
            setattr(locked, name, fields[name])
    locked.full_clean()
    if "url" in fields:
        check_target(locked.url)
    locked.save()
    return locked


@transaction.atomic
def subscription_rotate_secret(*, subscription: Subscription, by) -> Subscription:
    _check_may_manage(by)
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    locked.secret = "whsec_" + secrets.token_urlsafe(32)
    locked.save(update_fields=["secret"])
    return locked


@transaction.atomic
def subscription_delete(*, subscription: Subscription, by) -> None:
    _check_may_manage(by)
    Subscription.objects.select_for_update().filter(pk=subscription.pk).delete()


# --- deliveries -------------------------------------------------------------------------------------
def delivery_body(delivery: Delivery) -> bytes:
    event = delivery.event
    return json.dumps({
        "id": event.pk, "type": event.event_type, "object": {"type": event.object_type, "id": event.object_id},
        "created_at": event.created_at.isoformat(), "data": event.payload, "delivery": delivery.pk,
    }, separators=(",", ":"), sort_keys=True, default=str).encode()


def _claim(delivery_id: int) -> Delivery | None:
    """Mark a due pending delivery as being sent (one worker wins); None if there is nothing to do."""
    with transaction.atomic():
        claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return Delivery.objects.select_related("subscription", "event").get(pk=delivery_id)


def _post(delivery: Delivery) -> tuple[int | None, str, int, str]:
    """POST the signed event; (status code, response excerpt, duration ms, error)."""
    body = delivery_body(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "X-SalesOps-Event": delivery.event.event_type, "X-SalesOps-Delivery": str(delivery.pk),
        "X-SalesOps-Timestamp": str(timestamp),
        signing.SIGNATURE_HEADER: signing.sign(delivery.subscription.secret, body, timestamp),
    }
    try:
        check_target(delivery.subscription.url)  # again: the host may resolve elsewhere since it was saved
    except ValidationError as exc:
        return None, "", 0, " ".join(exc.message_dict["url"])[:EXCERPT_CHARS]
    started = time.monotonic()
    try:
        response = requests.post(delivery.subscription.url, data=body, headers=headers,
                                 timeout=settings.INTEGRATIONS_WEBHOOK_TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        return None, "", int((time.monotonic() - started) * 1000), f"{exc.__class__.__name__}: {exc}"[:EXCERPT_CHARS]
    duration = int((time.monotonic() - started) * 1000)
    return response.status_code, (response.text or "")[:EXCERPT_CHARS], duration, ""


def webhook_deliver(*, delivery_id: int) -> Delivery | None:
    """One attempt at a delivery. 2xx: succeeded. Otherwise pending again with an exponential
    back-off (the caller queues the next attempt), or failed with the reason after max attempts."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    if not delivery.subscription.is_active:
        status_code, excerpt, duration, error = None, "", 0, _("The subscription is paused.")
    else:
        status_code, excerpt, duration, error = _post(delivery)
    ok = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(delivery=delivery, number=delivery.attempts, status_code=status_code,
                                       response_excerpt=excerpt, duration_ms=duration, error=error, at=now)
        delivery.status_code, delivery.response_excerpt, delivery.duration_ms = status_code, excerpt, duration
        if ok:
            delivery.status, delivery.finished_at, delivery.failure_reason = Delivery.Status.SUCCEEDED, now, ""
        elif delivery.attempts >= delivery.subscription.max_attempts or not delivery.subscription.is_active:
            delivery.status, delivery.finished_at = Delivery.Status.FAILED, now
            delivery.failure_reason = (error or _("HTTP %(code)s") % {"code": status_code}) + " — " + _(
                "gave up after %(n)s attempts") % {"n": delivery.attempts}
        else:
            delivery.status = Delivery.Status.PENDING
            delivery.next_attempt_at = now + timedelta(seconds=signing.backoff_seconds(
                delivery.attempts, base=settings.INTEGRATIONS_WEBHOOK_BACKOFF_BASE))
            delivery.failure_reason = error or _("HTTP %(code)s") % {"code": status_code}
        delivery.save(update_fields=["status", "status_code", "response_excerpt", "duration_ms", "finished_at",
                                     "failure_reason", "next_attempt_at"])
    return delivery


def deliveries_due(*, now=None, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come, and deliveries stuck "sending" (worker lost) put back."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.INTEGRATIONS_WEBHOOK_TIMEOUT * 3 + 60)
    Delivery.objects.filter(status=Delivery.Status.SENDING, next_attempt_at__lte=stale).update(
        status=Delivery.Status.PENDING, attempts=F("attempts") - 1)
    return list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery, by) -> Delivery:
    """Send the same event to the same subscription again, as a new delivery (the log stays)."""
    _check_may_manage(by)
    original = Delivery.objects.select_for_update().get(pk=delivery.pk)
    again = Delivery.objects.create(subscription_id=original.subscription_id, event_id=original.event_id,
                                    redelivery_of=original)
    from salesops.queue import enqueue

    from .tasks import webhook_deliver_task

    transaction.on_commit(lambda: enqueue(webhook_deliver_task, again.pk))
    return again


# --- retention --------------------------------------------------------------------------------------
def changes_purge(*, now=None) -> int:
    """Delete change events (and their deliveries) older than INTEGRATIONS_CHANGES_RETENTION_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.INTEGRATIONS_CHANGES_RETENTION_DAYS)
    old = ChangeEvent.objects.filter(created_at__lt=cutoff)
    Delivery.objects.filter(event__in=old.values("pk")).delete()
    deleted, _unused = old.delete()
    return deleted


# --- integration keys -------------------------------------------------------------------------------
def _check_scopes(scopes) -> list[str]:
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    unknown = sorted(set(scopes) - set(keys.SCOPES))
    if unknown:
        raise ValidationError({"scopes": _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}})
    return sorted(set(scopes))


@transaction.atomic
def key_create(*, by, name: str, user, scopes: list, expires_at=None, rate_limit_per_minute: int = 600,
               rotated_from: IntegrationKey | None = None) -> tuple[IntegrationKey, str]:
    """A new key; returns (row, the key itself). The key is shown once: only its hash is stored."""
    _check_may_manage(by)
    if user is None or not user.is_active:
        raise ValidationError({"user": _("Choose an active service user for the key to act as.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    full, prefix, key_hash = keys.new_key()
    row = IntegrationKey(name=name, prefix=prefix, key_hash=key_hash, user=user, scopes=_check_scopes(scopes),
                         expires_at=expires_at, rate_limit_per_minute=rate_limit_per_minute, created_by=by,
                         rotated_from=rotated_from)
    row.full_clean()
    row.save()
    return row, full


@transaction.atomic
def key_revoke(*, key: IntegrationKey, by) -> IntegrationKey:
    _check_may_manage(by)
    locked = IntegrationKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def key_rotate(*, key: IntegrationKey, by, grace_hours: int = 24) -> tuple[IntegrationKey, str]:
    """A new key with the same name, user, scopes and limit; the old one keeps working for
    `grace_hours` (0: stops now) so the integration can switch without downtime."""
    _check_may_manage(by)
    locked = IntegrationKey.objects.select_for_update().get(pk=key.pk)
    if not locked.is_usable():
        raise ValidationError(_("A revoked or expired key cannot be rotated; create a new one."))
    new, full = key_create(by=by, name=locked.name, user=locked.user, scopes=locked.scopes,
                           expires_at=locked.expires_at, rate_limit_per_minute=locked.rate_limit_per_minute,
                           rotated_from=locked)
    ends = timezone.now() + timedelta(hours=max(0, grace_hours))
    if grace_hours <= 0:
        locked.revoked_at = ends
    elif locked.expires_at is None or locked.expires_at > ends:
        locked.expires_at = ends
    locked.save(update_fields=["revoked_at", "expires_at"])
    return new, full


def key_touch(*, key: IntegrationKey) -> None:
    """Record use, at most once a minute (no write per request)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=now)
