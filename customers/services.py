"""Writes to customers. Views, the API, the admin and pipeline.services come through here."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.selectors import CHANGE, VIEW, assignable_users_for

from .models import Account, Contact, Interaction
from .selectors import account_queryset_for

ACCOUNT_FIELDS = ("name", "industry", "employees", "region", "owner", "external_ref")
CONTACT_FIELDS = ("name", "email", "phone", "title")
INTERACTION_FIELDS = ("kind", "occurred_at", "summary", "contact")  # the deal link is pipeline's


def _check_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def _check_owner(*, by, owner) -> None:
    if owner is not None and not assignable_users_for(user=by).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("You cannot assign records to this user.")})


def _check_account_access(*, by, account: Account, action: str = CHANGE) -> None:
    if not account_queryset_for(user=by, action=action).filter(pk=account.pk).exists():
        raise ValidationError({"account": _("You cannot use this account.")})


@transaction.atomic
def account_create(*, by, **fields) -> Account:
    _check_fields(fields, ACCOUNT_FIELDS)
    fields.setdefault("owner", by)
    _check_owner(by=by, owner=fields["owner"])
    account = Account(**fields)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def account_update(*, account: Account, by, **fields) -> Account:
    _check_fields(fields, ACCOUNT_FIELDS)
    if "owner" in fields and fields["owner"] != account.owner:
        _check_owner(by=by, owner=fields["owner"])
    for name, value in fields.items():
        setattr(account, name, value)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def contact_create(*, by, account: Account, **fields) -> Contact:
    _check_fields(fields, CONTACT_FIELDS)
    _check_account_access(by=by, account=account)
    contact = Contact(account=account, **fields)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by, **fields) -> Contact:
    fields.pop("account", None)  # a contact stays with its account
    _check_fields(fields, CONTACT_FIELDS)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    return contact


def _check_interaction_links(*, account: Account, contact=None) -> None:
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": _("This contact belongs to another account.")})


@transaction.atomic
def interaction_log(*, by, account: Account, **fields) -> Interaction:
    """Log a call, meeting, email or note (owner: the person logging it)."""
    _check_fields(fields, INTERACTION_FIELDS)
    _check_account_access(by=by, account=account, action=VIEW)
    _check_interaction_links(account=account, contact=fields.get("contact"))
    interaction = Interaction(account=account, owner=by, **fields)
    interaction.full_clean()
    interaction.save()
    return interaction


@transaction.atomic
def interaction_update(*, interaction: Interaction, by, **fields) -> Interaction:
    fields.pop("account", None)
    _check_fields(fields, INTERACTION_FIELDS)
    for name, value in fields.items():
        setattr(interaction, name, value)
    _check_interaction_links(account=interaction.account, contact=interaction.contact)
    interaction.full_clean()
    interaction.save()
    return interaction
