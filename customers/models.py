"""Customers: accounts (companies), their contacts and the interaction log.

Minimal for now: just enough for opportunities (pipeline.Opportunity.account) and the stage gates
that need a related record (e.g. "a demo meeting logged"; pipeline links a deal's interactions in
pipeline.OpportunityInteraction, customers never points at pipeline). Health, contracts and NPS come later.
"""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region


class Account(models.Model):
    """A customer or prospect company."""

    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    employees = models.PositiveIntegerField(
        _("employees"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10_000_000)])
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="accounts")
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True, db_index=True,
                                    help_text=_("Id of this account in the system it was imported from."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["owner", "name"], name="account_owner_name")]

    def __str__(self):
        return self.name


class Contact(models.Model):
    """A person at an account."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["account", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name


class Interaction(models.Model):
    """A logged call, meeting, email or note. `logged_at` vs `occurred_at` measures the 24-hour rule."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("Email")
        NOTE = "note", _("Note")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="interactions")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    logged_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    summary = models.TextField(_("summary"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="interactions")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["account", "-occurred_at"], name="interaction_account"),
            models.Index(fields=["owner", "-occurred_at"], name="interaction_owner"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"
