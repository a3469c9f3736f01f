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

    list_display = ("name", "manager")
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
