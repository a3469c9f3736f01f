"""One CSV row of a lead import -> the values of a new lead, or its row errors (no writes).

A row is converted field by field (value maps, choices, owners, numbers, dates) and then checked
as `Lead.clean_fields()` would check it, without building a model object per row: each field's
usual case (a short enough text, a number in range, a well-formed email...) is recognised by a
cheap test derived from the field's own definition, and anything else goes through the field's
own `clean()`, so the messages and the rules stay Django's.
"""
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.imports import RowError
from teams.models import User
from teams.selectors import assignable_users_for

from ...models import Lead
from ...quality import PROFILE_FIELDS
from .mapping import DATE_FIELDS, INTEGER_FIELDS, OUTCOME, PLACEHOLDER, MappingSpec

BOOLEAN_FIELDS = {"consent", "do_not_email", OUTCOME}
TRUE_VALUES = {"1", "yes", "y", "true"}
FALSE_VALUES = {"0", "no", "n", "false", ""}
DEFAULT_VALUE = "*"
LOOKUP_CHUNK = 500


def _map_value(table: dict[str, str] | None, value: str) -> str:
    if not table:
        return value
    if value in table:
        return table[value]
    folded = value.casefold()
    for key, mapped in table.items():
        if key.casefold() == folded and key != DEFAULT_VALUE:
            return mapped
    if value and DEFAULT_VALUE in table:
        return table[DEFAULT_VALUE]
    return value


class Converter:
    """Our value of each mapped field. Owners named in the file are looked up a chunk of rows at a
    time (`learn_owners`) and remembered, found or not."""

    def __init__(self, *, spec: MappingSpec, by, default_owner):
        self.spec = spec
        self.by = by
        self.choices = {}
        for name in ("industry", "region", "source", "status"):
            model_field = Lead._meta.get_field(name)
            table = {}
            for code, label in model_field.choices:
                table[str(code).casefold()] = code
                table[str(label).casefold()] = code
            self.choices[name] = table
        self.default_owner = default_owner
        self.owners: dict[str, User] = {}
        self.looked_up: set[str] = set()

    def learn_owners(self, values) -> None:
        """Look up, set-based, the owner names of the next rows not looked up yet."""
        folded = sorted({v.casefold() for v in values if v} - self.looked_up)
        if not folded:
            return
        self.looked_up.update(folded)
        users = assignable_users_for(user=self.by) if self.by is not None else User.objects.filter(is_active=True)
        for start in range(0, len(folded), LOOKUP_CHUNK):
            chunk = folded[start:start + LOOKUP_CHUNK]
            for user in users.annotate(u=Lower("username"), e=Lower("email")).filter(Q(u__in=chunk) | Q(e__in=chunk)):
                self.owners[user.username.casefold()] = user
                if user.email:
                    self.owners.setdefault(user.email.casefold(), user)

    def for_target(self, target: str):
        """The conversion of one field as a function of the text (what `convert` does for it, with
        the choice of rule made once per import instead of once per cell)."""
        if target == OUTCOME or target in BOOLEAN_FIELDS or target in DATE_FIELDS or target == "owner":
            return lambda value: self.convert(target, value)
        if target in INTEGER_FIELDS:
            def integer(value):
                if value.isdigit() and value.isascii():  # the usual cell: plain digits
                    number = int(value)
                    if number <= 2**31:
                        return number
                return self.convert(target, value)
            return integer
        if target in self.choices:
            table = self.choices[target]

            def choice(value):
                if not value:
                    return None
                code = table.get(value.casefold())
                return code if code is not None else self.convert(target, value)
            return choice
        return None  # the text itself

    def convert(self, target: str, value: str):
        """Our value for one field, or ValidationError with a translated message."""
        if target == OUTCOME and not value:
            return None  # the source said nothing: unknown
        if target in BOOLEAN_FIELDS:
            folded = value.casefold()
            if folded in TRUE_VALUES:
                return True
            if folded in FALSE_VALUES:
                return False
            raise ValidationError(_("“%(value)s” is not yes or no.") % {"value": value})
        if target in DATE_FIELDS:
            return _history_moment(value)
        if target in INTEGER_FIELDS:
            if not value:
                return None
            try:
                number = Decimal(value.replace(" ", ""))
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite() or number != number.to_integral_value():
                raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": value})
            if abs(number) > 2**31:
                raise ValidationError(_("“%(value)s” is too large.") % {"value": value})
            return int(number)
        if target in self.choices:
            if not value:
                return None  # the field's default (or blank)
            code = self.choices[target].get(value.casefold())
            if code is None:
                raise ValidationError(_("“%(value)s” is not one of the allowed values.") % {"value": value})
            return code
        if target == "owner":
            if not value:
                return self.default_owner
            user = self.owners.get(value.casefold())
            if user is None:
                raise ValidationError(_("No user “%(value)s” you may assign leads to.") % {"value": value})
            return user
        return value


