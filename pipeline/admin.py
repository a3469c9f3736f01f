"""Pipeline admin. Stages, gate criteria, checklist items, SPIN questions, competitors and loss
reasons are data edited here. A deal's stage is read-only in its form: it changes only through
the "Move to stage…" action (pipeline.services.opportunity_transition, through the gates) or the
audited admin override, one deal or many at a time."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.admin import ReadOnlyAdminMixin

from . import services
from .models import (
    Approval, ChecklistItem, Competitor, GateCriterion, LossReason, Opportunity, OpportunityLine, Product,
    SpinQuestion, Stage, StageTransition,
)
from .models import OpportunityInteraction


class GateCriterionInline(admin.TabularInline):
    model = GateCriterion
    extra = 0
    fields = ("applies_on", "kind", "field", "checklist_item", "record", "approval", "is_active")


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ("code", "name", "name_zh_hans", "order", "is_active")


class SpinQuestionInline(admin.TabularInline):
    model = SpinQuestion
    extra = 0
    fields = ("kind", "text", "text_zh_hans", "order")


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "name_zh_hans", "code", "probability", "is_won", "is_lost", "is_active")
    list_display_links = ("name",)
    inlines = [GateCriterionInline, ChecklistItemInline, SpinQuestionInline]


@admin.register(GateCriterion)
class GateCriterionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "stage", "applies_on", "kind", "is_active")
    list_filter = ("stage", "applies_on", "kind", "is_active")
    list_select_related = ("stage", "checklist_item")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("name", "name_zh_hans", "code", "stage", "order", "is_active")
    list_filter = ("stage", "is_active")


@admin.register(SpinQuestion)
class SpinQuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "stage", "order")
    list_filter = ("stage", "kind")


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    list_display = ("name", "website", "is_active")
    search_fields = ("name",)


@admin.register(LossReason)
class LossReasonAdmin(admin.ModelAdmin):
    list_display = ("name", "name_zh_hans", "code", "requires_competitor", "order", "is_active")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "list_price", "currency", "margin_percent", "is_high_margin", "is_active")
    search_fields = ("name", "code")


class MoveActionForm(ActionForm):
    stage = forms.ModelChoiceField(queryset=Stage.objects.filter(is_active=True), required=False,
                                   label=gettext_lazy("Stage"))
    reason = forms.CharField(required=False, max_length=2000, label=gettext_lazy("Reason"))


class OpportunityLineInline(admin.TabularInline):
    model = OpportunityLine
    extra = 0
    autocomplete_fields = ("product",)


class StageTransitionInline(admin.TabularInline):
    model = StageTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_stage", "to_stage", "by", "kind", "amount", "probability", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "owner", "stage", "amount", "currency", "expected_close_date", "stalled_at")
    list_filter = ("stage", "forecast_category", "team")
    list_select_related = ("account", "owner", "stage")
    search_fields = ("name", "account__name")
    autocomplete_fields = ("owner", "competitors")
    raw_id_fields = ("account", "contact", "lead")
    readonly_fields = ("stage", "stage_entered_at", "stage_probability", "model_probability", "closed_at",
                       "stalled_at", "version", "team", "lead", "loss_reason", "created_at", "updated_at")
    inlines = [OpportunityLineInline, StageTransitionInline]
    action_form = MoveActionForm
    actions = ["move_to_stage", "override_stage"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # create deals on the pipeline pages or the API (first stage, ledger entry)

    def save_model(self, request, obj, form, change):
        obj.version += 1  # admin edits count as changes for optimistic concurrency
        super().save_model(request, obj, form, change)

    def _stage_and_reason(self, request):
        form = MoveActionForm(request.POST)
        if not form.is_valid() or not form.cleaned_data.get("stage"):
            self.message_user(request, _("Choose the stage to move to."), messages.ERROR)
            return None, ""
        return form.cleaned_data["stage"], form.cleaned_data.get("reason", "")

    @admin.action(description=gettext_lazy("Move to stage… (through the gates)"))
    def move_to_stage(self, request, queryset):
        stage, reason = self._stage_and_reason(request)
        if stage is None:
            return
        moved = 0
        for opp in queryset.select_related("stage"):
            try:
                services.opportunity_transition(opportunity=opp, to_stage=stage, by=request.user, reason=reason)
                moved += 1
            except ValidationError as exc:
                self.message_user(request, _("“%(name)s” was not moved: %(problems)s") % {
                    "name": opp.name, "problems": " ".join(exc.messages)}, messages.ERROR)
        if moved:
            self.message_user(request, _("%(count)s opportunities moved.") % {"count": moved}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Override stage (administrators; reason required, audited)"))
    def override_stage(self, request, queryset):
        stage, reason = self._stage_and_reason(request)
        if stage is None:
            return
        moved = 0
        for opp in queryset:
            try:
                services.opportunity_override_stage(opportunity=opp, to_stage=stage, by=request.user, reason=reason)
                moved += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, _("“%(name)s” was not moved: %(problems)s") % {
                    "name": opp.name, "problems": " ".join(getattr(exc, "messages", [str(exc)]))}, messages.ERROR)
        if moved:
            self.message_user(request, _("%(count)s opportunities moved.") % {"count": moved}, messages.SUCCESS)


@admin.register(StageTransition)
class StageTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger is append-only: readable here, never edited."""

    list_display = ("opportunity", "from_stage", "to_stage", "kind", "by", "at", "amount", "probability")
    list_filter = ("kind", "to_stage")
    list_select_related = ("opportunity", "from_stage", "to_stage", "by")
    show_full_result_count = False



@admin.register(OpportunityInteraction)
class OpportunityInteractionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which logged interaction served which deal; written by pipeline.services.opportunity_interaction_log."""

    list_display = ("opportunity", "interaction")
    list_select_related = ("opportunity", "interaction")
    raw_id_fields = ("opportunity", "interaction")
    search_fields = ("opportunity__name", "interaction__summary")
    show_full_result_count = False


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "kind", "value", "status", "requested_by", "decided_by", "requested_at")
    list_filter = ("status", "kind")
    list_select_related = ("opportunity", "requested_by", "decided_by")
    readonly_fields = ("opportunity", "kind", "value", "status", "requested_by", "requested_at", "decided_by",
                       "decided_at")
    actions = ["approve_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, approve):
        for approval in queryset:
            try:
                services.approval_decide(approval=approval, by=request.user, approve=approve)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)

    @admin.action(description=gettext_lazy("Approve the selected requests"))
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=gettext_lazy("Reject the selected requests"))
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, False)
