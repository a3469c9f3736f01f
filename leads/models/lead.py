from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.i18n import localised
from salesops.reference import Industry, Region  # noqa: F401  (reference data of the base; still importable from here)



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
    # No index of its own: lead_owner_created_kpis (owner, created_at, scanned either way) serves every
    # lookup by owner.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="leads", db_index=False)
    # Changed only by named transitions (leads.services: touch, qualify, nurture, disqualify, conversion,
    # the pool return), never by editing.
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    disqualified_reason = models.TextField(_("disqualification reason"), blank=True)
    # Where the lead came from, beyond the channel (e.g. "Landing Page Submission"), and its last
    # recorded activity: both kept as given by the source system so rules can score them.
    origin = models.CharField(_("origin"), max_length=100, blank=True)
    source_detail = models.CharField(_("source detail"), max_length=100, blank=True,
                                     help_text=_("The source exactly as the imported file names it."))
    business_segment = models.CharField(_("business segment"), max_length=100, blank=True)
    lead_type = models.CharField(_("lead type"), max_length=100, blank=True)
    last_activity = models.CharField(_("last activity"), max_length=100, blank=True)
    total_visits = models.PositiveIntegerField(_("total site visits"), null=True, blank=True)
    time_on_site = models.PositiveIntegerField(_("time on site (seconds)"), null=True, blank=True)
    # Indexed in Meta.indexes (lead_external_ref): equality only, so no LIKE twin.
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True,
                                    help_text=_("Id of this lead in the system it was imported from."))
    # Campaign parameters of the page the lead came from (web-to-lead forms, API)
    utm_source = models.CharField(_("UTM source"), max_length=100, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    utm_term = models.CharField(_("UTM term"), max_length=100, blank=True)
    utm_content = models.CharField(_("UTM content"), max_length=100, blank=True)
    source_system = models.CharField(
        _("source system"), max_length=100, blank=True, default="", db_default="",
        help_text=_("The system the external reference is an id of (e.g. “hubspot”); an external reference is "
                    "unique per source system."))

    # Scoring (see leads.scoring): current score and grade, and the per-rule points behind them, in
    # the order of the rule set's rules (leads.selectors.explain_breakdown turns them into labels).
    score = models.IntegerField(_("score"), default=0)
    # Not indexed: a handful of values (an index would not narrow a filter), and every rescore
    # writes it; unindexed score columns let PostgreSQL update rows in place (HOT).
    grade = models.CharField(_("grade"), max_length=30, blank=True)
    score_breakdown = models.JSONField(_("score breakdown"), default=list, blank=True)
    # Not indexed: read through the lead, never searched by (deleting a draft rule set, rare,
    # scans the leads once to clear it). Not a constraint in the database either: every scoring
    # write holds its rule set until it commits (leads.services.scoring._hold_rule_set, the lock a
    # constraint's check takes, once a statement), and deleting a draft locks it first and applies
    # on_delete after; the check on every scored lead was a twentieth of an import's database time,
    # and a full rescore after a publish changes it on every lead (issue 14).
    scored_with = models.ForeignKey("RuleSet", verbose_name=_("scored with"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False,
                                    db_constraint=False)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    # Set in the same transaction as the change that needs a rescore, cleared by the rescore: a lead
    # whose queued task was lost (broker away) is found by leads_rescore_marked_task and rescored.
    rescore_needed_at = models.DateTimeField(_("needs rescore since"), null=True, blank=True,
                                             editable=False)  # partial index lead_rescore_needed

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
    created_at = models.DateTimeField(_("created at"), default=timezone.now)  # index lead_created_id
    date_unknown = models.BooleanField(
        _("date unknown"), default=False,
        help_text=_("Imported without a date: left out of every dated period, counted only over all time."))
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
            models.UniqueConstraint(fields=["source_system", "external_ref"], name="lead_external_ref_unique",
                                    condition=~models.Q(external_ref=""),
                                    violation_error_message=_("A lead with this external reference already exists "
                                                              "for this source system.")),
        ]
        # Every index here has a named reader; the update-heavy columns (score, grade, breakdown,
        # scored_with, scored_at) carry none. A rescore that changes a lead also moves its updated_at
        # (sync clients must see score changes, issue 15), so it writes the heap and lead_updated_sync
        # only. The unique lower(email) constraint above is also the one index of every email lookup
        # (leads.selectors.email_lookup_q).
        indexes = [
            models.Index(fields=["updated_at", "id"], name="lead_updated_sync"),  # sync clients' cursor
            # the lead list's default order and its keyset pages; date ranges of the dashboards
            models.Index(fields=["created_at", "id"], name="lead_created_id"),
            # import duplicate checks by the source system's id (leads.selectors.external_ref_lookup_q):
            # only leads that have one (most have none: their writes skip this index)
            models.Index(fields=["external_ref"], name="lead_external_ref", condition=~models.Q(external_ref="")),
            # leads_rescore_marked (the sweep of lost rescore tasks): only marked rows are in it
            models.Index(fields=["rescore_needed_at"], name="lead_rescore_needed",
                         condition=models.Q(rescore_needed_at__isnull=False)),
            # each rep's open leads, counted by MQL routing (leads.services.routing.rep_open_lead_counts)
            models.Index(fields=["owner"], name="lead_owner_open",
                         condition=models.Q(owner__isnull=False) & ~models.Q(status__in=["converted", "disqualified"])),
            # the lead list's source filter, the lead-quality report by source and month (leads.selectors.reports)
            models.Index(fields=["source", "created_at"], name="lead_source_created"),
            # MQL count, MQL -> opportunity and their monthly trend read leads by when they became MQL
            models.Index(fields=["mql_at"], name="lead_mql_at", condition=models.Q(mql_at__isnull=False)),
            # a rep's leads (lists newest first: read backwards; scope filters, the user deletion's SET
            # NULL); a manager's (or a rep's) dashboard: their people's leads by day created / became MQL,
            # with what the lead metrics count (index-only on PostgreSQL). The (owner, -created_at) twin
            # it replaced cost every lead write an index entry for nothing (issue 14).
            models.Index(fields=["owner", "created_at"], name="lead_owner_created_kpis",
                         include=["source", "mql_at", "converted_at", "won_at", "imported_converted", "completeness",
                                  "id"]),
            models.Index(fields=["owner", "mql_at"], name="lead_owner_mql_kpis", condition=models.Q(mql_at__isnull=False),
                         include=["source", "converted_at", "won_at", "imported_converted", "id"]),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.email else self.name


class EventType(models.Model):
    """A kind of behaviour event (configurable; the defaults come with a data migration)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Score decay (leads.scoring.behaviour_points): an event's points halve every this many days.
    half_life_days = models.PositiveIntegerField(
        _("half-life (days)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Behaviour points of this event type halve every this many days; empty: they never fade."))

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
