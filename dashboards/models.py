"""KPI snapshots (immutable metric values per scope and period) and SMART goals."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ScopeLevel(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    TEAM = "team", _("Team")
    REP = "rep", _("Rep")


class KpiSnapshot(models.Model):
    """The value of one registered metric for one scope over one period, as computed at `computed_at`.

    Rows are immutable: written once (bulk, ignoring conflicts) and never updated, so a second run of
    the same job changes nothing. `scope_id` is the team id (scope team), the rep's user id (scope rep)
    or 0 (organisation): a plain integer, so the history outlives a deleted team or user and the
    unique key holds on every database (no NULLs in it). A period is whole days [start, end]; a
    month snapshot taken on the 10th covers the 1st to the 10th (month to date), hence `end` in the key.
    """

    class Kind(models.TextChoices):
        DAY = "day", _("Day")
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")

    metric = models.CharField(_("metric"), max_length=60)
    scope = models.CharField(_("scope"), max_length=20, choices=ScopeLevel.choices)
    scope_id = models.PositiveIntegerField(_("team or rep id"), default=0)
    period_kind = models.CharField(_("period"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    count = models.BigIntegerField(_("records"), null=True, blank=True)
    per_currency = models.JSONField(_("amounts per currency"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["metric", "scope", "scope_id", "period_kind", "period_start", "period_end"]
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            models.UniqueConstraint(fields=["metric", "scope", "scope_id", "period_kind", "period_start", "period_end"],
                                    name="kpi_snapshot_one_per_metric_scope_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="kpi_snapshot_period_ordered"),
        ]
        indexes = [models.Index(fields=["metric", "scope", "scope_id", "period_kind", "-period_start"],
                                name="kpi_snapshot_trend")]

    def __str__(self):
        return f"{self.metric} {self.scope}:{self.scope_id} {self.period_start}..{self.period_end} = {self.value}"

    @property
    def team_id(self):
        return self.scope_id if self.scope == ScopeLevel.TEAM else None

    @property
    def owner_id(self):
        return self.scope_id if self.scope == ScopeLevel.REP else None


class SnapshotJob(models.Model):
    """An on-demand snapshot run (page button, API): queued -> running -> done | failed, with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    metric = models.CharField(_("metric"), max_length=60, blank=True, help_text=_("Empty: every metric."))
    total = models.PositiveIntegerField(_("steps"), default=0)
    processed = models.PositiveIntegerField(_("steps done"), default=0)
    written = models.PositiveIntegerField(_("snapshots written"), default=0)
    error = models.TextField(_("failure reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("snapshot job")
        verbose_name_plural = _("snapshot jobs")

    def __str__(self):
        return f"{self.start}..{self.end} {self.metric or '*'} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return 0 if not self.total else min(100, self.processed * 100 // self.total)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Goal(models.Model):
    """A SMART goal: move `metric` for a scope from `baseline` to `target` between `start` and `deadline`.

    `better` is copied from the metric when the goal is set. `pace` is the last evaluation
    (dashboards.goals.pace), kept so that a notification goes out once per turn to "at risk".
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ACHIEVED = "achieved", _("Achieved")
        MISSED = "missed", _("Missed")

    class Pace(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        BEHIND = "behind", _("Behind")
        AT_RISK = "at_risk", _("At risk")

    class BaselineSource(models.TextChoices):
        SNAPSHOT = "snapshot", _("KPI snapshot")
        COMPUTED = "computed", _("Computed")
        GIVEN = "given", _("Given")

    metric = models.CharField(_("metric"), max_length=60)
    scope = models.CharField(_("scope"), max_length=20, choices=ScopeLevel.choices, default=ScopeLevel.ORGANISATION)
    team = models.ForeignKey("teams.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="goals")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="goals")
    baseline = models.DecimalField(_("baseline"), max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_source = models.CharField(_("baseline from"), max_length=20, choices=BaselineSource.choices,
                                       default=BaselineSource.GIVEN)
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    better = models.CharField(_("better"), max_length=4, choices=[("up", _("Higher")), ("down", _("Lower"))])
    start = models.DateField(_("start"))
    deadline = models.DateField(_("deadline"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    pace = models.CharField(_("pace"), max_length=20, choices=Pace.choices, blank=True)
    current = models.DecimalField(_("last value"), max_digits=20, decimal_places=4, null=True, blank=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["deadline", "metric", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gt=F("start")), name="goal_deadline_after_start"),
            models.CheckConstraint(
                condition=(Q(scope="organisation", team__isnull=True, owner__isnull=True)
                           | Q(scope="team", team__isnull=False, owner__isnull=True)
                           | Q(scope="rep", team__isnull=True, owner__isnull=False)),
                name="goal_scope_matches_team_owner"),
        ]

    def __str__(self):
        return f"{self.metric}: {self.baseline} -> {self.target} by {self.deadline}"

    @property
    def scope_id(self) -> int:
        return self.team_id or self.owner_id or 0


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
