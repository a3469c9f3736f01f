
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from .deals import Opportunity



class Approval(models.Model):
    """A manager approval asked for an opportunity (e.g. a discount above the limit)."""

    class Kind(models.TextChoices):
        DISCOUNT = "discount", _("Discount")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn (the deal changed after the request)")

    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="approvals")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISCOUNT)
    value = models.DecimalField(_("value asked"), max_digits=14, decimal_places=2, null=True, blank=True,
                                help_text=_("E.g. the discount in percent this approval covers."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [models.UniqueConstraint(fields=["opportunity", "kind"], condition=Q(status="pending"),
                                               name="approval_one_pending_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"
