from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from .stages import PERCENT, ChecklistItem, Competitor, LossReason, Stage



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
    # Derived from the stage ledger, kept in step by the services that write it (creation,
    # pipeline.services.ledger.ledger_stays_sync after every move or correction, imports): the
    # funnel's conversion counts deals by it instead of reading every deal's ledger.
    furthest_stage = models.ForeignKey(
        Stage, verbose_name=_("furthest stage"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False, db_index=False,
        help_text=_("The furthest stage of the forward sequence this deal's history shows (lost stages aside)."))

    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                 validators=[MinValueValidator(Decimal("0"))])
    amount_known = models.BooleanField(
        _("amount known"), default=True,
        help_text=_("False when the source gave no value: the amount is then empty (shown as such, summed as 0)."))
    amount_estimate = models.DecimalField(
        _("estimated amount"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("An estimate (e.g. the product's list price), never the deal's amount."))
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
    date_unknown = models.BooleanField(
        _("date unknown"), default=False,
        help_text=_("The source gave no date: left out of every dated period, counted only over all time."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            # the board: an open column's first cards (soonest expected close), and every open column's
            # count and amount per currency as an index-only scan (pipeline.selectors._board_totals;
            # the owner for a manager's or a rep's board)
            models.Index(fields=["stage", "expected_close_date"], include=["currency", "amount", "owner", "id"],
                         name="opp_stage_close"),
            models.Index(fields=["stage", "closed_at"], name="opp_stage_closed"),
            models.Index(fields=["owner", "stage"], name="opp_owner_stage"),
            models.Index(fields=["team", "stage"], name="opp_team_stage"),
            models.Index(fields=["closed_at"], name="opp_closed"),
            # the deal list's default order (-created_at, -id): its first page, keyset pages (?after=) and
            # deep pages' id walk (salesops.pagination: index-only); created-date ranges of the metrics
            models.Index(fields=["created_at", "id"], name="opp_created_id"),
            models.Index(fields=["updated_at", "id"], name="opp_updated_sync"),  # sync clients' cursor
            # The funnel reads deals by the date they entered their current stage (= closed_at for
            # closed deals); the index also holds the stage and amount, so it covers the query
            # (index-only scan on PostgreSQL; a key-column index works on SQLite too).
            models.Index(fields=["stage_entered_at", "stage", "amount"], name="opp_funnel"),
            # a manager's (or a rep's) dashboard: the same reads per owner (teams.selectors.owner_q
            # gives the owners as a subquery), covering on PostgreSQL
            models.Index(fields=["owner", "stage_entered_at"], name="opp_owner_funnel",
                         include=["stage", "amount", "currency", "id"]),
            models.Index(fields=["owner", "closed_at"], name="opp_owner_closed",
                         include=["stage", "amount", "currency", "created_at", "team", "id"]),
            models.Index(fields=["owner", "expected_close_date"], name="opp_owner_expected",
                         condition=Q(closed_at__isnull=True),
                         include=["amount", "currency", "team", "forecast_category", "rep_probability",
                                  "model_probability", "stage_probability", "id"]),
            # every deal closed in a period (won value, win rate, cycle, forecast's won part): index-only
            models.Index(fields=["closed_at"], name="opp_closed_kpis",
                         include=["stage", "amount", "currency", "created_at", "owner", "team", "id"]),
            models.Index(fields=["owner"], name="opp_owner_stalled", condition=Q(closed_at__isnull=True,
                                                                                stalled_at__isnull=False)),
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


class OpportunityActivity(models.Model):
    """Links a logged activity (customers' log) to the deal it was about.

    Pipeline points at customers, never the other way (ARCHITECTURE.md): an activity knows its
    account and contact; which deal it served is pipeline's record. Deleting the deal keeps the
    activity (only the link goes); an activity serves at most one deal.
    """

    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="activity_links")
    activity = models.OneToOneField("customers.Activity", verbose_name=_("activity"),
                                       on_delete=models.CASCADE, related_name="opportunity_link")

    class Meta:
        verbose_name = _("deal activity")
        verbose_name_plural = _("deal activities")

    def __str__(self):
        return f"{self.opportunity} – {self.activity}"


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
    # The stay this entry ends (derived, kept in step by pipeline.services.ledger): the stage the deal
    # was in (the previous entry's to_stage, by at then id) and the days since that entry. Time in
    # stage p50/p90 is then one percentile over the entries of a period (index transition_stays).
    stay_stage = models.ForeignKey(Stage, verbose_name=_("stage left"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    stay_days = models.FloatField(_("days in the stage left"), null=True, blank=True)

    class Meta:
        ordering = ["opportunity", "at", "id"]
        verbose_name = _("stage transition")
        verbose_name_plural = _("stage transitions")
        indexes = [
            models.Index(fields=["opportunity", "at"], name="transition_opp_at"),
            models.Index(fields=["to_stage", "at"], name="transition_stage_at"),
            # time in stage: the deals that moved in a period (pipeline.selectors.stage_stays)
            models.Index(fields=["at"], name="transition_at"),
            # stage conversion: the stages each funnel deal reached, read from the index alone
            models.Index(fields=["opportunity"], include=["to_stage"], name="transition_deal_stage"),
            # time in stage p50 / p90: the stays that ended in a period, read from the index alone
            models.Index(fields=["at"], include=["stay_stage", "stay_days", "opportunity"],
                         condition=Q(stay_stage__isnull=False), name="transition_stays"),
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
