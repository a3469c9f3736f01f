"""Leads: people and companies marketing and sales work before there is an opportunity."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from salesops.i18n import localised
from salesops.reference import Industry, Region  # noqa: F401  (reference data of the base; still importable from here)
from salesops.jobs import ImportJobBase

from . import scoring as scoring_bounds


class Source(models.TextChoices):
    WEBSITE = "website", _("Website")
    WEBINAR = "webinar", _("Webinar")
    TRADE_SHOW = "trade_show", _("Trade show")
    REFERRAL = "referral", _("Referral")
    PAID_SEARCH = "paid_search", _("Paid search")
    SOCIAL = "social", _("Social media")
    EMAIL = "email_campaign", _("Email campaign")
    PARTNER = "partner", _("Partner")
    COLD_CALL = "cold_call", _("Cold call")
    OTHER = "other", _("Other")


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        WORKING = "working", _("Working")
        NURTURING = "nurturing", _("Nurturing")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        DISQUALIFIED = "disqualified", _("Disqualified")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    company_size = models.PositiveIntegerField(
        _("company size"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10_000_000)],
        help_text=_("Number of employees."),
    )
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=30, choices=Source.choices, default=Source.WEBSITE)
    consent = models.BooleanField(_("marketing consent"), default=False)
    do_not_email = models.BooleanField(_("do not email"), default=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="leads")
    # Changed only by named transitions (leads.services: touch, qualify, nurture, disqualify, conversion,
    # the pool return), never by editing.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    disqualified_reason = models.TextField(_("disqualification reason"), blank=True)
    # Where the lead came from, beyond the channel (e.g. "Landing Page Submission"), and its last
    # recorded activity: both kept as given by the source system so rules can score them.
    origin = models.CharField(_("origin"), max_length=100, blank=True)
    last_activity = models.CharField(_("last activity"), max_length=100, blank=True)
    total_visits = models.PositiveIntegerField(_("total site visits"), null=True, blank=True)
    time_on_site = models.PositiveIntegerField(_("time on site (seconds)"), null=True, blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True, db_index=True,
                                    help_text=_("Id of this lead in the system it was imported from."))

    # Scoring (see leads.scoring): current score and grade, and the per-rule points behind them, in
    # the order of the rule set's rules (leads.selectors.explain_breakdown turns them into labels).
    score = models.IntegerField(_("score"), default=0)
    grade = models.CharField(_("grade"), max_length=30, blank=True, db_index=True)
    score_breakdown = models.JSONField(_("score breakdown"), default=list, blank=True)
    scored_with = models.ForeignKey("RuleSet", verbose_name=_("scored with"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    # Set in the same transaction as the change that needs a rescore, cleared by the rescore: a lead
    # whose queued task was lost (broker away) is found by leads_rescore_marked_task and rescored.
    rescore_needed_at = models.DateTimeField(_("needs rescore since"), null=True, blank=True, db_index=True,
                                             editable=False)

    # Funnel milestones (set by routing and by the pipeline when the lead converts / wins).
    mql_at = models.DateTimeField(_("reached top grade at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    first_touch_due_at = models.DateTimeField(_("first touch due"), null=True, blank=True)
    first_touched_at = models.DateTimeField(_("first touched at"), null=True, blank=True)
    sla_breached_at = models.DateTimeField(_("SLA breached at"), null=True, blank=True)
    pool_warning_at = models.DateTimeField(_("pool return warned at"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted to opportunity at"), null=True, blank=True)
    won_at = models.DateTimeField(_("won at"), null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(
        _("data completeness"), default=0, help_text=_("Share of profile fields filled, in percent."))
    # Imported history: what the source system recorded, never a conversion done here (no deal
    # behind it; status, converted_at and won_at stay ours). None: the source said nothing.
    imported_from = models.CharField(_("imported from"), max_length=100, blank=True,
                                     help_text=_("The import (mapping or file) this lead came from."))
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    imported_converted = models.BooleanField(
        _("converted per the source"), null=True, blank=True,
        help_text=_("The outcome the imported file recorded (converted and won); empty when it said nothing."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency, as on deals: every service write bumps it; a caller that sends the
    # version it read gets a conflict (HTTP 409) when the lead changed since.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="lead_email_unique_ci", condition=~models.Q(email=""),
                                    violation_error_message=_("A lead with this email already exists.")),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="lead_owner_created"),
            models.Index(fields=["source", "created_at"], name="lead_source_created"),
            # MQL count, MQL -> opportunity and their monthly trend read leads by when they became MQL
            models.Index(fields=["mql_at"], name="lead_mql_at", condition=models.Q(mql_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.email else self.name


class EventType(models.Model):
    """A kind of behaviour event (configurable; the defaults come with a data migration)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("event type")
        verbose_name_plural = _("event types")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return localised(self, "name")


