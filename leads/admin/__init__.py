from django.contrib import admin
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.admin import ReadOnlyAdminMixin

from . import scoring  # noqa: F401  (rule sets: marketing's admin pages)
from .. import services
from ..models import (
    EventType, ImportMapping, Lead, LeadEvent, NurtureEnrollment, NurtureSend, NurtureStep, NurtureTrack,
)
from ..services import nurture as nurture_services


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "company", "industry", "company_size", "source", "owner", "status",
                    "completeness", "created_at")
    list_filter = ("status", "source", "industry", "region")
    list_select_related = ("owner",)
    search_fields = ("name", "email", "company")
    autocomplete_fields = ("owner",)
    readonly_fields = ("completeness", "created_at", "updated_at")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # the model form validated the constraints
        services.lead_saved(lead=obj)


# --- Nurture (marketing edits tracks; enrolments and emails are records of what happened) -----

class NurtureStepInline(admin.TabularInline):
    model = NurtureStep
    extra = 1
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("order", "delay_days", "subject", "body", "link_url")


@admin.register(NurtureTrack)
class NurtureTrackAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "description")
    list_filter = ("is_active",)
    search_fields = ("name",)
    inlines = [NurtureStepInline]


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
    list_display = ("lead", "step", "status", "sent_at", "clicked_at")
    list_filter = ("status", "step__track")
    list_select_related = ("enrollment__lead", "enrollment__track", "step__track")
    search_fields = ("enrollment__lead__name", "enrollment__lead__email", "token")
    show_full_result_count = False

    @admin.display(description=gettext_lazy("lead"), ordering="enrollment__lead__name")
    def lead(self, obj):
        return obj.enrollment.lead


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_zh_hans", "is_active")
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
from django import forms  # noqa: E402

from ..models import Assignment, Industry, RoutingRule  # noqa: E402


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
        return request.user.is_active and request.user.is_staff and request.user.is_admin_role

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
