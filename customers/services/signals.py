"""Usage events and support tickets, posted in bulk by the product and the help desk (the shared
bulk-ingest pattern of salesops.ingest, as leads' behaviour events).

A batch is all-or-nothing: every item is validated first (errors by index) and nothing is stored if
one is invalid. The account is given by id (`account`) or by its external reference
(`account_ref`), and must be one the poster may change (its owners, their managers, admins):
an integration posts with an administrator's token. Idempotent by `external_id`:
- a usage event already stored (or repeated in the batch) is a duplicate and changes nothing;
- a ticket already stored is updated: its `closed_at`, `satisfaction` and `priority` take the
  values the item carries (status "updated"; "duplicate" when nothing differs; a field the item
  leaves out (or an empty priority) keeps its value; `"closed_at": null` reopens, `"satisfaction":
  null` clears the rating). Its account, subject and opening
  time stay as first posted.
After commit, the health of every account that received new data is recomputed.
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from django.core.exceptions import ValidationError

from salesops.ingest import (
    CREATED, DUPLICATE, MAX_BATCH, UPDATED, ItemErrors, first_occurrences, ingest_atomically, is_blank,
    parse_choice, parse_decimal, parse_external_id, parse_id, parse_int_between, parse_rfc3339, parse_text,
    unknown_fields, validate_batch,
)
from teams.selectors import CHANGE

from ..models import Account, Ticket, UsageEvent
from ..selectors import account_queryset_for
from .health import health_recompute_later

USAGE_FIELDS = {"account", "account_ref", "external_id", "feature", "quantity", "occurred_at"}
TICKET_FIELDS = {"account", "account_ref", "external_id", "subject", "priority", "opened_at", "closed_at",
                 "satisfaction"}
TICKET_UPDATABLE = ("closed_at", "satisfaction", "priority")


@dataclass
class IngestResult:
    """Per item, in order: (status, row id); `account_ids`: the accounts that got new data."""

    statuses: list[tuple[str, int]] = field(default_factory=list)
    account_ids: set[int] = field(default_factory=set)

    def count(self, status: str) -> int:
        return sum(1 for s, _pk in self.statuses if s == status)


class _Accounts:
    """The accounts a batch names (by id or external reference), loaded in two queries."""

    def __init__(self, *, by, raw_items: list):
        dicts = [raw for raw in raw_items if isinstance(raw, dict)]
        scope = account_queryset_for(user=by, action=CHANGE).select_related(None).only("pk", "name", "external_ref")
        ids = {parse_id(raw.get("account")) for raw in dicts if isinstance(raw.get("account"), int)} - {None}
        refs = {raw["account_ref"].strip() for raw in dicts if isinstance(raw.get("account_ref"), str)} - {""}
        self.by_id = {a.pk: a for a in scope.filter(pk__in=ids)} if ids else {}
        self.by_ref: dict[str, Account] = {}
        if refs:
            for account in scope.filter(external_ref__in=refs).order_by("pk"):
                self.by_ref.setdefault(account.external_ref, account)

    def begin(self, raw: dict, allowed) -> tuple[ItemErrors, Account | None, str | None]:
        """What every item has: no unknown fields, an account, an external id."""
        errors = ItemErrors()
        unknown_fields(raw, allowed, errors)
        return errors, self.resolve(raw, errors), _required(raw, "external_id", errors, _external_id)

    def resolve(self, raw: dict, errors: ItemErrors) -> Account | None:
        account_id, ref = raw.get("account"), raw.get("account_ref")
        if account_id is not None and not is_blank(ref):
            errors.fail("account", _("Give either an account id or an account reference, not both."))
        elif account_id is not None:
            account = self.by_id.get(parse_id(account_id)) if isinstance(account_id, int) else None
            if account is None:
                errors.fail("account", _("No account with id “%(id)s” that you may add data to.") % {"id": account_id})
            return account
        elif not is_blank(ref):
            account = self.by_ref.get(ref.strip()) if isinstance(ref, str) else None
            if account is None:
                errors.fail("account_ref", _("No account with reference “%(ref)s” that you may add data to.")
                            % {"ref": ref})
            return account
        else:
            errors.fail("account", _("Give the account id or the account's external reference."))
        return None


def _external_id(value) -> str | None:
    """The poster's id: a JSON string (the schema says so) of at most 100 characters."""
    if not isinstance(value, str):
        raise ValidationError(_("The external id must be a string."))
    return parse_external_id(value, max_length=100)


