"""Pipeline admin. Stages, gate criteria, checklist items, SPIN questions, competitors and loss
reasons are data edited here. A deal's stage is read-only in its form: it changes only through
the "Move to stage…" action (pipeline.services.opportunity_transition, through the gates) or the
audited admin override, one deal or many at a time. Saving a deal's form, its product lines and
deleting it go through the services too (opportunity_update, opportunity_line_*, opportunity_delete);
a closed deal's commercial fields are read-only here (reopen it, or correct it through the API)."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.admin import ReadOnlyAdminMixin

from teams import predicates
from teams.selectors import assignable_users_for

from . import services
from .models import (
    Approval, ChecklistItem, Competitor, GateCriterion, LossReason, Opportunity, OpportunityLine, Product,
    SpinQuestion, Stage, StageTransition,
)
from .models import Handoff, HandoffStakeholder, OpportunityActivity


class GateCriterionInline(admin.TabularInline):
    model = GateCriterion
    extra = 0
    fields = ("applies_on", "kind", "field", "checklist_item", "record", "approval", "handoff_part", "is_active")


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
    autocomplete_fields = ("guidance_article",)  # h12: knowledge base


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
    autocomplete_fields = ("battlecard_article",)  # h12: knowledge base


@admin.register(LossReason)
class LossReasonAdmin(admin.ModelAdmin):
    list_display = ("name", "name_zh_hans", "code", "requires_competitor", "order", "is_active")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "list_price", "currency", "margin_percent", "is_high_margin", "is_active")
    search_fields = ("name", "code")


class MoveActionForm(ActionForm):
    """The action bar of the opportunity list: the action, and the stage and reason it carries."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.filter(is_active=True), required=False,
                                   label=gettext_lazy("Stage"))
    reason = forms.CharField(required=False, max_length=2000, label=gettext_lazy("Reason"))


class StageChoiceForm(forms.Form):
    """What a stage action reads from the posted action bar. (Validating MoveActionForm itself always
    failed: its `action` field only gets its choices inside the changelist, so every run answered
    "Choose the stage to move to.")"""

    stage = forms.ModelChoiceField(queryset=Stage.objects.filter(is_active=True))
    reason = forms.CharField(required=False, max_length=2000)


class OpportunityLineInline(admin.TabularInline):
    """Lines of an open deal, saved through the line services (OpportunityAdmin.save_formset);
    a closed deal's lines are read-only (frozen until the deal is reopened)."""

    model = OpportunityLine
    extra = 0
    autocomplete_fields = ("product",)

    def _open(self, obj) -> bool:
        return obj is None or not obj.stage.is_closed

    def has_add_permission(self, request, obj=None):
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj) and super().has_delete_permission(request, obj)


