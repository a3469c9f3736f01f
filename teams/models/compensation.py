"""Compensation: versioned bonus plans fed by registry metrics, assignments, payouts and their
append-only ledger lines, disputes. The rules live in teams.payouts (pure) and the writes in
teams.services.compensation; these are the fields and constraints."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

PERCENT_FIELD = {"max_digits": 7, "decimal_places": 2,
                 "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10000"))]}


class CompensationPlan(models.Model):
    """One version of a bonus plan. A new version starts as a draft; publishing it closes the
    previous published version of the same name the day before it takes effect."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Period(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly")
        MONTHLY = "monthly", _("Monthly")

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.QUARTERLY)
    target_bonus = models.DecimalField(_("target bonus"), max_digits=12, decimal_places=2,
                                       validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    commission_metric = models.CharField(_("commission metric"), max_length=60, blank=True,
                                         help_text=_("A money metric the commission tiers apply to (optional)."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("compensation plan")
        verbose_name_plural = _("compensation plans")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="compplan_one_version_number"),
            models.CheckConstraint(condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                                   name="compplan_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class PlanComponent(models.Model):
    """A weighted part of a plan, fed by one metric or (a composite) the average of several."""

    class Missing(models.TextChoices):
        SKIP = "skip", _("Leave out of the average")
        ZERO = "zero", _("Count as 0")

    plan = models.ForeignKey(CompensationPlan, verbose_name=_("plan"), on_delete=models.CASCADE,
                             related_name="components")
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    metric_codes = models.JSONField(_("metrics"), default=list,
                                    help_text=_("One metric code, or several averaged (a composite)."))
    weight = models.DecimalField(_("weight (%)"), **PERCENT_FIELD)
    threshold = models.DecimalField(_("threshold (%)"), null=True, blank=True, **PERCENT_FIELD)
    accelerator = models.DecimalField(_("accelerator"), max_digits=5, decimal_places=2, null=True, blank=True,
                                      validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))])
    cap = models.DecimalField(_("cap (%)"), null=True, blank=True, **PERCENT_FIELD)
    target = models.DecimalField(_("target value"), max_digits=12, decimal_places=2, default=Decimal("100"),
                                 validators=[MinValueValidator(Decimal("0.01"))])
    missing = models.CharField(_("missing metrics"), max_length=4, choices=Missing.choices, default=Missing.SKIP)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("plan component")
        verbose_name_plural = _("plan components")
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="plancomponent_key_once")]

    def __str__(self):
        return f"{self.label} ({self.weight} %)"


class CommissionTier(models.Model):
    plan = models.ForeignKey(CompensationPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tiers")
    lower = models.DecimalField(_("from"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    upper = models.DecimalField(_("up to"), max_digits=14, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2,
                               validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])

    class Meta:
        ordering = ["plan", "lower"]
        verbose_name = _("commission tier")
        verbose_name_plural = _("commission tiers")
        constraints = [models.CheckConstraint(condition=Q(upper__isnull=True) | Q(upper__gt=F("lower")),
                                              name="commissiontier_bounds_ordered")]

    def __str__(self):
        return f"{self.lower}–{self.upper or '∞'}: {self.rate} %"


class PlanAssignment(models.Model):
    """`user` is paid by the plan named `plan.name` (its version effective in each period) over these dates."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="plan_assignments")
    plan = models.ForeignKey(CompensationPlan, verbose_name=_("plan"), on_delete=models.PROTECT,
                             related_name="assignments")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["user", "-starts_on"]
        verbose_name = _("plan assignment")
        verbose_name_plural = _("plan assignments")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                   name="planassignment_dates_ordered"),
            models.UniqueConstraint(fields=["user", "starts_on"], name="planassignment_one_start_per_user"),
        ]

    def __str__(self):
        return f"{self.user}: {self.plan} {self.starts_on:%Y-%m-%d}"


class Payout(models.Model):
    """What one user earns for one period under one plan version. Computed (and recomputed) until a
    manager approves it; approved and paid payouts are never recomputed."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("Computed")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT,
                             related_name="payouts")
    plan = models.ForeignKey(CompensationPlan, verbose_name=_("plan version"), on_delete=models.PROTECT,
                             related_name="payouts")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.COMPUTED)
    target_bonus = models.DecimalField(_("target bonus"), max_digits=12, decimal_places=2)
    bonus = models.DecimalField(_("bonus"), max_digits=14, decimal_places=2, default=Decimal("0"))
    commission = models.DecimalField(_("commission"), max_digits=14, decimal_places=2, default=Decimal("0"))
    corrections = models.DecimalField(_("corrections"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3)
    computed_at = models.DateTimeField(_("computed at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "user__username"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            models.UniqueConstraint(fields=["user", "period_start"], name="payout_one_per_user_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="payout_period_ordered"),
        ]

    def __str__(self):
        return f"{self.user} {self.period_start:%Y-%m-%d}: {self.total} {self.currency}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.COMPUTED


class PayoutLine(models.Model):
    """A ledger line: how one component (or commission tier, or correction) made up the payout.
    Lines of an approved payout are never changed or deleted."""

    class Kind(models.TextChoices):
        NORMAL = "normal", _("Bonus")
        COMMISSION = "commission", _("Commission")
        CLAWBACK = "clawback", _("Clawback")
        ADJUSTMENT = "adjustment", _("Adjustment")

    payout = models.ForeignKey(Payout, verbose_name=_("payout"), on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NORMAL)
    component_key = models.CharField(_("component"), max_length=40)
    label = models.CharField(_("label"), max_length=100, blank=True)
    metric_code = models.CharField(_("metric"), max_length=200, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=2, null=True, blank=True)
    factor = models.DecimalField(_("attainment factor"), max_digits=9, decimal_places=4, null=True, blank=True)
    contribution = models.DecimalField(_("contribution"), max_digits=14, decimal_places=2)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    parts = models.JSONField(_("parts"), default=list, blank=True,
                             help_text=_("A composite's metrics: code, value and the link to their records."))
    records_url = models.CharField(_("records"), max_length=500, blank=True)
    record_ids = models.JSONField(_("record ids"), default=list, blank=True)
    corrects_period_start = models.DateField(_("corrects the period starting"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["payout", "order", "id"]
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")

    def __str__(self):
        return f"{self.label or self.component_key}: {self.contribution}"


class PayoutDispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    line = models.ForeignKey(PayoutLine, verbose_name=_("payout line"), on_delete=models.CASCADE,
                             related_name="disputes")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT,
                                  related_name="+")
    text = models.TextField(_("question"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payout dispute")
        verbose_name_plural = _("payout disputes")

    def __str__(self):
        return f"{self.line}: {self.get_status_display()}"
