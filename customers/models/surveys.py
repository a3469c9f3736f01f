"""NPS and CSAT surveys and their responses.

A response holds the score (NPS 0–10, CSAT 1–5), a reason and any further answers. It comes through
a personal link (an invitation with a token, no login) or the API. Scores feed health and the NPS
and CSAT metrics.
"""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .accounts import Account, Contact


class Survey(models.Model):
    class Kind(models.TextChoices):
        NPS = "nps", _("NPS (0–10)")
        CSAT = "csat", _("CSAT (1–5)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    question = models.CharField(_("question"), max_length=500)
    extra_questions = models.JSONField(_("further questions"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return self.name


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses")
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="survey_responses")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="survey_responses")
    kind = models.CharField(_("kind"), max_length=10, choices=Survey.Kind.choices)
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(10)])
    reason = models.TextField(_("reason"), blank=True)
    answers = models.JSONField(_("further answers"), default=dict, blank=True)
    responded_at = models.DateTimeField(_("responded at"), default=timezone.now)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)

    class Meta:
        ordering = ["-responded_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["account", "kind", "responded_at"], name="response_account_kind")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="nps", score__gte=0, score__lte=10) | Q(kind="csat", score__gte=1, score__lte=5)),
                name="response_score_in_scale"),
            models.UniqueConstraint(fields=["external_id"], condition=~Q(external_id=""),
                                    name="response_unique_external_id"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.score}"


class SurveyInvitation(models.Model):
    """A survey sent to one contact: a personal link (/s/<token>/, no login) that takes one answer
    until it expires. The email is written in `language` (the sender's), and so is the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="invitations")
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="survey_invitations")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE,
                                related_name="survey_invitations")
    token = models.CharField(_("token"), max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    response = models.OneToOneField(SurveyResponse, verbose_name=_("response"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="invitation")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        indexes = [models.Index(fields=["survey", "contact"], name="invitation_survey_contact"),
                   models.Index(fields=["account", "sent_at"], name="invitation_account_sent")]

    def __str__(self):
        return f"{self.survey} → {self.contact}"