def _history_moment(value: str):
    """A file's date or date-time (ISO: "2018-02-01", "2018-02-01 13:05:00") as an aware moment in the
    business time zone; blank is None (unknown). ValidationError otherwise."""
    from datetime import date, datetime, time

    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value) if len(value) > 10 else datetime.combine(date.fromisoformat(value),
                                                                                       time.min)
    except ValueError:
        moment = None
    if moment is None or not 1900 <= moment.year <= 2100:
        raise ValidationError(_("“%(value)s” is not a date (YYYY-MM-DD, optionally with a time).") % {"value": value})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# --- Lead.clean_fields without a model object ---------------------------------------------------
_EMAIL_USER = re.compile(django_validators.EmailValidator.user_regex.pattern, re.IGNORECASE)
_EMAIL_DOMAIN = re.compile(django_validators.EmailValidator.domain_regex.pattern, re.IGNORECASE)


def _quick_test(field):
    """A cheap test that says "valid" for the usual values of `field` (never for a value its
    clean() refuses), or None when every value must go through clean()."""
    lengths, email, lo, hi = [], False, None, None
    for validator in field.validators:
        if isinstance(validator, django_validators.MaxLengthValidator):
            lengths.append(validator.limit_value)
        elif isinstance(validator, django_validators.EmailValidator):
            if validator.domain_allowlist != ["localhost"]:
                return None
            email = True
        elif isinstance(validator, django_validators.MinValueValidator):
            lo = validator.limit_value if lo is None else max(lo, validator.limit_value)
        elif isinstance(validator, django_validators.MaxValueValidator):
            hi = validator.limit_value if hi is None else min(hi, validator.limit_value)
        elif not isinstance(validator, django_validators.ProhibitNullCharactersValidator):
            return None  # csv_decode refuses NUL bytes; any other validator: clean() decides
    if callable(lo) or callable(hi) or any(callable(n) for n in lengths):
        return None
    codes = {str(code) for code, _label in field.flatchoices} if field.choices else None
    if isinstance(field, (models.CharField, models.TextField)):
        longest = min(lengths) if lengths else None

        def text(value):  # a blank value of a blank field never gets here (clean_fields skips it)
            return (type(value) is str and value != "" and (longest is None or len(value) <= longest)
                    and (codes is None or value in codes) and (not email or _quick_email(value)))
        return text
    if isinstance(field, models.IntegerField) and not codes:
        return lambda value: type(value) is int and (lo is None or value >= lo) and (hi is None or value <= hi)
    if isinstance(field, models.BooleanField) and not codes:
        return lambda value: type(value) is bool
    if isinstance(field, models.DateTimeField) and not codes and not lengths:
        return lambda value: getattr(value, "tzinfo", None) is not None and timezone.is_aware(value)
    return None


def _quick_email(value: str) -> bool:
    """EmailValidator's usual case: dot-atom user part and a host name (no literals, no IDN)."""
    if len(value) > 320 or "@" not in value:
        return False
    user, domain = value.rsplit("@", 1)
    return bool(_EMAIL_USER.match(user) and _EMAIL_DOMAIN.match(domain))


