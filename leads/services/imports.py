"""CSV import of leads with saved column mappings (leads.models.ImportMapping).

A mapping has `columns` (lead field -> CSV column name, or a template such as
"X Education lead {Lead Number}") and `values` (lead field -> {CSV value: our value}; the key "*"
is the default for any other non-empty value, the key "" maps blanks). Besides lead fields, the
pseudo-field `outcome` names a column whose truthy value ("1", "yes", "true") marks the lead as
converted and won (historic outcomes, e.g. X Education's "Converted").

Every row is validated first (errors carry the spreadsheet row number, the column and a translated
message). Duplicates (by email, case-insensitively, else by external_ref) of existing leads or of
earlier rows are skipped and reported. If any row has an error nothing is saved; otherwise the new
leads are inserted in batches and scored set-based over their id range.
"""
import csv
import io
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import User
from teams.selectors import assignable_users_for

from ..models import ImportMapping, Lead, ScoreChange
from ..quality import PROFILE_FIELDS, completeness_percent
from .scoring import leads_rescore_range

MAX_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 20
BATCH_SIZE = 1000
LOOKUP_CHUNK = 500
MAX_ERRORS = 1000
STAGED_MAX_AGE = 24 * 3600

OUTCOME = "outcome"
TARGET_FIELDS = (
    "name", "email", "phone", "company", "industry", "company_size", "region", "job_title", "source",
    "consent", "do_not_email", "owner", "status", "origin", "last_activity", "total_visits", "time_on_site",
    "external_ref", OUTCOME,
)
INTEGER_FIELDS = {"company_size", "total_visits", "time_on_site"}
BOOLEAN_FIELDS = {"consent", "do_not_email", OUTCOME}
TRUE_VALUES = {"1", "yes", "y", "true"}
FALSE_VALUES = {"0", "no", "n", "false", ""}
DEFAULT_VALUE = "*"
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
TOKEN = re.compile(r"^[0-9a-f]{32}$")


# --- mappings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MappingSpec:
    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    name: str = ""

    def source_columns(self, target: str) -> list[str]:
        """The CSV columns a lead field reads (several for a template)."""
        spec = self.columns[target]
        return PLACEHOLDER.findall(spec) if PLACEHOLDER.search(spec) else [spec]

    def as_dict(self) -> dict:
        return {"name": self.name, "columns": self.columns, "values": self.values}


def import_mapping_spec(*, mapping) -> MappingSpec:
    """Validate a saved ImportMapping or a plain dict {"columns": ..., "values": ...}."""
    if isinstance(mapping, ImportMapping):
        name, columns, values = mapping.name, mapping.columns, mapping.values or {}
    elif isinstance(mapping, dict):
        name, columns, values = str(mapping.get("name") or ""), mapping.get("columns"), mapping.get("values") or {}
    else:
        raise ValidationError({"mapping": _("Choose a saved mapping or give one as JSON.")})
    errors = []
    if not isinstance(columns, dict) or not columns:
        errors.append(_("“columns” must map lead fields to CSV column names."))
        columns = {}
    if not isinstance(values, dict):
        errors.append(_("“values” must map lead fields to {CSV value: our value}."))
        values = {}
    for target, spec in columns.items():
        if target not in TARGET_FIELDS:
            errors.append(_("“%(field)s” is not a lead field you can import.") % {"field": target})
        elif not isinstance(spec, str) or not spec.strip():
            errors.append(_("The column for “%(field)s” must be a column name.") % {"field": target})
    for target, table in values.items():
        if target not in columns:
            errors.append(_("Values are given for “%(field)s”, which has no column.") % {"field": target})
        elif not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            errors.append(_("The values of “%(field)s” must map CSV values to text.") % {"field": target})
    if errors:
        raise ValidationError({"mapping": errors})
    return MappingSpec(columns={k: v.strip() for k, v in columns.items()},
                       values={k: {str(a): b for a, b in t.items()} for k, t in values.items()}, name=name)


