"""The sales-to-success handoff checklist of a deal (one per deal, written by pipeline.services.handoff).

Stakeholders are contacts of the deal's account in a role (each role required by the gate);
success criteria carry 30/60/90-day targets; promises are a list of free-text lines; product
feasibility is confirmed by someone with the product role (who and when are kept). Whether the
success owner is assigned is read from the account (customers.Account.success_owner).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import handoff as rules
from .deals import Opportunity

MAX_PROMISES = 30
PROMISE_MAX_LENGTH = 300


class Handoff(models.Model):
    opportunity = models.OneToOneField(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                       related_name="handoff")
    success_criteria = models.TextField(_("success criteria"), blank=True, max_length=4000)
    target_30 = models.TextField(_("30-day target"), blank=True, max_length=2000)
    target_60 = models.TextField(_("60-day target"), blank=True, max_length=2000)
    target_90 = models.TextField(_("90-day target"), blank=True, max_length=2000)
    promises = models.JSONField(_("promises made"), default=list, blank=True,
                                help_text=_("What sales promised the customer, one item per line."))
    feasibility_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("feasibility confirmed by"),
                                                 null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    feasibility_confirmed_at = models.DateTimeField(_("feasibility confirmed at"), null=True, blank=True)
    feasibility_note = models.TextField(_("feasibility note"), blank=True, max_length=2000)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")

    def __str__(self):
        return str(self.opportunity)

    @property
    def targets(self) -> tuple[str, str, str]:
        return (self.target_30, self.target_60, self.target_90)

    @property
    def feasibility_confirmed(self) -> bool:
        return self.feasibility_confirmed_at is not None


class HandoffStakeholder(models.Model):
    class Role(models.TextChoices):
        CHAMPION = rules.CHAMPION, _("Champion")
        EXECUTIVE_SPONSOR = rules.EXECUTIVE_SPONSOR, _("Executive sponsor")
        ADMIN = rules.ADMIN, _("Administrator (customer side)")

    handoff = models.ForeignKey(Handoff, verbose_name=_("handoff"), on_delete=models.CASCADE,
                                related_name="stakeholders")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    contact = models.ForeignKey("customers.Contact", verbose_name=_("contact"), on_delete=models.CASCADE,
                                related_name="+")

    class Meta:
        ordering = ["handoff", "role", "id"]
        verbose_name = _("handoff stakeholder")
        verbose_name_plural = _("handoff stakeholders")
        constraints = [models.UniqueConstraint(fields=["handoff", "role"], name="handoff_one_contact_per_role")]

    def __str__(self):
        return f"{self.get_role_display()}: {self.contact}"
