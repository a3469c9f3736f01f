"""Onboarding (h10): 90-day plan templates of phases and steps, and a plan of dated tasks per new hire.

A template's steps carry a day offset from the hire date, a duration, who does it (hire, mentor or
manager) and whether it is a "doing" or a "knowing" step. A step may be a *milestone*: a metric code
of the registry (salesops.metrics) and a threshold; its task is ticked by the system when the
hire's value since the start of the plan reaches the threshold (teams.services.onboarding).
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_DAY = 365
MAX_DURATION = 90


class Performer(models.TextChoices):
    HIRE = "hire", _("New hire")
    MENTOR = "mentor", _("Mentor")
    MANAGER = "manager", _("Manager")


class StepKind(models.TextChoices):
    DOING = "doing", _("Doing")
    KNOWING = "knowing", _("Knowing")


class OnboardingTemplate(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    is_default = models.BooleanField(_("default"), default=False,
                                     help_text=_("New plans use this template unless another is chosen."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("onboarding template")
        verbose_name_plural = _("onboarding templates")
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="onboarding_one_default_template")]

    def __str__(self):
        return self.name


class OnboardingPhase(models.Model):
    template = models.ForeignKey(OnboardingTemplate, verbose_name=_("template"), on_delete=models.CASCADE,
                                 related_name="phases")
    title = models.CharField(_("title"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("onboarding phase")
        verbose_name_plural = _("onboarding phases")

    def __str__(self):
        return self.title


class StepFields(models.Model):
    """What a template step and a plan task share."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    performer = models.CharField(_("who does it"), max_length=10, choices=Performer.choices, default=Performer.HIRE)
    kind = models.CharField(_("kind"), max_length=10, choices=StepKind.choices, default=StepKind.DOING)
    milestone_metric = models.CharField(_("milestone metric"), max_length=50, blank=True,
                                        help_text=_("A metric code; the task ticks itself when the hire's value "
                                                    "since the plan's start reaches the threshold."))
    milestone_threshold = models.DecimalField(_("milestone threshold"), max_digits=12, decimal_places=2, null=True,
                                              blank=True, validators=[MinValueValidator(Decimal("0"))])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True

    @property
    def is_milestone(self) -> bool:
        return bool(self.milestone_metric)


class OnboardingStep(StepFields):
    phase = models.ForeignKey(OnboardingPhase, verbose_name=_("phase"), on_delete=models.CASCADE,
                              related_name="steps")
    day_offset = models.PositiveSmallIntegerField(_("day offset"), default=0,
                                                  validators=[MaxValueValidator(MAX_DAY)],
                                                  help_text=_("Days after the hire date the step starts."))
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), default=7,
                                                     validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION)])

    class Meta:
        ordering = ["phase", "day_offset", "position", "id"]
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")

    def __str__(self):
        return self.title


class OnboardingPlan(models.Model):
    """One new hire's plan, made from a template at the hire date; its tasks are copies of the steps."""

    hire = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("new hire"), on_delete=models.CASCADE,
                                related_name="onboarding_plan")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("mentor"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="mentee_plans")
    template = models.ForeignKey(OnboardingTemplate, verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="plans")
    start_date = models.DateField(_("start date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True,
                                     help_text=_("A closed plan is kept for the figures; the mentor no longer "
                                                 "reads the hire's records."))
    first_deal_on = models.DateField(_("first deal on"), null=True, blank=True)
    ramped_month = models.DateField(_("ramped in month"), null=True, blank=True,
                                    help_text=_("First month with quota attainment of 100 % or more."))
    ramp_months = models.PositiveSmallIntegerField(_("months to ramp"), null=True, blank=True)
    ramp_checked_month = models.DateField(_("ramp checked up to"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("onboarding plan")
        verbose_name_plural = _("onboarding plans")
        indexes = [models.Index(fields=["mentor", "closed_at"], name="onboarding_plan_mentor")]

    def __str__(self):
        return str(self.hire)

    @property
    def time_to_first_deal_days(self) -> int | None:
        return (self.first_deal_on - self.start_date).days if self.first_deal_on else None


class OnboardingTask(StepFields):
    plan = models.ForeignKey(OnboardingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    phase_title = models.CharField(_("phase"), max_length=100, blank=True)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    reached_on = models.DateField(_("reached on"), null=True, blank=True,
                                  help_text=_("For a milestone: the day the hire's value reached the threshold."))
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan", "due_on", "position", "id"]
        verbose_name = _("onboarding task")
        verbose_name_plural = _("onboarding tasks")
        indexes = [models.Index(fields=["plan", "done_at"], name="onboarding_task_open")]
        constraints = [models.CheckConstraint(condition=Q(due_on__gte=models.F("starts_on")),
                                              name="onboarding_task_dates_ordered")]

    def __str__(self):
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today) -> bool:
        return self.done_at is None and self.due_on < today
