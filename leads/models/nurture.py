from django.db import models
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region  # noqa: F401  (reference data of the base; still importable from here)
from .lead import Lead



class NurtureTrack(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nurture track")
        verbose_name_plural = _("nurture tracks")

    def __str__(self):
        return self.name


class NurtureStep(models.Model):
    track = models.ForeignKey(NurtureTrack, verbose_name=_("track"), on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"))
    delay_days = models.PositiveIntegerField(_("days after the previous step"), default=0)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Plain text. {{ name }}, {{ company }} and {{ link }} are filled in."))
    link_url = models.URLField(_("content link"), blank=True)

    class Meta:
        ordering = ["track", "order"]
        verbose_name = _("nurture step")
        verbose_name_plural = _("nurture steps")
        constraints = [models.UniqueConstraint(fields=["track", "order"], name="nurture_step_order_unique")]

    def __str__(self):
        return f"{self.track} #{self.order}: {self.subject}"


class NurtureEnrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="enrollments")
    track = models.ForeignKey(NurtureTrack, verbose_name=_("track"), on_delete=models.CASCADE,
                              related_name="enrollments")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    next_step = models.PositiveIntegerField(_("next step"), default=1)
    next_due_at = models.DateTimeField(_("next step due"), null=True, blank=True, db_index=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)

    class Meta:
        ordering = ["-enrolled_at"]
        verbose_name = _("nurture enrolment")
        verbose_name_plural = _("nurture enrolments")
        constraints = [models.UniqueConstraint(fields=["lead", "track"], name="one_enrollment_per_track")]


class NurtureSend(models.Model):
    """One nurture email sent (or skipped, e.g. no consent). The token tracks link clicks.

    A record of an email that went out is never deleted. Deleting the lead deletes its enrolments
    (the plan of what to send next) but not its sends: `enrollment` is emptied (SET_NULL, as
    Assignment.lead is), `lead_ref` keeps the lead's id (the LeadAudit deletion entry's `lead_id`),
    `email` the address and `step` (PROTECT) the track, step and subject of what was sent.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped: no consent")

    enrollment = models.ForeignKey(NurtureEnrollment, verbose_name=_("enrolment"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="sends",
                                   help_text=_("Empty: the lead was deleted (see the lead id)."))
    lead_ref = models.PositiveBigIntegerField(_("lead id"), db_index=True,
                                              help_text=_("The lead's id, kept after the lead is deleted."))
    email = models.EmailField(_("email address"), blank=True,
                              help_text=_("The lead's address when the step was recorded."))
    # PROTECT: a step that was sent keeps its send history (leads.services.nurture refuses to remove it).
    step = models.ForeignKey(NurtureStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="sends")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    token = models.CharField(_("tracking token"), max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    clicked_at = models.DateTimeField(_("first clicked at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("nurture email")
        verbose_name_plural = _("nurture emails")
        constraints = [models.UniqueConstraint(fields=["enrollment", "step"], name="one_send_per_step")]

    def save(self, *args, **kwargs):
        if self.lead_ref is None and self.enrollment_id is not None:
            self.lead_ref = self.enrollment.lead_id
        super().save(*args, **kwargs)

    @property
    def is_orphaned(self) -> bool:
        """The lead was deleted; the record of the email stays."""
        return self.enrollment_id is None
