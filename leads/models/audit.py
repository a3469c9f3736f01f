from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region  # noqa: F401  (reference data of the base; still importable from here)



class LeadAudit(models.Model):
    """Audit of lead writes that leave no other trace (deletion, status transitions).

    `lead_id` is a plain number, not a foreign key, so that the entry outlives a deleted lead;
    `lead_repr` keeps what the lead was called.
    """

    class Action(models.TextChoices):
        DELETED = "deleted", _("Deleted")
        QUALIFIED = "qualified", _("Qualified")
        NURTURING = "nurturing", _("Moved to nurturing")
        DISQUALIFIED = "disqualified", _("Disqualified")

    lead_id = models.PositiveBigIntegerField(_("lead id"), db_index=True)
    lead_repr = models.CharField(_("lead"), max_length=500)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead audit entry")
        verbose_name_plural = _("lead audit entries")

    def __str__(self):
        return f"{self.get_action_display()}: {self.lead_repr}"
