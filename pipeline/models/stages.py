
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.i18n import localised


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
    guidance_article = models.ForeignKey(  # h12: knowledge base
        "teams.Article", verbose_name=_("SPIN guidance article"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="guided_stages", help_text=_("Shown on the deals in this stage and on the board."))

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
        HANDOFF = "handoff", _("Handoff checklist complete")

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
        ACTIVITY = "activity", _("Any activity logged for the opportunity")
        CONTACT = "contact", _("A contact at the account")

    class Approval(models.TextChoices):
        DISCOUNT = "discount", _("Discount above the configured limit")

    class HandoffPart(models.TextChoices):  # pipeline.handoff.PARTS
        STAKEHOLDERS = "stakeholders", _("Stakeholders: champion, executive sponsor and admin")
        SUCCESS_CRITERIA = "success_criteria", _("Success criteria with 30/60/90-day targets")
        PROMISES = "promises", _("Promises made recorded")
        FEASIBILITY = "feasibility", _("Product feasibility confirmed by product")
        SUCCESS_OWNER = "success_owner", _("Success owner assigned")

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="criteria")
    applies_on = models.CharField(_("applies on"), max_length=10, choices=AppliesOn.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    field = models.CharField(_("field"), max_length=30, choices=Field.choices, blank=True)
    checklist_item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="criteria")
    record = models.CharField(_("related record"), max_length=20, choices=Record.choices, blank=True)
    approval = models.CharField(_("approval"), max_length=20, choices=Approval.choices, blank=True)
    handoff_part = models.CharField(_("handoff part"), max_length=20, choices=HandoffPart.choices, blank=True)
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
            self.Kind.HANDOFF: self.get_handoff_part_display(),
        }.get(self.kind, "")
        return f"{self.get_applies_on_display()}: {self.get_kind_display()} – {target}"

    @property
    def target(self) -> str:
        if self.kind == self.Kind.CHECKLIST_ITEM:
            return str(self.checklist_item_id or "")
        return {self.Kind.REQUIRED_FIELD: self.field, self.Kind.RELATED_RECORD: self.record,
                self.Kind.MANAGER_APPROVAL: self.approval, self.Kind.HANDOFF: self.handoff_part}.get(self.kind, "")

    def clean(self):
        needed = {
            self.Kind.REQUIRED_FIELD: ("field", bool(self.field)),
            self.Kind.CHECKLIST_ITEM: ("checklist_item", bool(self.checklist_item_id)),
            self.Kind.RELATED_RECORD: ("record", bool(self.record)),
            self.Kind.MANAGER_APPROVAL: ("approval", bool(self.approval)),
            self.Kind.HANDOFF: ("handoff_part", bool(self.handoff_part)),
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
    battlecard_article = models.ForeignKey(  # h12: knowledge base
        "teams.Article", verbose_name=_("battlecard article"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="battlecard_competitors", help_text=_("Shown on the deals that name this competitor."))

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