def import_mapping_from_json(*, text: str) -> MappingSpec:
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise ValidationError({"mapping": [_("The mapping is not valid JSON.")]}) from None
    return import_mapping_spec(mapping=data if isinstance(data, dict) else None)


# --- results ------------------------------------------------------------------------------------
@dataclass
class RowError:
    row: int | None  # spreadsheet row: the header is row 1, the first data row is row 2
    column: str
    message: str
    field: str = ""


@dataclass
class ImportResult:
    dry_run: bool
    fields: list[str]
    total_rows: int = 0
    to_create: int = 0
    created: int = 0
    rescored: int = 0
    duplicates: list[dict] = field(default_factory=list)  # {"row", "reason"}
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    preview: list[dict] = field(default_factory=list)  # {"row", "status", "values": {field: text}}
    lead_ids: list[int] = field(default_factory=list)  # first and last new id

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def field_labels(self) -> list[str]:
        return [import_field_label(name) for name in self.fields]


def import_field_label(name: str) -> str:
    if name == OUTCOME:
        return _("Outcome (converted and won)")
    return str(Lead._meta.get_field(name).verbose_name)


# --- reading the file -------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 2**20}]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        raise ValidationError({"file": [message]}) from None
    if "\x00" in text:
        raise ValidationError({"file": [_("This is not a CSV file.")]})
    return text


