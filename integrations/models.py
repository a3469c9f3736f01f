"""Integrations: the change feed (ChangeEvent), webhook subscriptions and their deliveries, and
integration keys (named API keys with scopes). See integrations/events.py for how apps publish."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeEvent(models.Model):
    """One change of a record, in commit-ish order: the id is the cursor of GET /api/v1/changes/.

    Written in the same transaction as the change it reports (an outbox), so a rolled-back change
    publishes nothing. `owner` is the record's owner at the time, for the feed's visibility."""

    event_type = models.CharField(_("event type"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.BigIntegerField(_("object id"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_constraint=False,
                              db_index=False)  # indexed by change_event_owner_id (owner, id)
    payload = models.JSONField(_("payload"), default=dict)
    # Indexed on PostgreSQL by a BRIN index (migration 0002): rows are appended in time order, so
    # block ranges find the retention purge's old rows and the feed's settle filter reads by id; a
    # B-tree cost every change an index entry (three per imported lead, issue 14).
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        indexes = [models.Index(fields=["owner", "id"], name="change_event_owner_id")]

    def __str__(self):
        return f"#{self.pk} {self.event_type} {self.object_type}:{self.object_id}"


class Subscription(models.Model):
    """A webhook: events of the chosen types are POSTed, signed with `secret`, to `url`."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list,
                                   help_text=_("The event type codes sent to this URL."))
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=6)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """One event sent (or to be sent) to one subscription, with its latest attempt's outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.ForeignKey(ChangeEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    redelivery_of = models.ForeignKey("self", verbose_name=_("redelivery of"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]


class DeliveryAttempt(models.Model):
    """The log of a delivery: one row per HTTP attempt."""

    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE,
                                 related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    error = models.TextField(_("error"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")


class IntegrationKey(models.Model):
    """A named API key of one integration: `Authorization: Bearer <key>`. Only a hash is stored;
    the key acts as `user` (its visibility) and only within its scopes."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acts as"), on_delete=models.PROTECT,
                             related_name="integration_keys",
                             help_text=_("The service user whose visibility the key has."))
    scopes = models.JSONField(_("scopes"), default=list)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    rotated_from = models.ForeignKey("self", verbose_name=_("rotated from"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("integration key")
        verbose_name_plural = _("integration keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now) and self.user.is_active
