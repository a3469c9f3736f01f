from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from .stages import PERCENT, Stage



class StageWinRate(models.Model):
    """The learnt model: frequency-based win rate per team (or organisation-wide) and open stage.

    Recomputed set-based nightly and after a deal closes (pipeline.services.forecast_model_recompute);
    opportunities copy the rate of their team and stage into `model_probability`, unless an active
    WinProbabilityModel (learnt from closed deals, pipeline.services.winprob) scored them.
    """

    team = models.ForeignKey("teams.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", help_text=_("Empty: organisation-wide."))
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="win_rates")
    closed_deals = models.PositiveIntegerField(_("closed deals that reached the stage"), default=0)
    won_deals = models.PositiveIntegerField(_("of which won"), default=0)
    probability = models.PositiveSmallIntegerField(_("win rate (%)"), null=True, blank=True, validators=PERCENT,
                                                   help_text=_("Empty: too few closed deals to learn from."))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        ordering = ["team", "stage__order"]
        verbose_name = _("stage win rate")
        verbose_name_plural = _("stage win rates")

    def __str__(self):
        return f"{self.team or _('All teams')} / {self.stage}: {self.probability}"


class ForecastSnapshot(models.Model):
    """The forecast of one period as it stood on `taken_on`, for one rep, one team or everyone.

    Stored weekly (pipeline.tasks.forecast_snapshot_task) so forecast accuracy can be measured:
    the snapshot taken at the start of a period against what was actually won in it.
    """

    class PeriodKind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")

    class Scope(models.TextChoices):
        REP = "rep", _("Rep")
        TEAM = "team", _("Team")
        ALL = "all", _("Everyone")

    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    taken_on = models.DateField(_("taken on"))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    scope_key = models.CharField(_("scope key"), max_length=40, editable=False,
                                 help_text=_("rep:<id>, team:<id> or all (unique per period and day)."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="forecast_snapshots")
    team = models.ForeignKey("teams.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="forecast_snapshots")
    deals = models.PositiveIntegerField(_("open deals"), default=0)
    won = models.DecimalField(_("won"), max_digits=16, decimal_places=2, default=Decimal("0"))
    commit = models.DecimalField(_("commit"), max_digits=16, decimal_places=2, default=Decimal("0"))
    best_case = models.DecimalField(_("best case"), max_digits=16, decimal_places=2, default=Decimal("0"))
    pipeline = models.DecimalField(_("pipeline"), max_digits=16, decimal_places=2, default=Decimal("0"))
    weighted = models.DecimalField(_("weighted"), max_digits=16, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-period_start", "period_kind", "taken_on", "scope_key"]
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")
        constraints = [
            models.UniqueConstraint(fields=["period_kind", "period_start", "taken_on", "scope_key", "currency"],
                                    name="forecast_snapshot_unique_per_currency"),
        ]
        indexes = [models.Index(fields=["period_kind", "period_start", "taken_on"], name="forecast_snapshot_period")]

    def __str__(self):
        return f"{self.get_period_kind_display()} {self.period_start:%Y-%m-%d} @ {self.taken_on:%Y-%m-%d} {self.scope_key}"