class FieldChecks:
    """`Lead.clean_fields()` over a dict of field values: the same fields in the same order, the
    same skips (blank fields left empty) and the same messages."""

    def __init__(self):
        self.template = Lead()
        self.fields = [f for f in Lead._meta.fields]
        self.quick = {f.name: _quick_test(f) for f in self.fields}
        self.by_name = {f.name: f for f in self.fields}
        self.order = {f.name: i for i, f in enumerate(self.fields)}
        self.profile_defaults = {name: getattr(self.template, name) for name in PROFILE_FIELDS}

    def errors(self, values: dict, *, check: set[str]) -> dict[str, list[str]]:
        found = {}
        for name in sorted(check, key=self.order.__getitem__):  # the model's field order, as clean_fields
            field = self.by_name[name]
            value = values[field.name] if field.name in values else getattr(self.template, field.attname)
            if field.blank and value in field.empty_values:
                continue
            quick = self.quick[field.name]
            if quick is not None and quick(value):
                continue
            try:
                field.clean(value, self.template)
            except ValidationError as exc:
                found[field.name] = exc.messages
        return found

    def default(self, name: str):
        return getattr(self.template, name)


@dataclass
class Row:
    number: int
    fields: dict | None  # the new lead's field values; None when the row has errors or is a duplicate
    values: dict[str, str]
    errors: list[RowError]
    duplicate: bool = False

    @property
    def key(self) -> str:
        """The duplicate key: the email (case-folded), else the external reference; "" for none."""
        email = self.fields.get("email") or ""
        if email:
            return "e:" + email.casefold()
        ref = self.fields.get("external_ref") or ""
        return "r:" + ref if ref else ""


class RowParser:
    """parse_row with everything that depends only on the mapping and the header worked out once
    per import: each mapped field's column, value map, conversion and check (the same rules, the
    same messages, in the same order; tests compare the two)."""

    def __init__(self, *, header: list[str], positions: dict[str, int], spec: MappingSpec, converter: Converter,
                 checks: FieldChecks):
        self.width = len(header)
        self.spec, self.converter, self.checks = spec, converter, checks
        self.plan = []
        for target, column_spec in spec.columns.items():
            template = column_spec if PLACEHOLDER.search(column_spec) else None
            self.plan.append((target, None if template else positions[column_spec], template,
                              spec.values.get(target) or None, converter.for_target(target), column_spec))
        self.positions = positions
        self.nullable = [target for target, _p, _t, _v, convert, _c in self.plan
                         if convert is not None and target not in INTEGER_FIELDS and target != OUTCOME]
        names = ({name for name in spec.columns} - {OUTCOME, "owner", "imported_converted"}) | {"name"}
        self.check_plan = []
        for name in sorted(names, key=checks.order.__getitem__):  # the model's field order, as clean_fields
            field = checks.by_name[name]
            self.check_plan.append((name, field, field.blank, field.empty_values, checks.quick[name],
                                    spec.columns.get(name, name)))
        self.name_default = checks.default("name")
        self.defaults = checks.profile_defaults
        self.default_owner = converter.default_owner

    def parse(self, number: int, cells: list[str]) -> Row:
        width = self.width
        if len(cells) != width:
            if len(cells) > width and not "".join(cells[width:]).strip():
                cells = cells[:width]
            else:
                message = _("This row has %(found)s columns; the header has %(expected)s.") % {
                    "found": len(cells), "expected": width}
                return Row(number, None, {}, [RowError(number, message)])
        errors: list[RowError] = []
        values, fields = {}, {}
        for target, position, template, table, convert, column_spec in self.plan:
            if template is None:
                text = cells[position].strip()
            else:
                text = PLACEHOLDER.sub(lambda m: cells[self.positions[m.group(1)]].strip(), template).strip()
            if table is not None:
                text = _map_value(table, text).strip()
            values[target] = text
            if convert is None:
                fields[target] = text
                continue
            try:
                fields[target] = convert(text)
            except ValidationError as exc:
                errors.append(RowError(number, exc.messages[0], field=target, column=column_spec))
        outcome = fields.pop(OUTCOME, None)
        if fields.get("status") == Lead.Status.CONVERTED:
            del fields["status"]  # converted only by a conversion here: the file's word is imported history
            outcome = True if outcome is None else outcome
        for name in self.nullable:  # only converted fields can be None (an integer's None stays)
            if name in fields and fields[name] is None:
                del fields[name]
        if "owner" not in fields:
            fields["owner"] = self.default_owner
        fields["imported_converted"] = outcome
        failed = {error.field for error in errors} if errors else ()
        for name, field, blank, empty_values, quick, column in self.check_plan:
            if name in fields:
                value = fields[name]
            elif name == "name":
                value = self.name_default
            else:
                continue
            if name in failed or (blank and value in empty_values) or (quick is not None and quick(value)):
                continue
            try:
                field.clean(value, self.checks.template)
            except ValidationError as exc:
                errors.extend(RowError(number, message, field=name, column=column) for message in exc.messages)
        if errors:
            return Row(number, None, values, errors)
        fields["completeness"] = profile_completeness(fields, self.defaults)
        return Row(number, fields, values, errors)


