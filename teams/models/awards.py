"""Awards: best newcomer (computed from the registry's quota attainment) and best collaboration
(nominated by peers, chosen by the team's manager)."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .core import Team


class Award(models.Model):
    class Kind(models.TextChoices):
        BEST_NEWCOMER = "best_newcomer", _("Best newcomer")
        BEST_COLLABORATION = "best_collaboration", _("Best collaboration")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="awards", help_text=_("Empty: the whole organisation."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("winner"), on_delete=models.CASCADE,
                             related_name="awards")
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=1, null=True, blank=True,
                                help_text=_("Best newcomer: the quota attainment (%) that won."))
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chosen by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    nomination = models.ForeignKey("Nomination", verbose_name=_("nomination"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "kind", "id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start"], condition=Q(team__isnull=True),
                                    name="award_one_per_org_period"),
            models.UniqueConstraint(fields=["kind", "team", "period_start"], condition=Q(team__isnull=False),
                                    name="award_one_per_team_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="award_period_ordered"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%Y-%m}: {self.user}"


class Nomination(models.Model):
    """A peer's nomination for best collaboration in a period, with the reason."""

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="nominations")
    nominee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("nominee"), on_delete=models.CASCADE,
                                related_name="nominations_received")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("nominated by"),
                                     on_delete=models.CASCADE, related_name="nominations_made")
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "-created_at", "-id"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(fields=["nominated_by", "period_start"], name="nomination_one_per_peer_period"),
            models.CheckConstraint(condition=~Q(nominee=F("nominated_by")), name="nomination_not_self"),
        ]

    def __str__(self):
        return f"{self.nominee} ({self.period_start:%Y-%m})"
