from django.contrib import admin

from .models import Account, Contact, Interaction


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("name", "email", "phone", "title")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "industry", "employees", "region", "owner", "created_at")
    list_filter = ("industry", "region")
    list_select_related = ("owner",)
    search_fields = ("name",)
    autocomplete_fields = ("owner",)
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "email", "phone", "title")
    list_select_related = ("account",)
    search_fields = ("name", "email", "account__name")
    raw_id_fields = ("account",)


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("account", "kind", "occurred_at", "logged_at", "owner")
    list_filter = ("kind",)
    list_select_related = ("account", "owner")
    raw_id_fields = ("account", "contact")
    autocomplete_fields = ("owner",)
