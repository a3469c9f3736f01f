from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.admin import ReadOnlyAdminMixin
from teams.models import User
from teams.predicates import can_delete_lead, is_admin

from . import scoring  # noqa: F401  (rule sets: marketing's admin pages)
from .. import services
from ..models import (
    EventType, ImportMapping, Lead, LeadEvent, NurtureEnrollment, NurtureSend, NurtureStep, NurtureTrack,
)
from ..services import nurture as nurture_services
from ..services.routing import lead_assign


class LeadActionFields(forms.Form):
    """The extra inputs of the lead actions, validated on their own (the admin fills the `action`
    choices of the full action form only when it renders the list)."""

    rep = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False,
                                 label=gettext_lazy("Assign to"))
    reason = forms.CharField(required=False, max_length=1000, label=gettext_lazy("Reason"))


class LeadActionForm(ActionForm, LeadActionFields):
    pass


def _texts(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])


LEAD_READ_ONLY = ("owner", "status", "disqualified_reason", "score", "grade", "version", "completeness",
                  "mql_at", "assigned_at", "first_touch_due_at", "first_touched_at", "sla_breached_at",
                  "converted_at", "won_at", "created_at", "updated_at")


class LeadAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1,
                                          max_value=2**31 - 1)

    class Meta:
        model = Lead
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """Leads in the admin write through leads.services like every other entry: the change form
    through `lead_update` (only the fields that changed, row locked), the owner only through the
    "Assign to…" action (assignment service), the status only through its actions, deletion
    through `leads_delete` (audited, administrators)."""

    list_display = ("name", "email", "company", "industry", "company_size", "source", "owner", "status",
                    "completeness", "created_at")
    list_filter = ("status", "source", "industry", "region")
    list_select_related = ("owner",)
    search_fields = ("name", "email", "company")
    form = LeadAdminForm
    fields = (*[name for name in services.EDITABLE_FIELDS if name != "owner"], "expected_version", *LEAD_READ_ONLY)
    readonly_fields = LEAD_READ_ONLY
    action_form = LeadActionForm
    actions = ["assign_to", "qualify_selected", "disqualify_selected"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            can_delete_lead(request.user, obj) if obj is not None else is_admin(request.user))

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in services.EDITABLE_FIELDS}
        try:
            if change:
                saved = services.lead_update(lead=obj, by=request.user, **data,
                                             expected_version=form.cleaned_data.get("expected_version"))
            else:
                saved = services.lead_create(by=request.user, **data)
        except (ValidationError, PermissionDenied) as exc:
            request._lead_admin_error = exc
            return
        obj.pk, obj.version = saved.pk, saved.version

    def save_related(self, request, form, formsets, change):
        if not getattr(request, "_lead_admin_error", None):
            super().save_related(request, form, formsets, change)

    def log_change(self, request, obj, message):
        if not getattr(request, "_lead_admin_error", None):
            return super().log_change(request, obj, message)

    def log_addition(self, request, obj, message):
        if not getattr(request, "_lead_admin_error", None):
            return super().log_addition(request, obj, message)

    def _refused(self, request):
        exc = getattr(request, "_lead_admin_error", None)
        if exc is None:
            return None
        self.message_user(request, _("Nothing was saved: %(problems)s") % {"problems": " ".join(_texts(exc))},
                          messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def response_change(self, request, obj):
        return self._refused(request) or super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._refused(request) or super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        services.lead_delete(lead=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        services.leads_delete(lead_ids=queryset.values_list("pk", flat=True), by=request.user)

    def _each(self, request, queryset, service, done_message, **kwargs):
        done = 0
        for lead in queryset.order_by("pk"):
            try:
                service(lead=lead, by=request.user, **kwargs)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, _("“%(lead)s” was not changed: %(problems)s") % {
                    "lead": lead.name, "problems": " ".join(_texts(exc))}, messages.ERROR)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Assign to… (assignment service: audit row, notification, SLA)"))
    def assign_to(self, request, queryset):
        form = LeadActionFields(request.POST)
        if not form.is_valid() or not form.cleaned_data.get("rep"):
            self.message_user(request, _("Choose the person to assign the leads to."), messages.ERROR)
            return
        self._each(request, queryset, lead_assign, _("%(count)s leads assigned."),
                   rep=form.cleaned_data["rep"], reason=form.cleaned_data.get("reason", ""))

    @admin.action(description=gettext_lazy("Qualify the selected leads"))
    def qualify_selected(self, request, queryset):
        self._each(request, queryset, services.lead_qualify, _("%(count)s leads qualified."))

    @admin.action(description=gettext_lazy("Disqualify the selected leads (reason required)"))
    def disqualify_selected(self, request, queryset):
        form = LeadActionFields(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        if not reason.strip():
            self.message_user(request, _("Say why the leads are disqualified (the reason field)."), messages.ERROR)
            return
        self._each(request, queryset, services.lead_disqualify, _("%(count)s leads disqualified."), reason=reason)


# --- Nurture (marketing edits tracks; enrolments and emails are records of what happened) -----

def _kept_step_forms(formset):
    return [form for form in formset.forms
            if form.cleaned_data and not formset._should_delete_form(form) and (form.instance.pk or form.has_changed())]


class NurtureStepFormSet(BaseInlineFormSet):
    """Steps that were already sent are never removed (nor renumbered away): their send history stays."""

    def clean(self):
        super().clean()
        keep = [form.cleaned_data.get("order") for form in _kept_step_forms(self)]
        if nurture_services.nurture_removes_sent_steps(track=self.instance, keep_orders=keep):
            raise forms.ValidationError(nurture_services.sent_step_removal_message())


class NurtureStepInline(admin.TabularInline):
    model = NurtureStep
    formset = NurtureStepFormSet
    extra = 1
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("order", "delay_days", "subject", "body", "link_url")


STEP_FIELDS = ("order", "delay_days", "subject", "body", "link_url")


@admin.register(NurtureTrack)
class NurtureTrackAdmin(admin.ModelAdmin):
    """Tracks and their steps are saved through leads.services.nurture.nurture_track_save."""

    list_display = ("name", "is_active", "description")
    list_filter = ("is_active",)
    search_fields = ("name",)
    inlines = [NurtureStepInline]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "description", "is_active")
                  if name in form.cleaned_data}
        obj.pk = nurture_services.nurture_track_save(by=request.user, track=obj, **fields).pk

    def save_formset(self, request, form, formset, change):
        if formset.model is not NurtureStep:
            return super().save_formset(request, form, formset, change)
        steps = [{name: step_form.cleaned_data[name] for name in STEP_FIELDS if name in step_form.cleaned_data}
                 for step_form in _kept_step_forms(formset)]
        nurture_services.nurture_track_save(by=request.user, track=form.instance, steps=steps)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # for the change log

    def has_delete_permission(self, request, obj=None):
        # Deleting a track would delete its steps and their send history (PROTECT refuses it anyway).
        return super().has_delete_permission(request, obj) and not (
            obj is not None and NurtureSend.objects.filter(step__track=obj).exists())


