"""Customers in the admin: every save and delete (change forms, the contacts inline, the delete
action) goes through customers.services, which check the rule, lock, and audit."""
from django.contrib import admin

from salesops.admin import ServiceWritesAdminMixin
from teams.predicates import can_delete_account, can_delete_contact, can_delete_activity

from . import services
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
    list_display = ("account", "kind", "occurred_at", "logged_at", "owner")
    list_filter = ("kind",)
    list_select_related = ("account", "owner")
    raw_id_fields = ("account", "contact")
    readonly_fields = ("owner", "logged_at")  # the owner is whoever logs it

    def get_readonly_fields(self, request, obj=None):
        return ("account", *self.readonly_fields) if obj is not None else self.readonly_fields

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
            saved = services.activity_log(by=request.user, account=form.cleaned_data["account"],
                                             **_given(form, services.ACTIVITY_FIELDS))
        _adopt(obj, saved)


# --- health (h4): models, components and bands saved together through customers.services.health --------
from salesops.admin import ReadOnlyAdminMixin  # noqa: E402
from teams.predicates import can_manage_health_models  # noqa: E402

from .models import (  # noqa: E402
    AccountHealth, HealthBand, HealthComponent, HealthModel, HealthRecomputeJob, HealthScoreHistory,
)
from .services.health import health_model_delete, health_model_save  # noqa: E402


class _HealthManagersMixin:
    def _may(self, request):
        return can_manage_health_models(request.user)

    def has_add_permission(self, request, *args):  # (request) on a model admin, (request, obj) on an inline
        return self._may(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request) and super().has_delete_permission(request, obj)


class HealthComponentInline(_HealthManagersMixin, admin.TabularInline):
    model = HealthComponent
    extra = 0
    fields = ("code", "weight", "parameters")


class HealthBandInline(_HealthManagersMixin, admin.TabularInline):
    model = HealthBand
    extra = 0
    fields = ("code", "min", "max")


def _inline_rows(formset, fields) -> list[dict]:
    return [{f: form.cleaned_data.get(f) for f in fields} for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")]


@admin.register(HealthModel)
class HealthModelAdmin(_HealthManagersMixin, ServiceWritesAdminMixin, admin.ModelAdmin):
    """Saving validates the model, its components (weights > 0, parameters within bounds) and its bands
    (covering 0–100) together in health_model_save; nothing is saved when any of it is wrong."""

    list_display = ("name", "segment", "is_active", "priority", "updated_at")
    inlines = [HealthComponentInline, HealthBandInline]

    def save_model(self, request, obj, form, change):
        pass  # saved with its inlines in save_related, through the service

    def save_related(self, request, form, formsets, change):
        rows = {fs.model: fs for fs in formsets}
        components = _inline_rows(rows[HealthComponent], ("code", "weight", "parameters"))
        for c in components:
            c["parameters"] = c["parameters"] or {}
        bands = _inline_rows(rows[HealthBand], ("code", "min", "max"))
        data = {f: form.cleaned_data[f] for f in ("name", "segment", "onboarding_days", "is_active", "priority")}
        saved = health_model_save(by=request.user, model=form.instance if change else None,
                                  components=components, bands=bands, **data)
        _adopt(form.instance, saved)

    def construct_change_message(self, request, form, formsets, add=False):
        return []  # the inline formsets were not saved by the admin (log rows are not written anyway)

    def delete_objects(self, request, objs):
        for obj in objs:
            health_model_delete(by=request.user, model=obj)


@admin.register(AccountHealth)
class AccountHealthAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("account", "score", "band", "model", "computed_at")
    list_filter = ("band",)
    list_select_related = ("account", "model")


@admin.register(HealthScoreHistory)
class HealthScoreHistoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("account", "day", "score", "band", "model")
    list_select_related = ("account", "model")


@admin.register(HealthRecomputeJob)
class HealthRecomputeJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "status", "processed", "last_id", "max_id", "error", "created_at")
