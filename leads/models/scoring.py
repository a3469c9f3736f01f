from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region  # noqa: F401  (reference data of the base; still importable from here)

from .. import scoring as scoring_bounds
from .lead import EventType, Lead


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
        from ..scoring import attribute_rule_errors

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
        DECAY = "decay", _("Behaviour points faded with time")

    # An append-only history: its references are not constraints in the database (as
    # integrations.ChangeEvent.owner; Django applies on_delete). Writers hold the lead (the rescore
    # writes history only for the rows its UPDATE has just locked; an import for its own new leads)
    # and the rule set (_hold_rule_set: FOR KEY SHARE until the commit; deleting a draft locks it
    # first). Two checks per row at commit cost a fifth of a lead import's database time (issue 14).
    # `lead` is indexed by score_change_lead.
    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="score_changes",
                             db_constraint=False, db_index=False)
    score = models.IntegerField(_("score"))
    grade = models.CharField(_("grade"), max_length=30)
    breakdown = models.JSONField(_("breakdown"), default=list)
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), null=True, on_delete=models.SET_NULL,
                                 related_name="+", db_constraint=False)
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
    # A chunked job (large tables): its id ranges are RescoreChunk rows that any number of workers
    # claim; 0 for a job run batch by batch by one worker (last_id/max_id).
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rescore job")
        verbose_name_plural = _("rescore jobs")

    @property
    def percent(self) -> int:
        if self.chunks_total:
            return min(100, self.chunks_done * 100 // self.chunks_total)
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class RescoreChunk(models.Model):
    """One id range of a chunked rescore job, claimed by one worker at a time (leads.services.scoring).

    `attempts` counts claims and is the claim's token: a worker writes its chunk only while the row
    still carries the attempt it claimed, so a chunk reclaimed from a worker that was presumed dead
    is never finished twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    job = models.ForeignKey(RescoreJob, verbose_name=_("rescore job"), on_delete=models.CASCADE, related_name="chunks")
    lo = models.BigIntegerField(_("first lead id"))
    hi = models.BigIntegerField(_("last lead id"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    processed = models.PositiveIntegerField(_("leads scored"), default=0)
    changed = models.PositiveIntegerField(_("leads changed"), default=0)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        # not ["job", ...]: ordering by the foreign key would join leads_rescorejob, and a chunk's
        # SELECT ... FOR UPDATE would then lock the job row too (every worker waiting on every other)
        ordering = ["lo"]
        verbose_name = _("rescore chunk")
        verbose_name_plural = _("rescore chunks")
        # the claim query: a job's pending (or stale running) chunks in id order
        indexes = [models.Index(fields=["job", "status", "lo"], name="rescore_chunk_claim")]
        constraints = [models.UniqueConstraint(fields=["job", "lo"], name="rescore_chunk_job_lo_unique")]

    def __str__(self):
        return f"{self.lo}–{self.hi}"
