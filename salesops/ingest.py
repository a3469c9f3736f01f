"""Bulk ingest by external id: the one pattern behind every "POST a list of facts" endpoint
(leads' behaviour events, customers' usage events and support tickets).

The shape, for a batch (a JSON list, or one object treated as a batch of one):
1. `validate_batch`: refuse an empty or oversized batch (a plain ValidationError), then resolve
   every item with the caller's resolver -- which loads what the whole batch names with a constant
   number of queries -- and collect the errors *by item index*. If any item is invalid nothing is
   stored: `BatchError.item_errors` is {index: {field: [messages]}}.
2. `ingest_atomically`: store in one transaction. Items whose external id is already stored, or
   repeats within the batch, are duplicates (`first_occurrences`); the caller decides whether a
   duplicate changes nothing (events, usage) or updates the stored row (tickets). When a concurrent
   request stores the same external id first, the unique constraint fails: the batch is validated
   and stored once more, when those rows are visible and count as duplicates.

This module is the base layer: it imports no app. The parse helpers raise translated
ValidationErrors whose first message is what the item reports for the field.
"""
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .dates import validate_event_time

MAX_BATCH = 1000
CREATED, UPDATED, DUPLICATE = "created", "updated", "duplicate"

T = TypeVar("T")
R = TypeVar("R")


class BatchError(ValidationError):
    """Some items are invalid; nothing was stored. `item_errors`: {index: {field: [messages]}}."""

    def __init__(self, item_errors: dict[int, dict[str, list[str]]], *, total: int):
        self.item_errors = item_errors
        self.total = total
        super().__init__({
            str(index): [f"{name}: {message}" for name, messages in errors.items() for message in messages]
            for index, errors in item_errors.items()
        })


class ItemErrors(dict):
    """The errors of one item, {field: [messages]}, filled with `fail(field, message)`."""

    def fail(self, name: str, message: str, code: str = "invalid") -> None:
        self.setdefault(str(name), []).append(str(message))
        self.__dict__.setdefault("codes", {}).setdefault(str(name), []).append(code)

    def parse(self, name: str, parse: Callable[[Any], T], value) -> T | None:
        """`parse(value)`, or None with the ValidationError's first message recorded for `name`."""
        try:
            return parse(value)
        except ValidationError as exc:
            self.fail(name, exc.messages[0], getattr(exc, "code", None) or exc.error_list[0].code or "invalid")
            return None


def validate_batch(items, *, resolve: Callable[[Any], tuple[T | None, dict]], max_batch: int = MAX_BATCH,
                   empty_message: str = "", too_many_message: str = "") -> list[T]:
    """Check the batch's size, then `resolve(raw) -> (item, errors)` each item; BatchError if any failed."""
    if not isinstance(items, list) or not items:
        raise ValidationError(empty_message or _("Send one item or a non-empty list of items."))
    if len(items) > max_batch:
        raise ValidationError((too_many_message or _("Send at most %(max)s items at a time.")) % {"max": max_batch})
    parsed, item_errors = [], {}
    for index, raw in enumerate(items):
        item, errors = resolve(raw)
        if errors:
            item_errors[index] = errors if isinstance(errors, ItemErrors) else dict(errors)
        parsed.append(item)
    if item_errors:
        raise BatchError(item_errors, total=len(items))
    return parsed


def ingest_atomically(*, validate: Callable[[], T], store: Callable[[T], R], clash_message: str = "") -> R:
    """`store(validate())` in one transaction; on a unique-constraint clash with a concurrent request,
    validate and store once more (its rows are then visible as duplicates)."""
    parsed = validate()
    for attempt in range(2):
        try:
            with transaction.atomic():
                return store(parsed)
        except IntegrityError:
            if attempt:
                raise ValidationError(clash_message or _("These items clash with items stored at the same time; "
                                                         "retry.")) from None
            parsed = validate()
    raise AssertionError("unreachable")


def first_occurrences(keys: Sequence[str | None], stored: Iterable[str]) -> list[bool]:
    """Per key: True when it is new (not in `stored` and not seen earlier in `keys`). A missing key
    (None) is always new: items without an external id are never deduplicated."""
    stored, seen, flags = set(stored), set(), []
    for key in keys:
        new = key is None or (key not in stored and key not in seen)
        if key is not None:
            seen.add(key)
        flags.append(new)
    return flags


def unknown_fields(raw: dict, allowed: Iterable[str], errors: ItemErrors) -> None:
    for name in sorted(set(raw) - set(allowed), key=str):
        errors.fail(str(name), _("Unknown field."))


def is_blank(value) -> bool:
    return value is None or value == ""


# --- parsing one value --------------------------------------------------------------------------

