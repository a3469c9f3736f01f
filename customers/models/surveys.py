"""NPS and CSAT surveys and their responses.

A response holds the score (NPS 0–10, CSAT 1–5), a reason and any further answers. It comes through
a personal link (an invitation with a token, no login) or the API. Scores feed health and the NPS
and CSAT metrics.
"""
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
