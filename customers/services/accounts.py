"""Writes to accounts and contacts. Views, the API, the admin and pipeline.services come through here.

Every change locks its row; deleting is a service too: the predicate in teams.predicates decides
who may delete what, the deletion is audited in the admin log (teams.services.audit_log), and
rows still needed elsewhere (an account with deals: on_delete=PROTECT) are refused with a clear
error instead of a 500.
"""
from collections.abc import Callable

from django.contrib.admin.models import DELETION
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, ProtectedError, QuerySet
from django.utils.translation import gettext as _

from teams.predicates import can_change_customer_records, can_create_account, can_delete_account, can_delete_contact
from teams.selectors import CHANGE, assignable_users_for, success_owner_choices_for
from teams.services import audit_log, check_known_fields

from ..duplicates import normalize_domain
from ..models import Account, Contact
from ..selectors import account_queryset_for

ACCOUNT_FIELDS = ("name", "industry", "employees", "region", "owner", "success_owner", "domain", "external_ref")
CONTACT_FIELDS = ("name", "email", "phone", "title")


def _check_owner(*, by, owner) -> None:
    if owner is not None and not assignable_users_for(user=by).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("You cannot assign records to this user.")})


def _check_success_owner(*, by, owner) -> None:
    if owner is not None and not success_owner_choices_for(user=by).filter(pk=owner.pk).exists():
        raise ValidationError({"success_owner": _("You cannot make this user the success owner.")})


def _check_account_access(*, by, account: Account, action: str = CHANGE) -> None:
    if not can_change_customer_records(by):
        raise PermissionDenied(_("Your role reads accounts but does not change them."))
    if not account_queryset_for(user=by, action=action).filter(pk=account.pk).exists():
        raise ValidationError({"account": _("You cannot use this account.")})


def _apply(row, fields: dict) -> None:
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()


@transaction.atomic
def account_create(*, by, **fields) -> Account:
    check_known_fields(fields, ACCOUNT_FIELDS)
    if not can_create_account(by):
        raise PermissionDenied(_("Your role reads accounts but does not create them."))
    fields.setdefault("owner", by)
    if "domain" in fields:
        fields["domain"] = normalize_domain(fields["domain"])
    _check_owner(by=by, owner=fields["owner"])
    _check_success_owner(by=by, owner=fields.get("success_owner"))
    account = Account(**fields)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def account_update(*, account: Account, by, **fields) -> Account:
    check_known_fields(fields, ACCOUNT_FIELDS)
    _check_account_access(by=by, account=account)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if "owner" in fields and fields["owner"] != account.owner:
        _check_owner(by=by, owner=fields["owner"])
    if "success_owner" in fields and fields["success_owner"] != account.success_owner:
        _check_success_owner(by=by, owner=fields["success_owner"])
    if "domain" in fields:
        fields["domain"] = normalize_domain(fields["domain"])
    _apply(account, fields)
    return account


@transaction.atomic
def contact_create(*, by, account: Account, **fields) -> Contact:
    check_known_fields(fields, CONTACT_FIELDS)
    _check_account_access(by=by, account=account)
    contact = Contact(account=account, **fields)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by, **fields) -> Contact:
    fields.pop("account", None)  # a contact stays with its account
    check_known_fields(fields, CONTACT_FIELDS)
    contact = Contact.objects.select_for_update().select_related("account").get(pk=contact.pk)
    _check_account_access(by=by, account=contact.account)
    _apply(contact, fields)
    return contact


# --- deleting ---------------------------------------------------------------------------------

def _delete(*, rows: QuerySet, by, may_delete: Callable, refused: str, describe: Callable[[list], dict],
            protected: str = "") -> int:
    """Lock `rows`, check `may_delete(by, row)` for each, delete them in one statement, audit each
    with `describe(locked rows) -> {pk: note}`. Nothing is deleted when one row is refused
    (PermissionDenied) or protected (ValidationError)."""
    locked = list(rows.select_for_update(of=("self",)))
    not_allowed = [row for row in locked if not may_delete(by, row)]
    if not_allowed:
        raise PermissionDenied(refused % {"names": ", ".join(str(row) for row in not_allowed[:10])})
    notes = describe(locked)
    try:
        rows.model.objects.filter(pk__in=notes).delete()
    except ProtectedError as exc:
        names = ", ".join(sorted({str(obj) for obj in exc.protected_objects})[:10])
        raise ValidationError((protected or _("Still in use, so nothing was deleted: %(names)s."))
                              % {"names": names}) from exc
    audit_log(by=by, objects=locked, flag=DELETION, message=lambda row: notes[row.pk])
    return len(locked)


@transaction.atomic
def accounts_delete(*, accounts: QuerySet[Account], by) -> int:
    """Delete accounts with their contacts and activity log (admins). An account with deals is
    refused (pipeline protects it): close or move its deals first."""
    def describe(locked):
        counts = Account.objects.filter(pk__in=[a.pk for a in locked]).values("pk").annotate(
            contacts=Count("contacts", distinct=True), activities=Count("activities", distinct=True))
        return {row["pk"]: "Deleted with {contacts} contacts and {activities} activities.".format(**row)
                for row in counts}

    return _delete(
        rows=accounts, by=by, may_delete=can_delete_account, describe=describe,
        refused=_("Only administrators delete accounts: %(names)s."),
        protected=_("An account with opportunities cannot be deleted; close or move them first: %(names)s."))


def account_delete(*, account: Account, by) -> None:
    accounts_delete(accounts=Account.objects.filter(pk=account.pk), by=by)


@transaction.atomic
def contacts_delete(*, contacts: QuerySet[Contact], by) -> int:
    """Delete contacts (whoever may change their account); activities and deals keep their rows."""
    return _delete(rows=contacts.select_related("account__owner__team"), by=by, may_delete=can_delete_contact,
                   refused=_("You may not delete these contacts: %(names)s."),
                   describe=lambda locked: {c.pk: f"Contact of {c.account}." for c in locked})


def contact_delete(*, contact: Contact, by) -> None:
    contacts_delete(contacts=Contact.objects.filter(pk=contact.pk), by=by)