def _required(raw, name, errors, parse):
    if is_blank(raw.get(name)):
        errors.fail(name, _("This field is required."))
        return None
    return errors.parse(name, parse, raw.get(name))


def _not_an_object() -> dict:
    return {"non_field_errors": [_("Each item must be a JSON object.")]}


def _check_size(items) -> list:
    return items if isinstance(items, list) and len(items) <= MAX_BATCH else []


# --- usage events ----------------------------------------------------------------------------

@dataclass
class _Usage:
    account: Account
    external_id: str
    feature: str
    quantity: Decimal
    occurred_at: datetime


def _validate_usage(*, by, items) -> list[_Usage]:
    accounts = _Accounts(by=by, raw_items=_check_size(items))

    def resolve(raw):
        if not isinstance(raw, dict):
            return None, _not_an_object()
        errors, account, external_id = accounts.begin(raw, USAGE_FIELDS)
        feature = _required(raw, "feature", errors, lambda v: parse_text(v, max_length=100, required=True))
        quantity = Decimal("1") if raw.get("quantity") is None else errors.parse(
            "quantity", lambda v: parse_decimal(v, max_digits=14, decimal_places=2), raw.get("quantity"))
        occurred_at = _required(raw, "occurred_at", errors, parse_rfc3339)
        if errors:
            return None, errors
        return _Usage(account, external_id, feature, quantity, occurred_at), {}

    return validate_batch(items, resolve=resolve)


def _store_usage(items: list[_Usage]) -> IngestResult:
    keys = [item.external_id for item in items]
    stored = dict(UsageEvent.objects.filter(external_id__in=keys).values_list("external_id", "pk"))
    result, new_rows = IngestResult(), []
    flags = first_occurrences(keys, stored)
    for item, new in zip(items, flags, strict=True):
        if new:
            new_rows.append(UsageEvent(account=item.account, external_id=item.external_id, feature=item.feature,
                                       quantity=item.quantity, occurred_at=item.occurred_at))
    created = iter(UsageEvent.objects.bulk_create(new_rows))
    by_key = dict(stored)
    for item, new in zip(items, flags, strict=True):
        if new:
            row = next(created)
            by_key[item.external_id] = row.pk
            result.account_ids.add(item.account.pk)
            result.statuses.append((CREATED, row.pk))
        else:
            result.statuses.append((DUPLICATE, by_key[item.external_id]))
    health_recompute_later(sorted(result.account_ids))
    return result


def usage_events_ingest(*, by, items: list) -> IngestResult:
    """Store usage events (see the module's docstring); BatchError lists invalid items by index."""
    return ingest_atomically(validate=lambda: _validate_usage(by=by, items=items), store=_store_usage)


# --- tickets ---------------------------------------------------------------------------------

@dataclass
class _Ticket:
    account: Account
    external_id: str
    subject: str
    priority: str
    opened_at: datetime
    closed_at: datetime | None
    satisfaction: int | None
    given: frozenset[str]  # the updatable fields the item carries (an absent one keeps the stored value)


