from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Quota, Team, Territory, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Sales organisation"), {"fields": ("role", "team", "territory", "hired_on", "is_away")}),
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


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "manager")
    list_select_related = ("manager",)
    search_fields = ("name",)
    inlines = [MemberInline]


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
