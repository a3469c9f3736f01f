from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .deals import Opportunity


class WinProbabilityModel(models.Model):
    """One training of the deal win-probability model (issue 16 items 4–5): its inputs, the fitted
    numbers and its figures, so it can be checked and re-run (pipeline.services.winprob).

    At most one is active: its probability is the deals' `model_probability`. With none active the
    win-rate table per team and stage (StageWinRate) stays the model probability.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Activate(models.TextChoices):
        AUTO = "auto", _("If it beats the stage table on held-out deals")
        YES = "yes", _("Yes")
        NO = "no", _("No")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure_code = models.CharField(_("failure"), max_length=40, blank=True)
    failure_params = models.JSONField(_("failure details"), default=dict, blank=True)
    # inputs: the same inputs give the same figures
    window_start = models.DateField(_("closed from"), null=True, blank=True,
                                    help_text=_("Empty: from the first closed deal."))
    cutoff = models.DateTimeField(_("closed before"), help_text=_("Deals closed at or after this are not used."))
    holdout_quarters = models.PositiveSmallIntegerField(_("held-out quarters"), default=1)
    random_state = models.PositiveIntegerField(_("random state"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    activate = models.CharField(_("activate"), max_length=4, choices=Activate.choices, default=Activate.AUTO)
    rerun_of = models.ForeignKey("self", verbose_name=_("re-run of"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reruns")
    # what was learnt
    features = models.JSONField(_("features"), default=list, blank=True)
    library_versions = models.JSONField(_("library versions"), default=dict, blank=True)
    data_fingerprint = models.CharField(_("data fingerprint"), max_length=64, blank=True,
                                        help_text=_("A hash of the closed deals' facts and outcomes used."))
    model = models.JSONField(_("fitted model"), default=dict, blank=True)
    coefficients = models.JSONField(_("coefficients"), default=list, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    training_deals = models.PositiveIntegerField(_("training deals"), default=0)
    holdout_deals = models.PositiveIntegerField(_("held-out deals"), default=0)
    holdout_start = models.DateField(_("held out from"), null=True, blank=True)
    brier = models.FloatField(_("Brier score (held out)"), null=True, blank=True)
    stage_table_brier = models.FloatField(_("stage table's Brier score (held out)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    trained_at = models.DateTimeField(_("trained at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("win-probability model")
        verbose_name_plural = _("win-probability models")
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                               name="win_model_one_active")]

    def __str__(self):
        return _("Win-probability model #%(id)s") % {"id": self.pk}

    @property
    def failure_message(self) -> str:
        from ..services.winprob import failure_message
        return failure_message(self.failure_code, self.failure_params) if self.failure_code else ""


class OpportunityWinFactors(models.Model):
    """The trained model's probability of one open deal and the factors behind it.

    A row exists exactly while the deal's `model_probability` was written by that model: a stage
    move (the win-rate table writes the probability again) deletes it until the deal is rescored, and
    the table's nightly recompute leaves such deals alone. A closed deal keeps the row it had when it
    closed (what the model said at the time).
    """

    opportunity = models.OneToOneField(Opportunity, verbose_name=_("opportunity"), primary_key=True,
                                       on_delete=models.CASCADE, related_name="win_factors")
    model = models.ForeignKey(WinProbabilityModel, verbose_name=_("model"), on_delete=models.CASCADE,
                              related_name="scores")
    probability = models.PositiveSmallIntegerField(_("probability (%)"))
    factors = models.JSONField(_("factors"), default=list, blank=True)
    scored_at = models.DateTimeField(_("scored at"), default=timezone.now)

    class Meta:
        verbose_name = _("deal win factors")
        verbose_name_plural = _("deal win factors")

    def __str__(self):
        return f"{self.opportunity_id}: {self.probability}%"