@admin.register(NurtureEnrollment)
class NurtureEnrollmentAdmin(admin.ModelAdmin):
    list_display = ("lead", "track", "status", "next_step", "next_due_at", "enrolled_at")
    list_filter = ("status", "track")
    list_select_related = ("lead", "track")
    search_fields = ("lead__name", "lead__email")
    readonly_fields = ("lead", "track", "status", "next_step", "next_due_at", "enrolled_at")
    actions = ["stop_selected"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # enrol from the lead page or the API (nurture_enroll checks grade and access)

    @admin.action(description=gettext_lazy("Stop the selected enrolments"))
    def stop_selected(self, request, queryset):
        stopped = nurture_services.nurture_stop(enrollment_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(count)s enrolments stopped.") % {"count": stopped})


@admin.register(NurtureSend)
class NurtureSendAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Sent nurture emails: read-only, never deleted; those of a deleted lead stay, named by its id."""

    list_display = ("lead", "email", "step", "status", "sent_at", "clicked_at")
    list_filter = ("status", "step__track")
    list_select_related = ("enrollment__lead", "enrollment__track", "step__track")
    search_fields = ("enrollment__lead__name", "email", "=lead_ref", "token")
    show_full_result_count = False

    @admin.display(description=gettext_lazy("lead"), ordering="enrollment__lead__name")
    def lead(self, obj):
        if obj.enrollment_id is None:
            return _("Deleted lead #%(id)s") % {"id": obj.lead_ref}
        return obj.enrollment.lead


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_zh_hans", "is_active", "half_life_days")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_zh_hans")


@admin.register(LeadEvent)
class LeadEventAdmin(admin.ModelAdmin):
    """Events arrive through the API (leads.services.events); here they are read, or deleted."""

    list_display = ("lead", "event_type", "occurred_at", "external_id", "received_at")
    list_filter = ("event_type",)
    list_select_related = ("lead", "event_type")
    search_fields = ("external_id", "lead__email", "lead__name")
    raw_id_fields = ("lead",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_queryset(self, request, queryset):
        from ..services.scoring import lead_queue_rescore
        lead_ids = set(queryset.values_list("lead_id", flat=True))
        super().delete_queryset(request, queryset)
        for lead_id in sorted(lead_ids):
            lead_queue_rescore(lead_id=lead_id, reason="event")

    def delete_model(self, request, obj):
        self.delete_queryset(request, LeadEvent.objects.filter(pk=obj.pk))


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "updated_at")
    search_fields = ("name",)


# --- MQL routing: rules (admins edit them) and the assignment audit log (read-only) -----------------
from ..models import Assignment, Industry, LeadAudit, RoutingRule  # noqa: E402


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = "__all__"

    def clean_industries(self):
        value = self.cleaned_data.get("industries") or []
        known = {code for code, _label in Industry.choices}
        if not isinstance(value, list) or any(item not in known for item in value):
            raise forms.ValidationError(_("Give a list of industry codes, e.g. [\"technology\", \"finance\"]. "
                                          "Known codes: %(codes)s.") % {"codes": ", ".join(sorted(known))})
        return value

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_company_size"), cleaned.get("max_company_size")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("The smallest company size must not exceed the largest."))
        return cleaned


class AdminRoleOnlyMixin:
    def has_view_permission(self, request, obj=None):
        return request.user.is_staff and is_admin(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(RoutingRule)
class RoutingRuleAdmin(AdminRoleOnlyMixin, admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ("name", "priority", "is_active", "territory", "industries", "min_company_size",
                    "max_company_size", "team")
    list_editable = ("priority", "is_active")
    list_filter = ("is_active", "team")
    list_select_related = ("territory", "team")
    ordering = ("priority", "id")

    def has_add_permission(self, request):
        return self.has_view_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdminMixin, AdminRoleOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "lead", "rep", "previous_owner", "assigned_by", "rule", "reason")
    list_select_related = ("lead", "rep", "previous_owner", "assigned_by", "rule")
    list_filter = ("rule",)
    search_fields = ("lead__name", "lead__email", "reason")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(LeadAudit)
class LeadAuditAdmin(ReadOnlyAdminMixin, AdminRoleOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "action", "lead_id", "lead_repr", "by", "reason")
    list_filter = ("action",)
    list_select_related = ("by",)
    search_fields = ("lead_repr", "reason")
    date_hierarchy = "created_at"
    show_full_result_count = False


# --- web-to-lead forms (issue 15): saved through leads.services.web_forms ------------------------------
from ..models import WebForm  # noqa: E402
from ..services.web_forms import EDIT_FIELDS as WEB_FORM_FIELDS, web_form_save  # noqa: E402


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "is_active", "owner", "created_at"]
    fields = [*WEB_FORM_FIELDS, "key"]
    readonly_fields = ["key"]

    def save_model(self, request, obj, form, change):
        try:
            saved = web_form_save(by=request.user, form=obj if change else None,
                                  **{name: form.cleaned_data[name] for name in WEB_FORM_FIELDS})
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
            return
        obj.pk, obj.key = saved.pk, saved.key