def parse_row(*, number: int, cells: list[str], header: list[str], positions: dict[str, int],
              spec: MappingSpec, converter: Converter, checks: FieldChecks) -> Row:
    errors: list[RowError] = []
    if len(cells) > len(header) and not any(c.strip() for c in cells[len(header):]):
        cells = cells[:len(header)]
    if len(cells) != len(header):
        message = _("This row has %(found)s columns; the header has %(expected)s.") % {
            "found": len(cells), "expected": len(header)}
        return Row(number, None, {}, [RowError(number, message)])
    raw: dict[str, str] = {}
    for target, column_spec in spec.columns.items():
        if PLACEHOLDER.search(column_spec):
            raw[target] = PLACEHOLDER.sub(lambda m: cells[positions[m.group(1)]].strip(), column_spec).strip()
        else:
            raw[target] = cells[positions[column_spec]].strip()
    values, fields = {}, {}
    for target, text in raw.items():
        mapped = _map_value(spec.values.get(target), text).strip()
        values[target] = mapped
        try:
            fields[target] = converter.convert(target, mapped)
        except ValidationError as exc:
            errors.append(RowError(number, exc.messages[0], field=target, column=spec.columns[target]))
    outcome = fields.pop(OUTCOME, None)
    if fields.get("status") == Lead.Status.CONVERTED:
        del fields["status"]  # converted only by a conversion here: the file's word is imported history
        outcome = True if outcome is None else outcome
    fields = {k: v for k, v in fields.items() if v is not None or k in INTEGER_FIELDS}
    fields.setdefault("owner", converter.default_owner)
    fields["imported_converted"] = outcome
    # as Lead.clean_fields() with the fields the row sets (and the name), minus failed ones and the
    # owner (looked up above among the users `by` may assign to)
    failed = {error.field for error in errors}
    check = ({name for name in fields if name != "imported_converted"} | {"name"}) - failed - {"owner"}
    for name, messages in checks.errors(fields, check=check).items():
        column = spec.columns.get(name, name)
        errors.extend(RowError(number, message, field=name, column=column) for message in messages)
    if errors:
        return Row(number, None, values, errors)
    fields["completeness"] = profile_completeness(fields, checks.profile_defaults)
    return Row(number, fields, values, errors)


def profile_completeness(fields: dict, defaults: dict) -> int:
    """leads.quality.completeness_percent of a row's values (a lead's default where the row sets
    none), without building a dict per row: the same rule, inlined (tests compare the two)."""
    filled = 0
    for name in PROFILE_FIELDS:
        value = fields[name] if name in fields else defaults[name]
        if value is not None and (not isinstance(value, str) or value.strip()):
            filled += 1
    return filled * 100 // len(PROFILE_FIELDS)
