from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewPackSend(models.Model):
    """One monthly review pack mailed to one person: claimed (written) before the email leaves, so a
    retried or concurrent run never mails the same month to the same person twice."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    month = models.DateField(_("month"), help_text=_("The first day of the month the pack covers."))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True,
                                  on_delete=models.SET_NULL, related_name="review_pack_sends")
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENDING)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "email"]
        verbose_name = _("review pack email")
        verbose_name_plural = _("review pack emails")
        constraints = [models.UniqueConstraint(fields=["month", "recipient"], name="review_pack_once_per_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} → {self.email}"
