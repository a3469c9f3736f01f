from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext
from django.utils.translation import gettext_lazy as _

from salesops.admin import ServiceWritesAdminMixin

from . import services
from .models import Quota, Team, Territory, User
from .predicates import can_manage_organisation


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Sales organisation"), {"fields": ("role", "team", "territory", "hired_on", "is_away", "language")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Sales organisation"), {"fields": ("role", "team", "territory")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "role", "team", "territory", "is_active")
    list_filter = ("role", "team", "territory", "is_active", "is_away")
    list_select_related = ("team", "territory")


class MemberInline(admin.TabularInline):
    model = User
    fields = ("username", "first_name", "last_name", "role", "territory")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class TeamAdminForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = list(services.TEAM_FIELDS)

    def clean(self):
        cleaned = super().clean()
        try:
            services.team_check_fields({name: cleaned[name] for name in services.TEAM_FIELDS if name in cleaned})
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


@admin.register(Team)
class TeamAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    """Teams are written through teams.services (administrators; audited; a team with members is
    not deleted), from this change form and the delete action as from the API."""

    list_display = ("name", "manager", "regional_office")
    list_select_related = ("manager",)
    search_fields = ("name",)
    inlines = [MemberInline]
    form = TeamAdminForm

    def has_add_permission(self, request):
        return can_manage_organisation(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_organisation(request.user)

    def may_delete(self, request, obj) -> bool:
        return can_manage_organisation(request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.TEAM_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.team_update(team=obj, by=request.user, **fields)
        else:
            saved = services.team_create(by=request.user, **fields)
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    def delete_refusals(self, request, objs) -> list[str]:
        counts = {team: team.members.count() for team in objs}
        return [ngettext("%(team)s: %(count)d member", "%(team)s: %(count)d members", count)
                % {"team": team, "count": count} for team, count in counts.items() if count]

    def delete_objects(self, request, objs) -> None:
        for team in objs:  # teams are few; each is checked, locked and audited by the service
            services.team_delete(team=team, by=request.user)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("name", "regions")
    search_fields = ("name",)


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ("user", "period_start", "period_end", "amount", "currency")
    list_filter = ("period_start", "user__team")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    date_hierarchy = "period_start"


# --- onboarding (h10): templates written through teams.services.onboarding; plans read-only here ----
from salesops.admin import ReadOnlyAdminMixin  # noqa: E402

from .models import OnboardingPlan, OnboardingTask, OnboardingTemplate  # noqa: E402
from .predicates import can_edit_onboarding_templates  # noqa: E402
from .services import onboarding as onboarding_services  # noqa: E402


@admin.register(OnboardingTemplate)
class OnboardingTemplateAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    """Name, description and default here; phases and steps on the template page or the API (the service)."""

    list_display = ("name", "is_default", "created_at")
    fields = ("name", "description", "is_default")
    search_fields = ("name",)

    def has_add_permission(self, request):
        return can_edit_onboarding_templates(request.user)

    def has_change_permission(self, request, obj=None):
        return can_edit_onboarding_templates(request.user)

    def may_delete(self, request, obj) -> bool:
        return can_edit_onboarding_templates(request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in self.fields if name in form.cleaned_data}
        if change:
            saved = onboarding_services.onboarding_template_update(template=obj, by=request.user, **fields)
        else:
            saved = onboarding_services.onboarding_template_create(by=request.user, **fields)
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    def delete_objects(self, request, objs) -> None:
        for template in objs:
            onboarding_services.onboarding_template_delete(template=template, by=request.user)


class OnboardingTaskInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OnboardingTask
    fields = ("title", "performer", "due_on", "done_at", "reached_on", "signed_off_at", "signed_off_by")
    readonly_fields = fields
    extra = 0


@admin.register(OnboardingPlan)
class OnboardingPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Plans are made and changed on the onboarding pages and the API (through the service)."""

    list_display = ("hire", "mentor", "start_date", "first_deal_on", "ramp_months", "closed_at")
    list_select_related = ("hire", "mentor")
    inlines = [OnboardingTaskInline]


# --- training, certification and awards (h11) -------------------------------------------------
from salesops.admin import ReadOnlyAdminMixin  # noqa: E402

from .models import (  # noqa: E402
    Award, Certification, CertificationGrant, CertificationReminder, Course, Exam, ExamAttempt, Nomination,
)
from .predicates import can_manage_training  # noqa: E402
from .services import training as training_services  # noqa: E402


class TrainingAdminForm(forms.ModelForm):
    """Asks teams.services.training.check_fields, so rule errors show on the form."""

    def clean(self):
        cleaned = super().clean()
        fields = {name: cleaned[name] for name in self._meta.fields if name in cleaned}
        try:
            training_services.check_fields(self._meta.model, fields)
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


class TrainingAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    """Courses, exams and certifications are written through teams.services.training (admins; audited)."""

    service_fields: tuple[str, ...] = ()

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = forms.modelform_factory(self.model, form=TrainingAdminForm, fields=list(self.service_fields))
        return super().get_form(request, obj, **kwargs)

    def has_add_permission(self, request):
        return can_manage_training(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_training(request.user)

    def may_delete(self, request, obj) -> bool:
        return can_manage_training(request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in self.service_fields if name in form.cleaned_data}
        saved = training_services.training_save(model=self.model, by=request.user, obj=obj if change else None,
                                                 **fields)
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    def delete_objects(self, request, objs) -> None:
        for obj in objs:
            training_services.training_delete(obj=obj, by=request.user)


@admin.register(Course)
class CourseAdmin(TrainingAdmin):
    service_fields = training_services.COURSE_FIELDS
    list_display = ("title", "kind", "roles", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("title",)


@admin.register(Exam)
class ExamAdmin(TrainingAdmin):
    service_fields = training_services.EXAM_FIELDS
    list_display = ("title", "course", "pass_mark", "max_attempts", "cooldown_hours", "is_active")
    list_select_related = ("course",)


@admin.register(Certification)
class CertificationAdmin(TrainingAdmin):
    service_fields = training_services.CERTIFICATION_FIELDS
    list_display = ("name", "course", "required_for_roles", "validity_months", "reminder_days")
    list_select_related = ("course",)


@admin.register(ExamAttempt)
class ExamAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "exam", "score", "passed", "taken_at")
    list_select_related = ("user", "exam", "exam__course")
    list_filter = ("passed",)


@admin.register(CertificationGrant)
class CertificationGrantAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "certification", "granted_on", "expires_on")
    list_select_related = ("user", "certification")


@admin.register(CertificationReminder)
class CertificationReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("grant", "expires_on", "days_before", "sent_at")
    list_select_related = ("grant__user", "grant__certification")


@admin.register(Award)
class AwardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("kind", "period_start", "team", "user", "value", "chosen_by")
    list_select_related = ("team", "user", "chosen_by")
    list_filter = ("kind",)


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("period_start", "team", "nominee", "nominated_by")
    list_select_related = ("team", "nominee", "nominated_by")


# --- knowledge base (h12) ---------------------------------------------------------------------
from .knowledge import services as kb_services  # noqa: E402
from .models import Article, ArticleView, Tag  # noqa: E402
from .predicates import can_edit_knowledge  # noqa: E402
from .knowledge.forms import ArticleForm  # noqa: E402
from salesops.admin import ReadOnlyAdminMixin  # noqa: E402


@admin.register(Article)
class ArticleAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    """Articles are written through teams.knowledge.services (editors; audited), as from the pages and API."""

    form = ArticleForm  # the page's form: tags as comma-separated names
    list_display = ("title", "kind", "language", "is_published", "author", "updated_at")
    list_filter = ("kind", "language", "is_published")
    list_select_related = ("author",)
    search_fields = ("title",)

    def has_add_permission(self, request):
        return can_edit_knowledge(request.user)

    def has_change_permission(self, request, obj=None):
        return can_edit_knowledge(request.user)

    def may_delete(self, request, obj) -> bool:
        return can_edit_knowledge(request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in kb_services.ARTICLE_FIELDS if name in form.cleaned_data}
        tags = form.cleaned_data.get("tags", [])
        if change:
            saved = kb_services.article_update(article=obj, by=request.user, tags=tags, **fields)
        else:
            saved = kb_services.article_create(by=request.user, tags=tags, **fields)
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # the tags went through the service in save_model

    def delete_objects(self, request, objs) -> None:
        for article in objs:
            kb_services.article_delete(article=article, by=request.user)


@admin.register(Tag)
class TagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(ArticleView)
class ArticleViewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("article", "user", "viewed_at")
    list_select_related = ("article", "user")


# --- compensation (h9): read-only in the admin; actions call teams.services.compensation -------------
from django.contrib import messages  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402

from salesops.admin import ReadOnlyAdminMixin  # noqa: E402

from .models import CompensationPlan, Payout, PayoutDispute, PayoutLine, PlanAssignment, PlanComponent  # noqa: E402
from .services import compensation as comp  # noqa: E402


def _each(modeladmin, request, queryset, call, done):
    count = 0
    for obj in queryset:
        try:
            call(obj)
            count += 1
        except (ValidationError, PermissionDenied) as exc:
            modeladmin.message_user(request, f"{obj}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)
    if count:
        modeladmin.message_user(request, done % {"count": count}, messages.SUCCESS)


class PlanComponentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PlanComponent
    fields = ("key", "label", "metric_codes", "weight", "threshold", "accelerator", "cap", "target", "missing")
    extra = 0


@admin.register(CompensationPlan)
class CompensationPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "version", "status", "effective_from", "effective_to", "target_bonus", "currency")
    list_filter = ("status", "period")
    inlines = [PlanComponentInline]
    actions = ["publish"]

    @admin.action(description=_("Publish the selected draft versions"))
    def publish(self, request, queryset):
        _each(self, request, queryset, lambda plan: comp.plan_publish(by=request.user, plan=plan),
              _("%(count)d plan versions published."))


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "plan", "starts_on", "ends_on")
    list_select_related = ("user", "plan")


class PayoutLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PayoutLine
    fields = ("kind", "component_key", "metric_code", "value", "weight", "factor", "contribution",
              "corrects_period_start")
    extra = 0


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "period_start", "period_end", "plan", "status", "total", "currency")
    list_filter = ("status", "period_start")
    list_select_related = ("user", "plan")
    inlines = [PayoutLineInline]
    actions = ["approve", "mark_paid"]

    @admin.action(description=_("Approve the selected payouts"))
    def approve(self, request, queryset):
        _each(self, request, queryset, lambda payout: comp.payout_approve(by=request.user, payout=payout),
              _("%(count)d payouts approved."))

    @admin.action(description=_("Mark the selected payouts paid"))
    def mark_paid(self, request, queryset):
        _each(self, request, queryset, lambda payout: comp.payout_mark_paid(by=request.user, payout=payout),
              _("%(count)d payouts marked paid."))


@admin.register(PayoutDispute)
class PayoutDisputeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("line", "raised_by", "status", "created_at", "answered_by")
    list_filter = ("status",)
    list_select_related = ("line", "raised_by", "answered_by")


# --- saved filters of the lists (issue 12) ------------------------------------------------------
from .models import SavedFilter  # noqa: E402


@admin.register(SavedFilter)
class SavedFilterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Viewable for support; a person saves and deletes their own filters on the list pages or
    through /api/v1/saved-filters/ (teams.services.saved_filters), nobody else's."""

    list_display = ("name", "user", "list_key", "query", "created_at")
    list_filter = ("list_key",)
    list_select_related = ("user",)
    search_fields = ("name", "user__username")
