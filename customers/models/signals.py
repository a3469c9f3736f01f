"""What the product and the help desk tell us about an account: usage events and support tickets.

Both arrive by API in bulk and are idempotent by `external_id` (unique per account's source), the
lead-events pattern shared through salesops (see customers.services.signals).
"""
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .accounts import Account


class UsageEvent(models.Model):
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="usage_events")
    external_id = models.CharField(_("external id"), max_length=100, unique=True)
    feature = models.CharField(_("feature"), max_length=100)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2, default=1,
                                   validators=[MinValueValidator(0)])
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("usage event")
        verbose_name_plural = _("usage events")
        indexes = [models.Index(fields=["account", "occurred_at"], name="usage_account_when")]

    def __str__(self):
        return f"{self.feature} × {self.quantity}"


class Ticket(models.Model):
    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="tickets")
    external_id = models.CharField(_("external id"), max_length=100, unique=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("The customer's rating of the ticket, 1–5."))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        indexes = [models.Index(fields=["account", "opened_at"], name="ticket_account_opened")]
        constraints = [
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                                   name="ticket_closed_after_opened"),
            models.CheckConstraint(condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                                   name="ticket_satisfaction_1_5"),
        ]

    def __str__(self):
        return self.subject or self.external_id