def _validate_tickets(*, by, items) -> list[_Ticket]:
    accounts = _Accounts(by=by, raw_items=_check_size(items))
    keys = [raw.get("external_id") for raw in _check_size(items) if isinstance(raw, dict)]
    keys = [k.strip() for k in keys if isinstance(k, str)]
    existing = {t.external_id: t for t in Ticket.objects.filter(external_id__in=keys).only(
        "external_id", "account_id", "opened_at")} if keys else {}

    def resolve(raw):
        if not isinstance(raw, dict):
            return None, _not_an_object()
        errors, account, external_id = accounts.begin(raw, TICKET_FIELDS)
        subject = errors.parse("subject", lambda v: parse_text(v, max_length=300), raw.get("subject"))
        priority = Ticket.Priority.NORMAL if is_blank(raw.get("priority")) else errors.parse(
            "priority", lambda v: parse_choice(v, choices=Ticket.Priority.values), raw.get("priority"))
        opened_at = _required(raw, "opened_at", errors, parse_rfc3339)
        closed_at = None if raw.get("closed_at") is None else errors.parse(
            "closed_at", parse_rfc3339, raw.get("closed_at"))
        satisfaction = None if raw.get("satisfaction") is None else errors.parse(
            "satisfaction", lambda v: parse_int_between(v, minimum=1, maximum=5), raw.get("satisfaction"))
        stored = existing.get(external_id)
        if stored is not None and account is not None and stored.account_id != account.pk:
            errors.fail("external_id", _("A ticket with this external id belongs to another account."))
        first_opened = stored.opened_at if stored is not None else opened_at
        if closed_at is not None and first_opened is not None and closed_at < first_opened:
            errors.fail("closed_at", _("A ticket cannot be closed before it was opened."))
        if errors:
            return None, errors
        given = frozenset(name for name in TICKET_UPDATABLE
                          if name in raw and not (name == "priority" and is_blank(raw[name])))
        return _Ticket(account, external_id, subject, priority, opened_at, closed_at, satisfaction, given), {}

    return validate_batch(items, resolve=resolve)


def _store_tickets(items: list[_Ticket]) -> IngestResult:
    keys = [item.external_id for item in items]
    stored = {t.external_id: t for t in Ticket.objects.select_for_update().filter(external_id__in=keys)}
    result, new_rows, changed = IngestResult(), [], {}
    latest = {item.external_id: item for item in items}  # a ticket repeated in the batch: its last state wins
    flags = first_occurrences(keys, stored)
    for item, new in zip(items, flags, strict=True):
        if new and item.external_id not in stored:
            last = latest[item.external_id]
            new_rows.append(Ticket(account=item.account, external_id=item.external_id, subject=item.subject,
                                   priority=last.priority, opened_at=item.opened_at, closed_at=last.closed_at,
                                   satisfaction=last.satisfaction))
    created = {row.external_id: row for row in Ticket.objects.bulk_create(new_rows)}
    for item in items:
        ticket = stored.get(item.external_id)
        if ticket is None:
            continue
        values = {name: getattr(item, name) for name in item.given}
        if any(getattr(ticket, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(ticket, name, value)
            changed[ticket.pk] = ticket
    if changed:
        for ticket in changed.values():
            ticket.full_clean(exclude=["account"], validate_unique=False)
        Ticket.objects.bulk_update(list(changed.values()), list(TICKET_UPDATABLE))
    seen = set()
    for item in items:
        key = item.external_id
        if key in created and key not in seen:
            result.statuses.append((CREATED, created[key].pk))
            result.account_ids.add(item.account.pk)
        elif key in stored and stored[key].pk in changed and key not in seen:
            result.statuses.append((UPDATED, stored[key].pk))
            result.account_ids.add(stored[key].account_id)
        else:
            result.statuses.append((DUPLICATE, (created.get(key) or stored[key]).pk))
        seen.add(key)
    health_recompute_later(sorted(result.account_ids))
    return result


def tickets_ingest(*, by, items: list) -> IngestResult:
    """Store new tickets and update known ones (see the module's docstring); BatchError lists invalid items."""
    return ingest_atomically(validate=lambda: _validate_tickets(by=by, items=items), store=_store_tickets)

