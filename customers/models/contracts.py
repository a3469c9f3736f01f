"""Contracts (subscriptions) and their renewal outcome.

A contract is what an account pays for: a product, a period and a monthly recurring value (MRR) in
a currency. Retention (churn, GRR/NRR, LTV) and the renewals due list read these rows; the renewal
reminders (90/60/30 days before `end`) go to the account's success owner.
"""
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .accounts import Account


class Contract(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    class Term(models.TextChoices):
        MONTH_TO_MONTH = "month_to_month", _("Month-to-month")
        ONE_YEAR = "one_year", _("One year")
        TWO_YEAR = "two_year", _("Two years")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        RENEWED = "renewed", _("Renewed")
        EXPANDED = "expanded", _("Expanded")
        CONTRACTED = "contracted", _("Contracted")
        CHURNED = "churned", _("Churned")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="contracts")
    product = models.CharField(_("product"), max_length=200)
    term = models.CharField(_("contract type"), max_length=20, choices=Term.choices, default=Term.ONE_YEAR)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True,
                           help_text=_("Empty for a month-to-month contract that runs until cancelled."))
    mrr = models.DecimalField(_("monthly recurring value"), max_digits=14, decimal_places=2,
                              validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    outcome = models.CharField(_("renewal outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_at = models.DateField(_("outcome recorded on"), null=True, blank=True)
    renewed_by = models.OneToOneField("self", verbose_name=_("renewed by"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="renews")
    last_reminder_days = models.PositiveSmallIntegerField(
        _("last reminder (days before end)"), null=True, blank=True,
        help_text=_("The last renewal reminder sent: 90, 60 or 30 days before the end."))
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["end", "id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [
            models.Index(fields=["account", "start"], name="contract_account_start"),
            models.Index(fields=["status", "end"], name="contract_status_end"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="contract_period_ordered"),
            models.CheckConstraint(condition=Q(mrr__gte=0), name="contract_mrr_not_negative"),
        ]

    def __str__(self):
        return f"{self.account} – {self.product}"