def parse_id(value) -> int | None:
    """A row id given as a JSON number or a string of digits; anything else is None."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        return None
    return value


def parse_event_time(value) -> datetime:
    """An ISO 8601 date-time with an offset of something that happened, 1970 .. a day ahead.

    A date-time without an offset is refused (code `naive_datetime`): read in the server's zone it
    would silently be hours off for a client elsewhere."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(value.strip()) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(_("Enter a valid date and time in ISO 8601 format, e.g. 2026-05-01T10:00:00Z."))
    if timezone.is_naive(parsed):
        raise ValidationError(naive_datetime_message(), code="naive_datetime")
    validate_event_time(parsed)  # 1970 .. a day ahead: year 1 would be stored as 1 BC
    return parsed


def naive_datetime_message() -> str:
    return _("Give the time zone: a date and time without an offset is ambiguous, e.g. 2026-05-01T10:00:00Z "
             "or 2026-05-01T12:00:00+02:00.")


def parse_external_id(value, *, max_length: int = 200) -> str | None:
    """The poster's id of an item: a string (or a number), stripped; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError(_("The external id must be a string."))
    value = str(value).strip()
    if len(value) > max_length:
        raise ValidationError(_("The external id may have at most %(max)s characters.") % {"max": max_length})
    return value or None


def parse_text(value, *, max_length: int, required: bool = False) -> str:
    if is_blank(value):
        if required:
            raise ValidationError(_("This field is required."))
        return ""
    if not isinstance(value, str):
        raise ValidationError(_("Enter a text."))
    value = value.strip()
    if "\x00" in value:
        raise ValidationError(_("Null characters are not allowed."))
    if required and not value:
        raise ValidationError(_("This field is required."))
    if len(value) > max_length:
        raise ValidationError(_("Ensure this value has at most %(max)s characters.") % {"max": max_length})
    return value


def parse_decimal(value, *, max_digits: int, decimal_places: int, minimum: Decimal = Decimal("0")) -> Decimal:
    """A number (JSON number or numeric string) with at most `decimal_places` decimals, >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValidationError(_("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    if number < minimum:
        raise ValidationError(_("Ensure this value is greater than or equal to %(min)s.") % {"min": minimum})
    if abs(number) >= Decimal(10) ** (max_digits - decimal_places):
        raise ValidationError(_("Ensure that there are no more than %(max)s digits in total.") % {"max": max_digits})
    try:
        rounded = number.quantize(Decimal(1).scaleb(-decimal_places))
    except InvalidOperation:  # an exponent too far for the context (e.g. 1e-999999999)
        rounded = None
    if rounded is None or rounded != number:
        raise ValidationError(_("Ensure that there are no more than %(max)s decimal places.") % {"max": decimal_places})
    return rounded


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$")


def parse_rfc3339(value) -> datetime:
    """As `parse_event_time`, for endpoints whose schema states `format: date-time`: only an RFC 3339
    string with seconds and an offset (e.g. 2026-05-01T10:00:00Z) is accepted."""
    if not isinstance(value, str) or not RFC3339.match(value.strip()):
        raise ValidationError(_("Enter a valid date and time in ISO 8601 format, e.g. 2026-05-01T10:00:00Z."))
    return parse_event_time(value)


def parse_choice(value, *, choices: Iterable[str]) -> str:
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(_("“%(value)s” is not a valid choice; choose one of: %(choices)s.")
                              % {"value": value, "choices": ", ".join(choices)})
    return value


def parse_int_between(value, *, minimum: int, maximum: int) -> int:
    """A whole JSON number in [minimum, maximum] (not a string, not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError(_("Enter a whole number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum})
    return value


# --- the API side -------------------------------------------------------------------------------

def request_items(data) -> tuple[list, bool]:
    """(items, many) from a request body: a JSON list is a batch, anything else one item."""
    if isinstance(data, list):
        return data, True
    return [data.dict() if hasattr(data, "dict") else data], False


def batch_error_body(exc: BatchError, *, many: bool, detail: str) -> dict:
    """The 400 body: one item's errors as they are; a batch's with `detail` and errors by index."""
    if not many:
        return {**exc.item_errors[0], **error_codes(exc.item_errors[0])}
    return {"detail": detail, "code": "invalid_items",
            "items": {str(index): {**errors, **error_codes(errors)} for index, errors in exc.item_errors.items()}}


def error_codes(errors: dict) -> dict:
    """`code` (the one code when all agree, else "invalid") and `codes` {field: [codes]} of an item's errors."""
    codes = getattr(errors, "codes", None) or {name: ["invalid"] * len(messages) for name, messages in errors.items()}
    distinct = {code for field_codes in codes.values() for code in field_codes}
    return {"code": distinct.pop() if len(distinct) == 1 else "invalid", "codes": codes}
