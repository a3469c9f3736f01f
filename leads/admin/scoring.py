"""Admin for scoring rule sets: marketing edits drafts, backtests, then publishes.

Published and archived sets are read-only (history is kept); publishing goes through
leads.services.scoring.rule_set_publish so every lead is rescored set-based.
"""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from salesops.admin import ReadOnlyAdminMixin
from teams.predicates import can_manage_scoring

from .. import scoring
from ..models import AttributeRule, BehaviourRule, GradeBand, RescoreJob, RuleSet, ScoringSuggestion
from ..services import scoring as scoring_services


class MarketingAdminMixin:
    """Scoring is marketing's: marketing and admins may use these admin pages, nobody else."""

    def _allowed(self, request):
        return request.user.is_staff and can_manage_scoring(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class DraftOnlyInlineMixin(MarketingAdminMixin):
    extra = 0

    def _editable(self, request, obj):
        return self._allowed(request) and (obj is None or obj.is_editable)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


class AttributeRuleForm(forms.ModelForm):
    value = forms.JSONField(label=_("value"), required=False,
                            help_text=_('JSON: 1000, "east" or ["technology", "finance"].'))

    class Meta:
        model = AttributeRule
        fields = ["field", "operator", "value", "points", "label"]


class AttributeRuleInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = AttributeRule
    form = AttributeRuleForm


class BehaviourRuleInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = BehaviourRule
    fields = ["event_type", "points", "max_count", "window_days", "label"]


class GradeBandFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        grades = [scoring.Grade(f.cleaned_data["name"], f.cleaned_data.get("lower_bound"))
                  for f in self.forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")]
        problems = scoring.grade_errors(grades)
        if problems:
            raise ValidationError([scoring_services.GRADE_MESSAGES[code]() for code in problems])


class GradeBandInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = GradeBand
    formset = GradeBandFormSet
    fields = ["name", "lower_bound"]


@admin.register(RuleSet)
class RuleSetAdmin(MarketingAdminMixin, admin.ModelAdmin):
    list_display = ("version", "name", "status", "created_by", "published_at", "links")
    list_filter = ("status",)
    readonly_fields = ("version", "status", "created_by", "created_at", "published_by", "published_at")
    fields = ("name", "notes", *readonly_fields)
    inlines = [AttributeRuleInline, BehaviourRuleInline, GradeBandInline]
    actions = ["copy_as_draft", "publish"]

    @admin.display(description=_("backtest"))
    def links(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("leads:rule-set", args=[obj.pk]), _("Backtest / publish"))

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and (obj is None or obj.is_editable)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return ("name", "notes", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.version = scoring_services.rule_set_next_version()
            obj.created_by = request.user
        if change and not RuleSet.objects.get(pk=obj.pk).is_editable:
            return  # published / archived sets never change
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """The inlines are saved through rule_set_save_draft (one door for every write), not one by
        one: the service validates the whole set and replaces the draft's rules and grades."""
        rule_set = form.instance
        if not rule_set.is_editable:
            return
        rows = {"attribute_rules": {r.pk: {"field": r.field, "operator": r.operator, "value": r.value,
                                           "points": r.points, "label": r.label} for r in rule_set.attribute_rules.all()},
                "behaviour_rules": {r.pk: {"event_type": r.event_type, "points": r.points, "max_count": r.max_count,
                                           "window_days": r.window_days, "label": r.label}
                                    for r in rule_set.behaviour_rules.select_related("event_type")},
                "grades": {g.pk: {"name": g.name, "lower_bound": g.lower_bound} for g in rule_set.grades.all()}}
        for formset in formsets:  # rows not in a formset stay as they are, as with inlines saved one by one
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            table = rows.setdefault(formset.prefix, {})
            for number, f in enumerate(formset.forms):
                data = f.cleaned_data or {}
                instance = data.get("id")
                key = instance.pk if instance is not None else f"new-{number}"
                if data.get("DELETE") or not data:
                    table.pop(key, None)
                else:
                    table[key] = {k: v for k, v in data.items() if k not in ("id", "DELETE", "rule_set")}
        kept = {prefix: list(table.values()) for prefix, table in rows.items()}
        try:
            scoring_services.rule_set_save_draft(
                by=request.user, rule_set=rule_set, name=rule_set.name, notes=rule_set.notes,
                attribute_rules=[{k: d.get(k) for k in ("field", "operator", "value", "points")} | {"label": d.get("label") or ""}
                                 for d in kept.get("attribute_rules", [])],
                behaviour_rules=[{"event_type": d["event_type"].code, "points": d["points"], "max_count": d.get("max_count"),
                                  "window_days": d.get("window_days"), "label": d.get("label") or ""}
                                 for d in kept.get("behaviour_rules", [])],
                grades=[{"name": d["name"], "lower_bound": d.get("lower_bound")} for d in kept.get("grades", [])])
        except ValidationError as exc:
            transaction.set_rollback(True)
            self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def delete_model(self, request, obj):
        scoring_services.rule_set_delete_draft(rule_set=obj)

    def delete_queryset(self, request, queryset):
        for rule_set in queryset.filter(status=RuleSet.Status.DRAFT):
            scoring_services.rule_set_delete_draft(rule_set=rule_set)

    @admin.action(description=_("Copy as a new draft"))
    def copy_as_draft(self, request, queryset):
        for rule_set in queryset:
            draft = scoring_services.rule_set_create_draft(
                by=request.user, name=f"{rule_set.name} (v{rule_set.version} copy)", copy_from=rule_set)
            self.message_user(request, _("Draft v%(version)s created.") % {"version": draft.version})

    @admin.action(description=_("Publish (rescore every lead)"))
    def publish(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Publish exactly one draft at a time."), messages.ERROR)
            return None
        try:
            job = scoring_services.rule_set_publish(rule_set=queryset.get(), by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return None
        self.message_user(request, _("Published; rescoring %(total)s leads.") % {"total": job.total})
        return redirect("leads:rule-set", pk=job.rule_set_id)


@admin.register(RescoreJob)
class RescoreJobAdmin(ReadOnlyAdminMixin, MarketingAdminMixin, admin.ModelAdmin):
    list_display = ("rule_set", "status", "processed", "total", "changed", "started_at", "finished_at", "error")
    readonly_fields = [f.name for f in RescoreJob._meta.fields]


@admin.register(ScoringSuggestion)
class ScoringSuggestionAdmin(ReadOnlyAdminMixin, MarketingAdminMixin, admin.ModelAdmin):
    """Suggested weights (issue 16): read-only records; started from the rule-set page or the API."""

    list_display = ("id", "status", "base_rule_set", "draft_rule_set", "requested_by", "held_out_size",
                    "created_at", "finished_at", "error_code")
    list_filter = ("status",)
    list_select_related = ("base_rule_set", "draft_rule_set", "requested_by")
    readonly_fields = [f.name for f in ScoringSuggestion._meta.fields]
