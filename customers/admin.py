"""Customers in the admin: every save and delete (change forms, the contacts inline, the delete
action) goes through customers.services, which check the rule, lock, and audit."""
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from salesops.admin import ServiceWritesAdminMixin
from teams.predicates import can_delete_account, can_delete_contact, can_delete_activity

from . import services
from .selectors import activity_is_late
from .models import Account, Activity, Contact, Sector


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


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    """Reference data (issue 13): sectors as source files name them, each mapped to an industry code.
    An import adds a value it has not seen as a new row (and says so); an administrator may add, name
    in Chinese or map them here."""

    list_display = ("name", "name_zh_hans", "code", "industry", "source")
    list_filter = ("industry",)
    search_fields = ("name", "code")


@admin.register(Account)
class AccountAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    list_display = ("name", "domain", "industry", "employees", "region", "owner", "success_owner", "page_link",
                    "created_at")
    list_filter = ("industry", "region")
    list_select_related = ("owner", "success_owner")
    search_fields = ("name", "domain")
    autocomplete_fields = ("owner", "success_owner")
    readonly_fields = ("created_at", "updated_at")
    inlines = [ContactInline]

    @admin.display(description=_("customer-360 page"))
    def page_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Open the page"))

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
    list_display = ("name", "account_link", "email", "phone", "title")
    list_select_related = ("account",)
    search_fields = ("name", "email", "account__name")
    raw_id_fields = ("account",)
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request, obj=None):
        return ("account", *self.readonly_fields) if obj is not None else self.readonly_fields

    @admin.display(description=_("account"), ordering="account__name")
    def account_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.account.get_absolute_url(), obj.account.name)

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


# --- surveys (h5): read-only here; surveys are managed on their pages and the API, answers come
# through survey_response_record (the personal link, the API), invitations through survey_send.
from salesops.admin import ReadOnlyAdminMixin  # noqa: E402

from .models import Survey, SurveyInvitation, SurveyResponse  # noqa: E402


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["survey", "account", "contact", "kind", "score", "responded_at"]
    list_filter = ["kind"]
    list_select_related = ["survey", "account", "contact"]
    raw_id_fields = ["survey", "account", "contact"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["survey", "contact", "account", "status", "sent_at", "expires_at", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["survey", "account", "contact"]
    exclude = ["token"]  # the personal link is the contact's, not the admin's
    raw_id_fields = ["survey", "account", "contact", "response", "sent_by"]
# --- contracts, usage and tickets (h3) ---------------------------------------------------------
from salesops.admin import ReadOnlyAdminMixin  # noqa: E402
from teams.predicates import can_delete_contract  # noqa: E402

from .models import Contract, Ticket, UsageEvent  # noqa: E402


@admin.register(Contract)
class ContractAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    """Contracts: saved and deleted through customers.services; the status, the outcome and the
    successor change only through the renewal service (the contract list's renewal form or the API)."""

    list_display = ("account", "product", "start", "end", "mrr", "currency", "status", "outcome")
    list_filter = ("status", "outcome", "term", "currency")
    list_select_related = ("account",)
    search_fields = ("account__name", "product", "external_ref")
    raw_id_fields = ("account",)
    readonly_fields = ("status", "outcome", "outcome_at", "renewed_by", "last_reminder_days", "created_at",
                       "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return ("account", *self.readonly_fields) if obj is not None else self.readonly_fields

    def may_delete(self, request, obj) -> bool:
        return can_delete_contract(request.user, obj)

    def delete_objects(self, request, objs) -> None:
        services.contracts_delete(contracts=Contract.objects.filter(pk__in=[c.pk for c in objs]), by=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.contract_update(contract=obj, by=request.user, **_changed(form, services.CONTRACT_FIELDS))
        else:
            saved = services.contract_create(by=request.user, account=form.cleaned_data["account"],
                                             **_given(form, services.CONTRACT_FIELDS))
        _adopt(obj, saved)


@admin.register(UsageEvent)
class UsageEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Posted by the product through /api/v1/usage-events/; read here."""

    list_display = ("account", "feature", "quantity", "occurred_at", "external_id")
    list_select_related = ("account",)
    search_fields = ("external_id", "account__name", "feature")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Posted by the help desk through /api/v1/tickets/; read here."""

    list_display = ("account", "subject", "priority", "opened_at", "closed_at", "satisfaction")
    list_filter = ("priority",)
    list_select_related = ("account",)
    search_fields = ("external_id", "account__name", "subject")
# --- h6: spend, customer import mappings and jobs -------------------------------------------------
from salesops.admin import ReadOnlyAdminMixin  # noqa: E402
from teams.predicates import can_record_spend  # noqa: E402

from .models import CustomerImportJob, CustomerImportMapping, Spend  # noqa: E402


@admin.register(Spend)
class SpendAdmin(ServiceWritesAdminMixin, admin.ModelAdmin):
    list_display = ("month", "channel", "amount", "currency", "recorded_by")
    list_filter = ("channel", "currency")
    date_hierarchy = "month"
    readonly_fields = ("recorded_by", "created_at", "updated_at")

    def has_module_permission(self, request):
        return super().has_module_permission(request) and can_record_spend(request.user)

    def may_delete(self, request, obj) -> bool:
        return can_record_spend(request.user)

    def delete_objects(self, request, objs) -> None:
        services.spends_delete(spends=Spend.objects.filter(pk__in=[s.pk for s in objs]), by=request.user)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.spend_update(spend=obj, by=request.user, **_changed(form, services.SPEND_FIELDS))
        else:
            saved = services.spend_record(by=request.user, **_given(form, services.SPEND_FIELDS))
        _adopt(obj, saved)


@admin.register(CustomerImportMapping)
class CustomerImportMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "currency", "product", "updated_at")
    search_fields = ("name",)


@admin.register(CustomerImportJob)
class CustomerImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("file_name", "status", "processed", "total", "created_by", "created_at", "finished_at")
    list_filter = ("status",)
    list_select_related = ("created_by",)
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
