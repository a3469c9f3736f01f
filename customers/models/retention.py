"""Retention inputs that are not contracts: sales and marketing spend per month and channel (for CAC),
and the customer import (the IBM Telco layout) with its saved column mappings and background jobs."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.jobs import ImportJobBase


class Spend(models.Model):
    """Sales and marketing spend of one month on one channel, in one currency (CAC = spend ÷ new customers)."""

    class Channel(models.TextChoices):
        SALES = "sales", _("Sales team (salaries, commissions, travel)")
        PAID_SEARCH = "paid_search", _("Paid search")
        PAID_SOCIAL = "paid_social", _("Paid social")
        EVENTS = "events", _("Events and trade shows")
        CONTENT = "content", _("Content and SEO")
        PARTNERS = "partners", _("Partners and referrals")
        TOOLS = "tools", _("Sales and marketing tools")
        OTHER = "other", _("Other")

    month = models.DateField(_("month"), help_text=_("The first day of the month the money was spent in."))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-month", "channel", "currency"]
        verbose_name = _("sales and marketing spend")
        verbose_name_plural = _("sales and marketing spend")
        constraints = [
            models.UniqueConstraint(fields=["month", "channel", "currency"], name="spend_one_per_month_channel"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spend_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.get_channel_display()} {self.amount} {self.currency}"


class CustomerImportMapping(models.Model):
    """How one source's customer file maps to accounts and contracts (saved per source, e.g. "IBM Telco")."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    columns = models.JSONField(_("columns"), default=dict,
                               help_text=_("Our field -> CSV column name (external_ref, term, mrr, tenure, churned)."))
    values = models.JSONField(_("value maps"), default=dict, blank=True,
                              help_text=_("Our field -> {CSV value: our value}, e.g. contract names to contract types."))
    currency = models.CharField(_("currency"), max_length=3,
                                help_text=_("The currency of the file's monthly charges (the file does not say)."))
    product = models.CharField(_("product"), max_length=200, help_text=_("The product name given to the contracts."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer import mapping")
        verbose_name_plural = _("customer import mappings")

    def __str__(self):
        return self.name


class CustomerImportJob(ImportJobBase):
    """A customer import (accounts with one contract each) run in the background."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta(ImportJobBase.Meta):
        verbose_name = _("customer import job")
        verbose_name_plural = _("customer import jobs")
