"""Customers: accounts (companies), their contacts and the activity log.

Minimal for now: just enough for opportunities (pipeline.Opportunity.account) and the stage gates
that need a related record (e.g. "a demo meeting logged"; pipeline links a deal's activities in
pipeline.OpportunityActivity, customers never points at pipeline). Health, contracts and NPS come later.
"""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region


class Sector(models.Model):
    """Reference data an admin can extend: a sector exactly as a source file names it (issue 13).
    `name` is the verbatim value (e.g. Maven's "technolgy"); `industry` is the Industry code it maps to
    (blank: not mapped yet). An import keeps a new value as a new row and reports it; nothing is merged."""

    code = models.SlugField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name (as in the source)"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    source = models.CharField(_("first seen in"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if self.name_zh_hans and (get_language() or "").lower().startswith("zh"):
            return self.name_zh_hans
        return self.name


class Account(models.Model):
    """A customer or prospect company."""

    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    sector = models.ForeignKey(Sector, verbose_name=_("sector (as in the source)"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="accounts")
    employees = models.PositiveIntegerField(
        _("employees"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10_000_000)])
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sales owner"), on_delete=models.PROTECT,
                              related_name="accounts")
    success_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("success owner"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="success_accounts")
    domain = models.CharField(_("web domain"), max_length=200, blank=True,
                              help_text=_("e.g. example.com; used to warn about duplicate accounts."))
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True, db_index=True,
                                    help_text=_("Id of this account in the system it was imported from."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    source_attributes = models.JSONField(
        _("source attributes"), default=dict, blank=True,
        help_text=_("Every other column of the file this account was imported from, as given (\"unknown\" where blank)."))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["owner", "name"], name="account_owner_name"),
                   models.Index(fields=["success_owner", "name"], name="account_success_owner_name"),
                   models.Index(fields=["updated_at", "id"], name="account_updated_sync")]  # sync clients' cursor

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        """The account's customer-360 page."""
        return reverse("customers:account-detail", args=[self.pk])


class Contact(models.Model):
    """A person at an account."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True, db_default=Now())

    class Meta:
        ordering = ["account", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name
