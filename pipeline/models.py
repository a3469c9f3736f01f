"""Pipeline: opportunities moving through stages whose gates are data (configured in the admin).

Writes go through pipeline.services (one transition service guards every path: pages, API, admin,
bulk actions, import). Gate logic itself is pure: pipeline.gates.
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.i18n import localised
from salesops.jobs import ImportJobBase


PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Stage(models.Model):
    """A pipeline stage. Order decides the forward sequence; closed stages end a deal."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), unique=True)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), validators=PERCENT)
    is_won = models.BooleanField(_("closed won"), default=False)
    is_lost = models.BooleanField(_("closed lost"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [models.CheckConstraint(condition=~(Q(is_won=True) & Q(is_lost=True)),
                                              name="stage_not_won_and_lost")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return localised(self, "name")

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class ChecklistItem(models.Model):
    """An item reps tick on an opportunity while it is in `stage` (gates may require it)."""

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="checklist_items")
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["stage__order", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return localised(self, "name")


class GateCriterion(models.Model):
    """One entry or exit criterion of a stage, evaluated by pipeline.gates."""

    class AppliesOn(models.TextChoices):
        ENTRY = "entry", _("Entering the stage")
        EXIT = "exit", _("Leaving the stage")

    class Kind(models.TextChoices):
        REQUIRED_FIELD = "required_field", _("Required field filled")
        CHECKLIST_ITEM = "checklist_item", _("Checklist item ticked")
        RELATED_RECORD = "related_record", _("Related record present")
        MANAGER_APPROVAL = "manager_approval", _("Manager approval")

    class Field(models.TextChoices):
        CONFIRMED_NEEDS = "confirmed_needs", _("Confirmed needs")
        DECISION_MAKERS = "decision_makers", _("Decision makers")
        NEXT_STEP = "next_step", _("Next step")
        AMOUNT = "amount", _("Amount above zero")
        EXPECTED_CLOSE_DATE = "expected_close_date", _("Expected close date")
        PRODUCTS = "products", _("At least one product")
        COMPETITORS = "competitors", _("Competitors")
        LOSS_REASON = "loss_reason", _("Loss reason")
        LOSS_COMPETITOR = "loss_competitor", _("Competitor (when the loss reason needs one)")

    class Record(models.TextChoices):
        MEETING = "meeting", _("A meeting logged for the opportunity")
        INTERACTION = "interaction", _("Any interaction logged for the opportunity")
        CONTACT = "contact", _("A contact at the account")

    class Approval(models.TextChoices):
        DISCOUNT = "discount", _("Discount above the configured limit")

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="criteria")
    applies_on = models.CharField(_("applies on"), max_length=10, choices=AppliesOn.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    field = models.CharField(_("field"), max_length=30, choices=Field.choices, blank=True)
    checklist_item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="criteria")
    record = models.CharField(_("related record"), max_length=20, choices=Record.choices, blank=True)
    approval = models.CharField(_("approval"), max_length=20, choices=Approval.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["stage__order", "applies_on", "id"]
        verbose_name = _("gate criterion")
        verbose_name_plural = _("gate criteria")

    def __str__(self):
        target = {
            self.Kind.REQUIRED_FIELD: self.get_field_display(),
            self.Kind.CHECKLIST_ITEM: str(self.checklist_item) if self.checklist_item_id else "",
            self.Kind.RELATED_RECORD: self.get_record_display(),
            self.Kind.MANAGER_APPROVAL: self.get_approval_display(),
        }.get(self.kind, "")
        return f"{self.get_applies_on_display()}: {self.get_kind_display()} – {target}"

    @property
    def target(self) -> str:
        if self.kind == self.Kind.CHECKLIST_ITEM:
            return str(self.checklist_item_id or "")
        return {self.Kind.REQUIRED_FIELD: self.field, self.Kind.RELATED_RECORD: self.record,
                self.Kind.MANAGER_APPROVAL: self.approval}.get(self.kind, "")

    def clean(self):
        needed = {
            self.Kind.REQUIRED_FIELD: ("field", bool(self.field)),
            self.Kind.CHECKLIST_ITEM: ("checklist_item", bool(self.checklist_item_id)),
            self.Kind.RELATED_RECORD: ("record", bool(self.record)),
            self.Kind.MANAGER_APPROVAL: ("approval", bool(self.approval)),
        }
        if self.kind in needed and not needed[self.kind][1]:
            raise ValidationError({needed[self.kind][0]: _("This criterion kind needs this value.")})


class SpinQuestion(models.Model):
    """SPIN selling guidance shown on opportunities in a stage."""

    class Kind(models.TextChoices):
        SITUATION = "situation", _("Situation")
        PROBLEM = "problem", _("Problem")
        IMPLICATION = "implication", _("Implication")
        NEED_PAYOFF = "need_payoff", _("Need-payoff")

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="spin_questions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    text_zh_hans = models.CharField(_("question (Simplified Chinese)"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["stage__order", "order", "id"]
        verbose_name = _("SPIN question")
        verbose_name_plural = _("SPIN questions")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return localised(self, "text")


class Competitor(models.Model):
    """A competitor with its battlecard (edited in the admin)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    website = models.URLField(_("website"), blank=True)
    value_proposition = models.TextField(_("our value proposition against them"), blank=True)
    objection_answers = models.TextField(_("answers to standard objections"), blank=True,
                                         help_text=_("One objection and its answer per paragraph."))
    strengths = models.TextField(_("their strengths"), blank=True)
    weaknesses = models.TextField(_("their weaknesses"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self):
        return self.name


class LossReason(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100, blank=True)
    requires_competitor = models.BooleanField(_("requires the competitor"), default=False,
                                              help_text=_("E.g. “lost to a competitor”: closing needs the competitor."))
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("loss reason")
        verbose_name_plural = _("loss reasons")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return localised(self, "name")


class Product(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(_("code"), max_length=50, blank=True)
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                     validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    margin_percent = models.DecimalField(_("margin (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
                                         validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))])
    is_high_margin = models.BooleanField(_("high-margin line"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name


class Opportunity(models.Model):
    class ForecastCategory(models.TextChoices):
        PIPELINE = "pipeline", _("Pipeline")
        BEST_CASE = "best_case", _("Best case")
        COMMIT = "commit", _("Commit")

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey("customers.Account", verbose_name=_("account"), on_delete=models.PROTECT,
                                related_name="opportunities")
    contact = models.ForeignKey("customers.Contact", verbose_name=_("main contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="opportunities")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="opportunities")
    team = models.ForeignKey("teams.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="opportunities", help_text=_("The owner's team when the deal was created."))
    lead = models.ForeignKey("leads.Lead", verbose_name=_("converted lead"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="opportunities")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities")
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)

    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                 validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
                                           validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    products = models.ManyToManyField(Product, verbose_name=_("products"), through="OpportunityLine", blank=True,
                                      related_name="opportunities")

    # Forecast provenance: three probabilities, none overwriting another.
    stage_probability = models.PositiveSmallIntegerField(_("stage probability (%)"), default=0, validators=PERCENT)
    model_probability = models.PositiveSmallIntegerField(_("model probability (%)"), null=True, blank=True,
                                                         validators=PERCENT)
    rep_probability = models.PositiveSmallIntegerField(_("rep probability (%)"), null=True, blank=True,
                                                       validators=PERCENT)
    forecast_category = models.CharField(_("forecast category"), max_length=20, choices=ForecastCategory.choices,
                                         default=ForecastCategory.PIPELINE)

    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    confirmed_needs = models.TextField(_("confirmed needs"), blank=True)
    need_tags = models.JSONField(_("need tags"), default=list, blank=True)
    decision_makers = models.TextField(_("decision makers"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    competitors = models.ManyToManyField(Competitor, verbose_name=_("competitors"), blank=True,
                                         related_name="opportunities")
    loss_reason = models.ForeignKey(LossReason, verbose_name=_("loss reason"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="opportunities")
    loss_note = models.TextField(_("loss note"), blank=True)

    stalled_at = models.DateTimeField(_("stalled since"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True, db_index=True,
                                    help_text=_("Id of this deal in the system it was imported from."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["stage", "expected_close_date"], name="opp_stage_close"),
            models.Index(fields=["stage", "closed_at"], name="opp_stage_closed"),
            models.Index(fields=["owner", "stage"], name="opp_owner_stage"),
            models.Index(fields=["team", "stage"], name="opp_team_stage"),
            models.Index(fields=["closed_at"], name="opp_closed"),
            models.Index(fields=["created_at"], name="opp_created"),
            # The funnel reads deals by the date they entered their current stage (= closed_at for
            # closed deals); the index also holds the stage and amount, so it covers the query
            # (index-only scan on PostgreSQL; a key-column index works on SQLite too).
            models.Index(fields=["stage_entered_at", "stage", "amount"], name="opp_funnel"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="opp_amount_not_negative"),
            models.CheckConstraint(condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                                   name="opp_discount_percent_range"),
        ]

    def __str__(self):
        return self.name


class OpportunityLine(models.Model):
    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="lines")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=Decimal("1"),
                                   validators=[MinValueValidator(Decimal("0"))])
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0"))])
    margin_percent = models.DecimalField(_("margin (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
                                         validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))])

    class Meta:
        ordering = ["opportunity", "id"]
        verbose_name = _("opportunity line")
        verbose_name_plural = _("opportunity lines")

    def __str__(self):
        return f"{self.product} x {self.quantity}"

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price


class ChecklistTick(models.Model):
    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="checklist_ticks")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), on_delete=models.CASCADE,
                             related_name="ticks")
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ticked by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    ticked_at = models.DateTimeField(_("ticked at"), default=timezone.now)

    class Meta:
        verbose_name = _("checklist tick")
        verbose_name_plural = _("checklist ticks")
        constraints = [models.UniqueConstraint(fields=["opportunity", "item"], name="checklist_tick_unique")]


class OpportunityInteraction(models.Model):
    """Links a logged interaction (customers' log) to the deal it was about.

    Pipeline points at customers, never the other way (ARCHITECTURE.md): an interaction knows its
    account and contact; which deal it served is pipeline's record. Deleting the deal keeps the
    interaction (only the link goes); an interaction serves at most one deal.
    """

    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="interaction_links")
    interaction = models.OneToOneField("customers.Interaction", verbose_name=_("interaction"),
                                       on_delete=models.CASCADE, related_name="opportunity_link")

    class Meta:
        verbose_name = _("deal interaction")
        verbose_name_plural = _("deal interactions")

    def __str__(self):
        return f"{self.opportunity} – {self.interaction}"


class StageTransition(models.Model):
    """Append-only stage ledger: every stage change with who, when, why and the deal's value then.

    Nothing deletes ledger rows. Deleting a deal (pipeline.services.opportunity_delete) empties
    `opportunity` (SET_NULL, as leads.Assignment does for a deleted lead); `opportunity_ref` keeps
    the deal's id (copied when the row is written) and `opportunity_name` its name at deletion.
    Figures read the ledger through live deals only (pipeline.selectors), so an orphaned row counts
    nowhere: the funnel and the forecast look as if the deleted deal had never existed.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        MOVE = "move", _("Move")
        BACKWARD = "backward", _("Moved back")
        OVERRIDE = "override", _("Admin override")
        IMPORTED = "imported", _("Imported")
        CORRECTION = "correction", _("Admin correction of a closed deal")

    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="transitions",
                                    help_text=_("Empty: the deal was deleted (see the deal id)."))
    opportunity_ref = models.PositiveBigIntegerField(_("deal id"), db_index=True,
                                                     help_text=_("The deal's id, kept after the deal is deleted."))
    opportunity_name = models.CharField(_("deleted deal's name"), max_length=200, blank=True,
                                        help_text=_("Filled when the deal is deleted."))
    from_stage = models.ForeignKey(Stage, verbose_name=_("from stage"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), validators=PERCENT)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MOVE)

    class Meta:
        ordering = ["opportunity", "at", "id"]
        verbose_name = _("stage transition")
        verbose_name_plural = _("stage transitions")
        indexes = [
            models.Index(fields=["opportunity", "at"], name="transition_opp_at"),
            models.Index(fields=["to_stage", "at"], name="transition_stage_at"),
            # time in stage: the deals that moved in a period (pipeline.selectors.stage_stays)
            models.Index(fields=["at"], name="transition_at"),
        ]
        constraints = [
            # The ref is the deal's id while the deal exists (and stays when it is deleted).
            models.CheckConstraint(condition=Q(opportunity__isnull=True) | Q(opportunity_ref=F("opportunity")),
                                   name="transition_ref_is_the_deal"),
        ]

    def __str__(self):
        return f"{self.from_stage or '—'} → {self.to_stage} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.opportunity_ref is None:  # bulk_create callers set it themselves (pipeline.importing)
            self.opportunity_ref = self.opportunity_id
        super().save(*args, **kwargs)

    @property
    def is_orphaned(self) -> bool:
        """The deal was deleted; the row stays in the ledger."""
        return self.opportunity_id is None


class Approval(models.Model):
    """A manager approval asked for an opportunity (e.g. a discount above the limit)."""

    class Kind(models.TextChoices):
        DISCOUNT = "discount", _("Discount")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn (the deal changed after the request)")

    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="approvals")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISCOUNT)
    value = models.DecimalField(_("value asked"), max_digits=14, decimal_places=2, null=True, blank=True,
                                help_text=_("E.g. the discount in percent this approval covers."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [models.UniqueConstraint(fields=["opportunity", "kind"], condition=Q(status="pending"),
                                               name="approval_one_pending_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class StageWinRate(models.Model):
    """The learnt model: frequency-based win rate per team (or organisation-wide) and open stage.

    Recomputed set-based nightly and after a deal closes (pipeline.services.forecast_model_recompute);
    opportunities copy the rate of their team and stage into `model_probability`.
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


class OpportunityImportJob(ImportJobBase):
    """An import of the Maven CRM files (pipeline.importing) run in the background."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta(ImportJobBase.Meta):
        verbose_name = _("opportunity import job")
        verbose_name_plural = _("opportunity import jobs")
