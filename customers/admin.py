"""Customers in the admin: every save and delete (change forms, the contacts inline, the delete
action) goes through customers.services, which check the rule, lock, and audit."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from salesops.admin import ServiceWritesAdminMixin
from teams.predicates import can_delete_account, can_delete_contact, can_delete_activity

from . import services
from .selectors import activity_is_late
from .models import Account, Contact, Activity


def _changed(form, allowed) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in allowed}


def _given(form, allowed) -> dict:
    return {name: form.cleaned_data[name] for name in allowed if name in form.cleaned_data}


def _adopt(obj, saved) -> None:
    """The admin keeps using its own instance (inlines, redirects): give it the saved row."""
    obj.pk, obj._state.adding = saved.pk, False
    obj.refresh_from_db()


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("name", "email", "phone", "title")

    def has_delete_permission(self, request, obj=None):
        # obj is the account here: deleting its contacts is for whoever may change it
        return super().has_delete_permission(request, obj) and (
            obj is None or can_delete_contact(request.user, Contact(account=obj)))


@admin.register(Account)
class AccountAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    list_display = ("name", "industry", "employees", "region", "owner", "created_at")
    list_filter = ("industry", "region")
    list_select_related = ("owner",)
    search_fields = ("name",)
    autocomplete_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [ContactInline]

    def may_delete(self, request, obj) -> bool:
        return can_delete_account(request.user, obj)

    def delete_objects(self, request, objs) -> None:
        services.accounts_delete(accounts=Account.objects.filter(pk__in=[a.pk for a in objs]), by=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.account_update(account=obj, by=request.user, **_changed(form, services.ACCOUNT_FIELDS))
        else:
            saved = services.account_create(by=request.user, **_given(form, services.ACCOUNT_FIELDS))
        _adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        """The contacts inline: new, changed and deleted contacts each through their service."""
        formset.save(commit=False)  # fills new_objects, changed_objects and deleted_objects; writes nothing
        if formset.deleted_objects:
            services.contacts_delete(contacts=Contact.objects.filter(pk__in=[c.pk for c in formset.deleted_objects]),
                                     by=request.user)
        for contact, changed in formset.changed_objects:
            services.contact_update(contact=contact, by=request.user,
                                    **{name: getattr(contact, name) for name in changed})
        for contact in formset.new_objects:
            _adopt(contact, services.contact_create(
                by=request.user, account=form.instance,
                **{name: getattr(contact, name) for name in services.CONTACT_FIELDS}))


@admin.register(Contact)
class ContactAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    list_display = ("name", "account", "email", "phone", "title")
    list_select_related = ("account",)
    search_fields = ("name", "email", "account__name")
    raw_id_fields = ("account",)
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request, obj=None):
        return ("account", *self.readonly_fields) if obj is not None else self.readonly_fields

    def may_delete(self, request, obj) -> bool:
        return can_delete_contact(request.user, obj)

    def delete_objects(self, request, objs) -> None:
        services.contacts_delete(contacts=Contact.objects.filter(pk__in=[c.pk for c in objs]), by=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.contact_update(contact=obj, by=request.user, **_changed(form, services.CONTACT_FIELDS))
        else:
            saved = services.contact_create(by=request.user, account=form.cleaned_data["account"],
                                            **_given(form, services.CONTACT_FIELDS))
        _adopt(obj, saved)


@admin.register(Activity)
class ActivityAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    """Activities and tasks through customers.services: logged on an account or a lead (the 24-hour rule
    applies: never in the future, late ones flagged), changed by whoever may change them, deleted
    through activities_delete. Completion and reminders are the service's (read-only here)."""

    list_display = ("kind", "account", "lead", "occurred_at", "logged_at", "late", "owner", "due_at", "done_at")
    list_filter = ("kind",)
    list_select_related = ("account", "lead", "owner")
    search_fields = ("summary",)
    raw_id_fields = ("account", "lead", "contact")
    readonly_fields = ("owner", "logged_at", "done_at", "reminded_at", "key")  # the owner is whoever logs it

    @admin.display(boolean=True, description=_("Logged late"))
    def late(self, obj) -> bool:
        return activity_is_late(obj)

    def get_readonly_fields(self, request, obj=None):
        return ("account", "lead", *self.readonly_fields) if obj is not None else self.readonly_fields

    def may_delete(self, request, obj) -> bool:
        return can_delete_activity(request.user, obj)

    def delete_objects(self, request, objs) -> None:
        services.activities_delete(activities=Activity.objects.filter(pk__in=[i.pk for i in objs]),
                                   by=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.activity_update(activity=obj, by=request.user,
                                             **_changed(form, services.ACTIVITY_FIELDS))
        else:
            saved = services.activity_log(by=request.user, account=form.cleaned_data.get("account"),
                                          lead=form.cleaned_data.get("lead"), **_given(form, services.ACTIVITY_FIELDS))
        _adopt(obj, saved)