class StageTransitionInline(admin.TabularInline):
    model = StageTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_stage", "to_stage", "by", "kind", "amount", "probability", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OpportunityAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        contact, account = data.get("contact"), data.get("account", self.instance.account_id and self.instance.account)
        if contact is not None and account is not None and contact.account_id != account.pk:
            self.add_error("contact", _("This contact belongs to another account."))
        return data


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    form = OpportunityAdminForm
    list_display = ("name", "account_link", "owner", "stage", "amount", "currency", "expected_close_date", "stalled_at")
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

    @admin.display(description=gettext_lazy("account"), ordering="account__name")
    def account_link(self, obj):
        """The account's name, linking to its customer-360 page."""
        return format_html('<a href="{}">{}</a>', obj.account.get_absolute_url(), obj.account.name)

    def has_add_permission(self, request):
        return False  # create deals on the pipeline pages or the API (first stage, ledger entry)

    def has_delete_permission(self, request, obj=None):
        return predicates.can_delete_opportunity(request.user, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":  # the same rule as opportunity_update's (who may receive records)
            kwargs["queryset"] = assignable_users_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(self.readonly_fields)
        if obj is not None and obj.stage.is_closed:
            fields += services.FROZEN_WHEN_CLOSED
        return fields

    def save_model(self, request, obj, form, change):
        """Through opportunity_update: the owner's team follows the owner, the version is bumped, the
        links are checked and a raised discount withdraws the approvals it outgrew."""
        changed = [name for name in form.changed_data if name in services.EDITABLE_FIELDS]
        fields = {name: form.cleaned_data[name] for name in changed}
        services.opportunity_update(opportunity=obj, by=request.user, **fields)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The deal's own many-to-many (competitors) went through opportunity_update in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not OpportunityLine:
            return super().save_formset(request, form, formset, change)
        opp = form.instance
        deleted = formset.deleted_forms
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for line_form in deleted:
            if line_form.instance.pk:
                services.opportunity_line_remove(line=line_form.instance, by=request.user)
                formset.deleted_objects.append(line_form.instance)
        for line_form in formset.forms:
            if line_form in deleted or not line_form.has_changed():
                continue
            data = line_form.cleaned_data
            fields = {name: data[name] for name in services.LINE_FIELDS if name in data}
            if line_form.instance.pk:
                line = services.opportunity_line_update(line=line_form.instance, by=request.user, **fields)
                formset.changed_objects.append((line, line_form.changed_data))
            else:
                formset.new_objects.append(services.opportunity_line_add(opportunity=opp, by=request.user, **fields))

    def delete_model(self, request, obj):
        services.opportunity_delete(opportunity=obj, by=request.user)

    def log_deletions(self, request, queryset):
        return []  # opportunity_delete writes the audit row (with the deal's figures), once

    def delete_queryset(self, request, queryset):
        for opp in queryset:
            services.opportunity_delete(opportunity=opp, by=request.user)

    def _stage_and_reason(self, request):
        form = StageChoiceForm(request.POST)
        if not form.is_valid():
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


class DealDeletedFilter(admin.SimpleListFilter):
    title = gettext_lazy("deal deleted")
    parameter_name = "deal_deleted"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(opportunity__isnull=self.value() == "yes")
        return queryset


@admin.register(StageTransition)
class StageTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger is append-only: readable here, never edited or deleted. Rows of a deleted deal
    stay (read-only like the others), named by the deal's id and name."""

    list_display = ("deal", "from_stage", "to_stage", "kind", "by", "at", "amount", "probability")
    list_filter = (DealDeletedFilter, "kind", "to_stage")
    list_select_related = ("opportunity", "from_stage", "to_stage", "by")
    search_fields = ("=opportunity_ref", "opportunity__name", "opportunity_name")
    show_full_result_count = False

    @admin.display(description=gettext_lazy("opportunity"), ordering="opportunity_ref")
    def deal(self, obj):
        if obj.opportunity_id is not None:
            return obj.opportunity
        return _("Deleted deal #%(id)s “%(name)s”") % {"id": obj.opportunity_ref, "name": obj.opportunity_name}



@admin.register(OpportunityActivity)
class OpportunityActivityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which logged activity served which deal; written by pipeline.services.opportunity_activity_log."""

    list_display = ("opportunity", "activity")
    list_select_related = ("opportunity", "activity")
    raw_id_fields = ("opportunity", "activity")
    search_fields = ("opportunity__name", "activity__summary")
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

    def has_delete_permission(self, request, obj=None):
        return False  # a decision is a record: withdrawn by the services, never deleted

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


# --- handoff (h7): read here; written by pipeline.services.handoff (the deal's handoff page and API) ---
class HandoffStakeholderInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HandoffStakeholder
    extra = 0
    fields = ("role", "contact")
    readonly_fields = fields


@admin.register(Handoff)
class HandoffAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A deal's handoff checklist, read-only: it is filled in on the deal's handoff page or the API. The
    action confirms product feasibility through the service (product role and administrators)."""

    list_display = ("opportunity", "feasibility_confirmed_by", "feasibility_confirmed_at", "updated_at")
    list_select_related = ("opportunity", "feasibility_confirmed_by")
    search_fields = ("opportunity__name", "opportunity__account__name")
    fields = ("opportunity", "success_criteria", "target_30", "target_60", "target_90", "promises",
              "feasibility_confirmed_by", "feasibility_confirmed_at", "feasibility_note", "version", "updated_by",
              "updated_at")
    readonly_fields = fields
    inlines = [HandoffStakeholderInline]
    actions = ["confirm_feasibility"]

    @admin.action(description=gettext_lazy("Confirm product feasibility of the selected deals"))
    def confirm_feasibility(self, request, queryset):
        for handoff in queryset.select_related("opportunity"):
            try:
                services.handoff_confirm_feasibility(opportunity=handoff.opportunity, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)


# --- knowledge base on deals (h12) ------------------------------------------------------------
from .models import ArticleDealView  # noqa: E402


@admin.register(ArticleDealView)
class ArticleDealViewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("article", "opportunity", "user", "viewed_at")
    list_select_related = ("article", "opportunity", "user")


# --- issue 16: the learnt win probability (read-only; activation through pipeline.services.winprob) ---
from .models import WinProbabilityModel  # noqa: E402


@admin.register(WinProbabilityModel)
class WinProbabilityModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "status", "brier", "stage_table_brier", "training_deals", "holdout_deals", "is_active",
                    "trained_by", "trained_at")
    list_filter = ("status", "is_active")
    exclude = ("model",)
    actions = ["activate_model", "deactivate_model"]

    def _each(self, request, queryset, service, done):
        for model in queryset:
            try:
                service(model=model, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
                return
        self.message_user(request, done, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Use as the model probability (administrators)"))
    def activate_model(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one model."), messages.ERROR)
            return
        self._each(request, queryset, services.win_model_activate,
                   _("The model is active; open deals are being scored."))

    @admin.action(description=gettext_lazy("Stop using (back to the stage table)"))
    def deactivate_model(self, request, queryset):
        self._each(request, queryset, services.win_model_deactivate,
                   _("Back to the win-rate table per team and stage."))