class LeadEvent(models.Model):
    """A behaviour event of one lead. `external_id` makes ingestion idempotent (retried webhooks).

    An external id is unique per source of events: per `posted_by` (the user or integration that
    posted it through the API), and among the events the app records itself (`posted_by` empty:
    nurture clicks, demo data, events stored before posters were recorded). Another poster's
    event with the same id is a different event.
    """

    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="events")
    event_type = models.ForeignKey(EventType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField(_("occurred at"))
    external_id = models.CharField(_("external id"), max_length=200, null=True, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  help_text=_("The user or integration that posted the event; empty for events "
                                              "the app records itself."))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("behaviour event")
        verbose_name_plural = _("behaviour events")
        constraints = [
            models.UniqueConstraint(fields=["posted_by", "external_id"], name="lead_event_poster_external_id_unique",
                                    condition=models.Q(external_id__isnull=False, posted_by__isnull=False)),
            models.UniqueConstraint(fields=["external_id"], name="lead_event_app_external_id_unique",
                                    condition=models.Q(external_id__isnull=False, posted_by__isnull=True)),
        ]
        indexes = [models.Index(fields=["lead", "event_type", "occurred_at"], name="lead_event_lookup")]

    def __str__(self):
        return f"{self.event_type_id} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class RuleSet(models.Model):
    """A versioned scoring model. Marketing edits drafts; exactly one set is published at a time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("scoring rule set")
        verbose_name_plural = _("scoring rule sets")
        constraints = [models.UniqueConstraint(fields=["status"], condition=models.Q(status="published"),
                                               name="one_published_rule_set")]

    def __str__(self):
        return f"v{self.version} {self.name} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


# Bounds of rule values come from leads.scoring (one place); the admin forms and the API
# serializers get them from these validators, the services through full_clean().
POINTS_VALIDATORS = [MinValueValidator(-scoring_bounds.MAX_POINTS), MaxValueValidator(scoring_bounds.MAX_POINTS)]


class AttributeRule(models.Model):
    class Field(models.TextChoices):
        INDUSTRY = "industry", _("Industry")
        COMPANY_SIZE = "company_size", _("Company size")
        REGION = "region", _("Region")
        JOB_TITLE = "job_title", _("Job title")
        SOURCE = "source", _("Source")
        COMPANY = "company", _("Company")
        ORIGIN = "origin", _("Origin")
        LAST_ACTIVITY = "last_activity", _("Last activity")
        TOTAL_VISITS = "total_visits", _("Total site visits")
        TIME_ON_SITE = "time_on_site", _("Time on site (seconds)")

    class Operator(models.TextChoices):
        EQUALS = "equals", _("equals")
        IN = "in", _("is one of")
        GREATER_THAN = "gt", _("greater than")
        LESS_THAN = "lt", _("less than")
        CONTAINS = "contains", _("contains")
        IS_SET = "is_set", _("is set")

    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE,
                                 related_name="attribute_rules")
    field = models.CharField(_("field"), max_length=30, choices=Field.choices)
    operator = models.CharField(_("operator"), max_length=10, choices=Operator.choices)
    value = models.JSONField(_("value"), null=True, blank=True,
                             help_text=_('A number for greater/less than, a list for "is one of", text otherwise.'))
    points = models.IntegerField(_("points"), validators=POINTS_VALIDATORS)
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["rule_set", "id"]
        verbose_name = _("attribute rule")
        verbose_name_plural = _("attribute rules")

    def __str__(self):
        return self.label or f"{self.field} {self.operator} {self.value_display}"

    @property
    def value_display(self) -> str:
        if isinstance(self.value, list):
            return ", ".join(str(v) for v in self.value)
        return "" if self.value is None else str(self.value)

    ERROR_MESSAGES = {
        "unknown_field": _("Unknown field."),
        "unknown_operator": _("Unknown operator."),
        "needs_numeric_field": _("“greater than” and “less than” only work on numeric fields."),
        "needs_text_field": _("“contains” only works on text fields."),
        "needs_number": _("Enter a number between -%(number)s and %(number)s."),
        "needs_list": _("Enter a non-empty list, e.g. [\"technology\", \"finance\"]."),
        "needs_number_list": _("Enter a list of numbers."),
        "needs_text_list": _("Enter a list of non-empty texts of at most %(text)s characters each."),
        "needs_text": _("Enter a non-empty text of at most %(text)s characters."),
        "list_too_long": _("Enter at most %(items)s values."),
    }

    def clean(self):
        from .scoring import attribute_rule_errors

        errors = attribute_rule_errors(self.field, self.operator, self.value)
        limits = {"text": scoring_bounds.MAX_TEXT_LENGTH, "items": scoring_bounds.MAX_LIST_ITEMS,
                  "number": scoring_bounds.MAX_NUMBER}
        if errors:
            raise ValidationError({part: str(self.ERROR_MESSAGES[code]) % limits for part, code in errors.items()})


class BehaviourRule(models.Model):
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE,
                                 related_name="behaviour_rules")
    event_type = models.ForeignKey(EventType, verbose_name=_("event type"), on_delete=models.PROTECT,
                                   related_name="+")
    points = models.IntegerField(_("points per event"), validators=POINTS_VALIDATORS)
    max_count = models.PositiveIntegerField(
        _("count at most"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(scoring_bounds.MAX_COUNT)],
        help_text=_("Events beyond this number earn nothing. Empty: no cap."))
    window_days = models.PositiveIntegerField(
        _("within the last days"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(scoring_bounds.MAX_WINDOW_DAYS)],
        help_text=_("Older events stop counting. Empty: forever."))
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["rule_set", "id"]
        verbose_name = _("behaviour rule")
        verbose_name_plural = _("behaviour rules")

    def __str__(self):
        return self.label or f"{self.event_type_id} x{self.points}"


class GradeBand(models.Model):
    """A grade: leads whose score is at least `lower_bound` (and below the next band) get `name`."""

    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="grades")
    name = models.CharField(_("name"), max_length=30)
    lower_bound = models.IntegerField(
        _("lower bound"), null=True, blank=True,
        validators=[MinValueValidator(-scoring_bounds.MAX_GRADE_BOUND), MaxValueValidator(scoring_bounds.MAX_GRADE_BOUND)],
        help_text=_("Empty for the lowest grade (every other score)."))

    class Meta:
        ordering = ["rule_set", models.F("lower_bound").desc(nulls_last=True)]
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        constraints = [models.UniqueConstraint(fields=["rule_set", "name"], name="grade_name_unique_per_set")]

    def __str__(self):
        return self.name


class ScoreChange(models.Model):
    """Score and grade history of a lead: one row each time either changes."""

    class Reason(models.TextChoices):
        DATA = "data", _("Lead data changed")
        EVENT = "event", _("Behaviour event")
        PUBLISH = "publish", _("Rule set published")
        IMPORT = "import", _("Import")

    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="score_changes")
    score = models.IntegerField(_("score"))
    grade = models.CharField(_("grade"), max_length=30)
    breakdown = models.JSONField(_("breakdown"), default=list)
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        indexes = [models.Index(fields=["lead", "-created_at"], name="score_change_lead")]


class RescoreJob(models.Model):
    """Progress of a set-based rescore of every lead (after publishing a rule set)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("leads to score"), default=0)
    processed = models.PositiveIntegerField(_("leads scored"), default=0)
    changed = models.PositiveIntegerField(_("leads changed"), default=0)
    last_id = models.BigIntegerField(_("last lead id done"), default=0)
    max_id = models.BigIntegerField(_("highest lead id"), default=0)
    error = models.TextField(_("error"), blank=True)
    # The rule set that was published before this one: it is published again if this job fails.
    previous_rule_set = models.ForeignKey(RuleSet, verbose_name=_("previous rule set"), null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True,
                                        help_text=_("Updated with every batch; a running job silent for too "
                                                    "long is resumed by the sweeper."))
    attempts = models.PositiveSmallIntegerField(_("resumptions"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rescore job")
        verbose_name_plural = _("rescore jobs")

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class RoutingRule(models.Model):
    """Which team's reps receive a new top-grade lead. Rules are tried by priority; the first match wins."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower runs first."))
    is_active = models.BooleanField(_("active"), default=True)
    territory = models.ForeignKey("teams.Territory", verbose_name=_("territory"), null=True, blank=True,
                                  on_delete=models.CASCADE, help_text=_("Match leads in this territory's regions."))
    industries = models.JSONField(_("industries"), default=list, blank=True, help_text=_("Empty: any industry."))
    min_company_size = models.PositiveIntegerField(_("company size at least"), null=True, blank=True)
    max_company_size = models.PositiveIntegerField(_("company size at most"), null=True, blank=True)
    team = models.ForeignKey("teams.Team", verbose_name=_("team"), on_delete=models.CASCADE,
                             help_text=_("Round-robin among this team's available reps."))

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """Audit of every lead assignment: who got it, why, and by whom (empty: by the router)."""

    # SET_NULL: assignments are an audit trail and outlive a deleted lead (see LeadAudit).
    lead = models.ForeignKey(Lead, verbose_name=_("lead"), null=True, on_delete=models.SET_NULL,
                             related_name="assignments")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="lead_assignments",
                            help_text=_("Empty: the lead went to the managers' queue."))
    previous_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("previous owner"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(RoutingRule, verbose_name=_("routing rule"), null=True, blank=True,
                             on_delete=models.SET_NULL)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")


class LeadAudit(models.Model):
    """Audit of lead writes that leave no other trace (deletion, status transitions).

    `lead_id` is a plain number, not a foreign key, so that the entry outlives a deleted lead;
    `lead_repr` keeps what the lead was called.
    """

    class Action(models.TextChoices):
        DELETED = "deleted", _("Deleted")
        QUALIFIED = "qualified", _("Qualified")
        NURTURING = "nurturing", _("Moved to nurturing")
        DISQUALIFIED = "disqualified", _("Disqualified")

    lead_id = models.PositiveBigIntegerField(_("lead id"), db_index=True)
    lead_repr = models.CharField(_("lead"), max_length=500)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead audit entry")
        verbose_name_plural = _("lead audit entries")

    def __str__(self):
        return f"{self.get_action_display()}: {self.lead_repr}"


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


class LeadImportJob(ImportJobBase):
    """A CSV import of leads run in the background: a preview (check only) or the import itself."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    preview_of = models.ForeignKey("self", verbose_name=_("confirms the preview"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta(ImportJobBase.Meta):
        verbose_name = _("lead import job")
        verbose_name_plural = _("lead import jobs")


class ImportMapping(models.Model):
    """How the columns of one source's CSV files map to lead fields (saved per source)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    columns = models.JSONField(_("columns"), default=dict,
                               help_text=_("Lead field -> CSV column name (or a template like 'Lead {Lead Number}')."))
    values = models.JSONField(_("value maps"), default=dict, blank=True,
                              help_text=_("Lead field -> {CSV value: our value}, e.g. source names to source codes."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self):
        return self.name
