"""Customer health as data: models per segment with weighted components and bands, each account's
current health with its explanation, a daily history, and the recompute jobs.

The definition of a score is customers.health (pure); customers.services.health computes it for
every account in one SQL statement per model. Writes go through the services (validation there:
weights > 0, parameters within bounds, bands covering 0–100).
"""
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import health as rules
from .accounts import Account


class HealthModel(models.Model):
    class Segment(models.TextChoices):
        DEFAULT = "default", _("Every account")
        ONBOARDING = "onboarding", _("Onboarding: the account's first days as a customer")

    name = models.CharField(_("name"), max_length=200)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices, default=Segment.DEFAULT)
    onboarding_days = models.PositiveSmallIntegerField(
        _("onboarding days"), default=rules.ONBOARDING_DAYS[0],
        validators=[MinValueValidator(rules.ONBOARDING_DAYS[1]), MaxValueValidator(rules.ONBOARDING_DAYS[2])],
        help_text=_("For the onboarding segment: days since the first contract started (or the account was "
                    "created)."))
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=0, validators=[MaxValueValidator(1000)],
        help_text=_("When several active models match an account, the highest priority wins."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-priority", "id"]
        verbose_name = _("health model")
        verbose_name_plural = _("health models")

    def __str__(self):
        return self.name


class HealthComponent(models.Model):
    class Code(models.TextChoices):
        USAGE_FREQUENCY = rules.USAGE_FREQUENCY, _("Usage frequency")
        SUPPORT_LOAD = rules.SUPPORT_LOAD, _("Support load")
        RENEWAL_INTENT = rules.RENEWAL_INTENT, _("Renewal intent")
        NPS = rules.NPS, _("NPS")
        CSAT = rules.CSAT, _("CSAT")
        ENGAGEMENT_RECENCY = rules.ENGAGEMENT_RECENCY, _("Engagement recency")

    model = models.ForeignKey(HealthModel, verbose_name=_("health model"), on_delete=models.CASCADE,
                              related_name="components")
    code = models.CharField(_("component"), max_length=30, choices=Code.choices)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MinValueValidator(1), MaxValueValidator(rules.MAX_WEIGHT)],
        help_text=_("Relative: weights are normalised over the components the account has data for."))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["model", "id"]
        verbose_name = _("health component")
        verbose_name_plural = _("health components")
        constraints = [
            models.UniqueConstraint(fields=["model", "code"], name="health_component_once_per_model"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="health_component_weight_positive"),
        ]

    def __str__(self):
        return f"{self.get_code_display()} × {self.weight}"


class HealthBand(models.Model):
    class Code(models.TextChoices):
        HEALTHY = "healthy", _("Healthy")
        AT_RISK = "at_risk", _("At risk")
        CRITICAL = "critical", _("Critical")

    model = models.ForeignKey(HealthModel, verbose_name=_("health model"), on_delete=models.CASCADE,
                              related_name="bands")
    code = models.CharField(_("band"), max_length=20, choices=Code.choices)
    min = models.PositiveSmallIntegerField(_("from"), validators=[MaxValueValidator(100)])
    max = models.PositiveSmallIntegerField(_("to"), validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["model", "-min"]
        verbose_name = _("health band")
        verbose_name_plural = _("health bands")
        constraints = [
            models.UniqueConstraint(fields=["model", "code"], name="health_band_once_per_model"),
            models.CheckConstraint(condition=Q(min__lte=models.F("max")), name="health_band_min_le_max"),
        ]

    def __str__(self):
        return f"{self.get_code_display()} {self.min}–{self.max}"


class AccountHealth(models.Model):
    """An account's current health and its explanation.

    `components` is a list, in the model's order, of [code, value, sub_score, weight, normalised
    weight, contribution] (value null: no data, left out)."""

    account = models.OneToOneField(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                   related_name="health", primary_key=True)
    score = models.PositiveSmallIntegerField(_("health score"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=20, choices=HealthBand.Code.choices, blank=True)
    # the band before the latest recompute (set by the upsert): a change publishes an event
    previous_band = models.CharField(_("previous band"), max_length=20, blank=True, default="", db_default="",
                                     editable=False)
    model = models.ForeignKey(HealthModel, verbose_name=_("health model"), null=True, on_delete=models.SET_NULL,
                              related_name="+")
    components = models.JSONField(_("components"), default=list)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("account health")
        verbose_name_plural = _("account health")
        indexes = [models.Index(fields=["band"], name="account_health_band")]

    def __str__(self):
        return f"{self.account_id}: {self.score}"


class HealthScoreHistory(models.Model):
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="health_history")
    day = models.DateField(_("day"))
    score = models.PositiveSmallIntegerField(_("health score"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=20, choices=HealthBand.Code.choices, blank=True)
    model = models.ForeignKey(HealthModel, verbose_name=_("health model"), null=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta:
        ordering = ["account", "-day"]
        verbose_name = _("health history")
        verbose_name_plural = _("health history")
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="health_history_once_a_day")]

    def __str__(self):
        return f"{self.account_id} {self.day}: {self.score}"


class HealthRecomputeJob(models.Model):
    """A bounded, resumable recompute of every account's health, batch by batch over account ids."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    day = models.DateField(_("day"))
    last_id = models.BigIntegerField(_("last account id done"), default=0)
    max_id = models.BigIntegerField(_("highest account id"), default=0)
    processed = models.PositiveIntegerField(_("accounts computed"), default=0)
    error = models.TextField(_("failure reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("resumptions"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("health recompute job")
        verbose_name_plural = _("health recompute jobs")

    def __str__(self):
        return f"{self.day} ({self.get_status_display()})"