def _read(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise ValidationError({"file": [_("The file is empty: the first row must name the columns.")]})
        header = [cell.strip() for cell in header]
        while header and not header[-1]:
            header.pop()  # a trailing empty column (every line ends with a comma)
        rows = [(index + 2, row) for index, row in enumerate(reader)]
    except csv.Error as exc:
        raise ValidationError({"file": [_("The file is not valid CSV near line %(line)s: %(error)s")
                                        % {"line": reader.line_num, "error": exc}]}) from None
    return header, rows


def _check_columns(spec: MappingSpec, header: list[str]) -> dict[str, int]:
    positions, errors = {}, []
    for position, name in enumerate(header):
        positions.setdefault(name, position)
    for target in spec.columns:
        for column in spec.source_columns(target):
            if column not in positions:
                errors.append(_("The column “%(column)s” (for %(field)s) is not in the file.")
                              % {"column": column, "field": target})
            elif header.count(column) > 1:
                errors.append(_("The column “%(column)s” appears more than once.") % {"column": column})
    if errors:
        raise ValidationError({"mapping": errors})
    return positions


# --- converting values ----------------------------------------------------------------------------
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


class _Converter:
    def __init__(self, *, spec: MappingSpec, by, default_owner, rows_owner_values: set[str]):
        self.spec = spec
        self.choices = {}
        for name in ("industry", "region", "source", "status"):
            model_field = Lead._meta.get_field(name)
            table = {}
            for code, label in model_field.choices:
                table[str(code).casefold()] = code
                table[str(label).casefold()] = code
            self.choices[name] = table
        self.default_owner = default_owner
        self.owners = self._owners(by=by, values=rows_owner_values) if "owner" in spec.columns else {}

    @staticmethod
    def _owners(*, by, values: set[str]) -> dict[str, User]:
        users = assignable_users_for(user=by) if by is not None else User.objects.filter(is_active=True)
        folded = [v.casefold() for v in values if v]
        found = {}
        for start in range(0, len(folded), LOOKUP_CHUNK):
            chunk = folded[start:start + LOOKUP_CHUNK]
            for user in users.annotate(u=Lower("username"), e=Lower("email")).filter(Q(u__in=chunk) | Q(e__in=chunk)):
                found[user.username.casefold()] = user
                if user.email:
                    found.setdefault(user.email.casefold(), user)
        return found

    def convert(self, target: str, value: str):
        """Our value for one field, or ValidationError with a translated message."""
        if target in BOOLEAN_FIELDS:
            folded = value.casefold()
            if folded in TRUE_VALUES:
                return True
            if folded in FALSE_VALUES:
                return False
            raise ValidationError(_("“%(value)s” is not yes or no.") % {"value": value})
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


@dataclass
class _Row:
    number: int
    lead: Lead | None
    values: dict[str, str]
    errors: list[RowError]


def _parse_row(*, number: int, cells: list[str], header: list[str], positions: dict[str, int],
               spec: MappingSpec, converter: _Converter, now) -> _Row:
    errors: list[RowError] = []
    if len(cells) > len(header) and not any(c.strip() for c in cells[len(header):]):
        cells = cells[:len(header)]
    if len(cells) != len(header):
        message = _("This row has %(found)s columns; the header has %(expected)s.") % {
            "found": len(cells), "expected": len(header)}
        return _Row(number, None, {}, [RowError(number, "", message)])
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
            errors.append(RowError(number, spec.columns[target], exc.messages[0], target))
    outcome = fields.pop(OUTCOME, None)
    fields = {k: v for k, v in fields.items() if v is not None or k in INTEGER_FIELDS}
    fields.setdefault("owner", converter.default_owner)
    if outcome:
        fields.update(converted_at=now, won_at=now)
        fields.setdefault("status", Lead.Status.CONVERTED)
    lead = Lead(**fields)
    failed = {error.field for error in errors} | {"owner"}  # owners were looked up above
    try:
        lead.clean_fields(exclude=[f.name for f in Lead._meta.fields
                                   if f.name not in fields and f.name != "name" or f.name in failed])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = spec.columns.get(name, name)
            errors.extend(RowError(number, column, message, name) for message in messages)
    lead.completeness = completeness_percent({name: getattr(lead, name) for name in PROFILE_FIELDS})
    return _Row(number, None if errors else lead, values, errors)


def _existing(*, emails: set[str], refs: set[str]) -> tuple[set[str], set[str]]:
    found_emails, found_refs = set(), set()
    emails_list, refs_list = sorted(emails), sorted(refs)
    for start in range(0, len(emails_list), LOOKUP_CHUNK):
        found_emails |= set(Lead.objects.annotate(e=Lower("email")).filter(
            e__in=emails_list[start:start + LOOKUP_CHUNK]).values_list("e", flat=True))
    for start in range(0, len(refs_list), LOOKUP_CHUNK):
        found_refs |= set(Lead.objects.filter(external_ref__in=refs_list[start:start + LOOKUP_CHUNK])
                          .values_list("external_ref", flat=True))
    return found_emails, found_refs


def _dedupe(rows: list[_Row], result: ImportResult) -> list[_Row]:
    valid = [row for row in rows if row.lead is not None]
    emails = {row.lead.email.casefold() for row in valid if row.lead.email}
    refs = {row.lead.external_ref for row in valid if not row.lead.email and row.lead.external_ref}
    known_emails, known_refs = _existing(emails=emails, refs=refs)
    seen: dict[tuple[str, str], int] = {}
    new = []
    for row in valid:
        lead = row.lead
        key = None
        if lead.email:
            key = ("email", lead.email.casefold())
        elif lead.external_ref:
            key = ("ref", lead.external_ref)
        reason = None
        if key and key in seen:
            reason = _("same as row %(row)s") % {"row": seen[key]}
        elif key and (key[1] in known_emails if key[0] == "email" else key[1] in known_refs):
            reason = (_("a lead with email %(email)s exists") % {"email": lead.email} if key[0] == "email"
                      else _("a lead with external reference %(ref)s exists") % {"ref": lead.external_ref})
        if reason:
            row.lead = None
            result.duplicates.append({"row": row.number, "reason": reason})
            continue
        if key:
            seen[key] = row.number
        new.append(row)
    return new


def _preview_entry(row: _Row, duplicate_rows: set[int], fields: list[str]) -> dict:
    status = "error" if row.errors else "duplicate" if row.number in duplicate_rows else "new"
    return {"row": row.number, "status": status, "values": row.values,
            "cells": [row.values.get(name, "") for name in fields]}


# --- the service ------------------------------------------------------------------------------
def leads_import(*, by, data: bytes, mapping, dry_run: bool = False, default_owner=...,
                 preview_rows: int = PREVIEW_ROWS) -> ImportResult:
    """Import leads from CSV bytes. `by` is the importing user (None: a system import, e.g. the
    management command); imported leads belong to `default_owner` (default: `by`) unless the
    mapping has an owner column. With `dry_run` (or any row error) nothing is saved.

    File-level problems (size, encoding, not CSV, mapped columns missing) raise ValidationError;
    row problems are listed in the result."""
    spec = mapping if isinstance(mapping, MappingSpec) else import_mapping_spec(mapping=mapping)
    if default_owner is ...:
        default_owner = by
    header, rows = _read(_decode(data))
    positions = _check_columns(spec, header)
    owner_values = set()
    if "owner" in spec.columns:
        owner_values = {cells[positions[spec.columns["owner"]]].strip() for _n, cells in rows
                        if len(cells) > positions[spec.columns["owner"]]}
    converter = _Converter(spec=spec, by=by, default_owner=default_owner, rows_owner_values=owner_values)
    now = timezone.now()
    result = ImportResult(dry_run=dry_run, fields=list(spec.columns))
    parsed = []
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines
        row = _parse_row(number=number, cells=cells, header=header, positions=positions, spec=spec,
                         converter=converter, now=now)
        parsed.append(row)
        result.error_count += len(row.errors)
        if len(result.errors) < MAX_ERRORS:
            result.errors.extend(row.errors[:MAX_ERRORS - len(result.errors)])
    result.total_rows = len(parsed)
    if not parsed:
        raise ValidationError({"file": [_("The file has no data rows.")]})
    new = _dedupe(parsed, result)
    duplicate_rows = {d["row"] for d in result.duplicates}
    result.preview = [_preview_entry(row, duplicate_rows, result.fields) for row in parsed[:preview_rows]]
    result.to_create = len(new)
    if dry_run or not result.ok or not new:
        return result
    _save(new=[row.lead for row in new], result=result)
    return result


@transaction.atomic
def _save(*, new: list[Lead], result: ImportResult) -> None:
    ids = []
    for start in range(0, len(new), BATCH_SIZE):
        created = Lead.objects.bulk_create(new[start:start + BATCH_SIZE])
        ids.extend(lead.pk for lead in created)
    result.created = len(ids)
    result.lead_ids = [min(ids), max(ids)]
    result.rescored = leads_rescore_range(lo=min(ids), hi=max(ids), reason=ScoreChange.Reason.IMPORT)


# --- staging uploads between preview and confirmation -----------------------------------------
def _staging_dir() -> Path:
    path = Path(settings.LEADS_IMPORT_STAGING_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_upload_read(*, upload) -> bytes:
    """The bytes of an uploaded file, refusing files over the size limit before reading them."""
    if upload is None:
        raise ValidationError({"file": [_("Choose a CSV file.")]})
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 2**20}]})
    return b"".join(upload.chunks())


def import_stage(*, data: bytes) -> str:
    """Keep an uploaded file until the user confirms the import; returns its token."""
    directory = _staging_dir()
    cutoff = time.time() - STAGED_MAX_AGE
    for old in directory.glob("*.csv"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_hex(16)
    (directory / f"{token}.csv").write_bytes(data)
    return token


def import_staged(*, token: str) -> bytes:
    path = _staging_dir() / f"{token}.csv"
    if not isinstance(token, str) or not TOKEN.match(token) or not path.exists():
        raise ValidationError(_("The uploaded file is no longer available. Upload it again."))
    return path.read_bytes()


def import_unstage(*, token: str) -> None:
    if isinstance(token, str) and TOKEN.match(token):
        (_staging_dir() / f"{token}.csv").unlink(missing_ok=True)
