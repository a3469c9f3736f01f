"""Customers in the admin: every save and delete (change forms, the contacts inline, the delete
action) goes through customers.services, which check the rule, lock, and audit."""
from django.contrib import admin
from django.utils.html import format_html
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
