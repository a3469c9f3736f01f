"""CSV import of leads with saved column mappings (leads.models.ImportMapping).

A mapping has `columns` (lead field -> CSV column name, or a template such as
"X Education lead {Lead Number}") and `values` (lead field -> {CSV value: our value}; the key "*"
is the default for any other non-empty value, the key "" maps blanks). Besides lead fields, the
pseudo-field `outcome` names a column whose value is the source's historic outcome (e.g. X
Education's "Converted"): "1"/"yes"/"true" converted (and won), "0"/"no"/"false" not, blank
unknown. It is recorded as imported history (`Lead.imported_converted`, with `imported_from`
naming the source) and never as a conversion done here: no status "converted", no converted_at
or won_at without a deal. A file status "converted" is recorded the same way.

Every row is validated first (errors carry the spreadsheet row number, the column and a translated
message). Duplicates (by email, case-insensitively, else by external_ref) of existing leads or of
earlier rows are skipped and reported. If any row has an error nothing is saved; otherwise the new
leads are inserted in batches and scored set-based over their id range, in one transaction.

Reading, the size limit, row errors, results and staging are the shared framework in
`salesops.imports`; pages and the API run imports as background jobs (`LeadImportJob`).
"""
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from salesops.imports import ImportResult, RowError, csv_decode, csv_read, stage, staged_read
from salesops.queue import enqueue_on_commit
from salesops.jobs import import_job_run, import_jobs_requeue_stale
from teams.models import User
from teams.predicates import can_import
from teams.selectors import assignable_users_for

from ..models import ImportMapping, Lead, LeadImportJob, ScoreChange
from ..quality import PROFILE_FIELDS, completeness_percent
from ..selectors import email_lookup_q
from .scoring import leads_rescore_range

KIND = "leads"
PREVIEW_ROWS = 20
BATCH_SIZE = 1000
LOOKUP_CHUNK = 500

OUTCOME = "outcome"
TARGET_FIELDS = (
    "name", "email", "phone", "company", "industry", "company_size", "region", "job_title", "source",
    "consent", "do_not_email", "owner", "status", "origin", "last_activity", "total_visits", "time_on_site",
    "external_ref", OUTCOME, "source_detail", "business_segment", "lead_type", "created_at", "mql_at",
)
DATE_FIELDS = {"created_at", "mql_at"}  # imported history (issue 13): the file's dates, never the import moment
INTEGER_FIELDS = {"company_size", "total_visits", "time_on_site"}
BOOLEAN_FIELDS = {"consent", "do_not_email", OUTCOME}
TRUE_VALUES = {"1", "yes", "y", "true"}
FALSE_VALUES = {"0", "no", "n", "false", ""}
DEFAULT_VALUE = "*"
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


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
def import_field_label(name: str) -> str:
    if name == OUTCOME:
        return _("Outcome per the source (converted and won)")
    if name in DATE_FIELDS:
        return {"created_at": _("Created on (per the source)"), "mql_at": _("Became MQL on (per the source)")}[name]
    return str(Lead._meta.get_field(name).verbose_name)


# --- reading the file -------------------------------------------------------------------------
def _check_columns(spec: MappingSpec, header: list[str]) -> dict[str, int]:
    """Column positions; a mapped column missing from (or repeated in) the file is a file error."""
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


@dataclass
class _Row:
    number: int
    lead: Lead | None
    values: dict[str, str]
    errors: list[RowError]


def _parse_row(*, number: int, cells: list[str], header: list[str], positions: dict[str, int],
               spec: MappingSpec, converter: _Converter, now, source: str) -> _Row:
    errors: list[RowError] = []
    if len(cells) > len(header) and not any(c.strip() for c in cells[len(header):]):
        cells = cells[:len(header)]
    if len(cells) != len(header):
        message = _("This row has %(found)s columns; the header has %(expected)s.") % {
            "found": len(cells), "expected": len(header)}
        return _Row(number, None, {}, [RowError(number, message)])
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
    # no creation date in the file: the lead is of unknown date, in no dated period (not "created now")
    lead = Lead(**fields, imported_from=source[:100], imported_at=now, imported_converted=outcome,
                date_unknown=fields.get("created_at") is None)
    failed = {error.field for error in errors} | {"owner"}  # owners were looked up above
    try:
        lead.clean_fields(exclude=[f.name for f in Lead._meta.fields
                                   if f.name not in fields and f.name != "name" or f.name in failed])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = spec.columns.get(name, name)
            errors.extend(RowError(number, message, field=name, column=column) for message in messages)
    lead.completeness = completeness_percent({name: getattr(lead, name) for name in PROFILE_FIELDS})
    return _Row(number, None if errors else lead, values, errors)


def _existing(*, emails: set[str], refs: set[str]) -> tuple[set[str], set[str]]:
    found_emails, found_refs = set(), set()
    emails_list, refs_list = sorted(emails), sorted(refs)
    for start in range(0, len(emails_list), LOOKUP_CHUNK):
        found_emails |= set(Lead.objects.filter(email_lookup_q(emails_list[start:start + LOOKUP_CHUNK]))
                            .annotate(e=Lower("email")).values_list("e", flat=True))
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
class _Silent:
    """Progress that goes nowhere (imports run outside a job: tests, the command)."""

    def total(self, count: int) -> None:
        pass

    def step(self, processed: int) -> None:
        pass


def _check_may_import(by) -> None:
    """`by` None is the system (the management command without --as-user)."""
    if by is not None and not can_import(by, KIND):
        raise PermissionDenied(_("You may not import leads."))


def _prepare(*, by, data: bytes, spec: MappingSpec, dry_run: bool, default_owner, preview_rows: int,
             source: str, progress) -> tuple[ImportResult, list[Lead]]:
    """Parse, validate and dedupe every row (no writes): the result and the leads to create."""
    table = csv_read(csv_decode(data))
    header, rows = table.header, table.rows
    positions = _check_columns(spec, header)
    owner_values = set()
    if "owner" in spec.columns:
        owner_values = {cells[positions[spec.columns["owner"]]].strip() for _n, cells in rows
                        if len(cells) > positions[spec.columns["owner"]]}
    converter = _Converter(spec=spec, by=by, default_owner=default_owner, rows_owner_values=owner_values)
    now = timezone.now()
    result = ImportResult(dry_run=dry_run, fields=list(spec.columns))
    result.field_labels = [import_field_label(name) for name in result.fields]
    progress.total(len(rows))
    parsed = []
    for index, (number, cells) in enumerate(rows, start=1):
        progress.step(index)
        if not any(cell.strip() for cell in cells):
            continue  # blank lines
        row = _parse_row(number=number, cells=cells, header=header, positions=positions, spec=spec,
                         converter=converter, now=now, source=source)
        parsed.append(row)
        result.add_errors(row.errors)
    result.total_rows = len(parsed)
    if not parsed:
        raise ValidationError({"file": [_("The file has no data rows.")]})
    new = _dedupe(parsed, result)
    duplicate_rows = {d["row"] for d in result.duplicates}
    result.preview = [_preview_entry(row, duplicate_rows, result.fields) for row in parsed[:preview_rows]]
    result.to_create = len(new)
    return result, [row.lead for row in new]


def leads_import(*, by, data: bytes, mapping, dry_run: bool = False, default_owner=...,
                 preview_rows: int = PREVIEW_ROWS, source: str = "", progress=None, finish=None) -> ImportResult:
    """Import leads from CSV bytes. `by` is the importing user (None: a system import, e.g. the
    management command); imported leads belong to `default_owner` (default: `by`) unless the
    mapping has an owner column. With `dry_run` (or any row error) nothing is saved. `source`
    labels the imported history (default: the mapping's name).

    File-level problems (size, encoding, not CSV, mapped columns missing) raise ValidationError;
    PermissionDenied when `by` may not import leads; row problems are listed in the result.
    `finish(result)` is called inside the transaction that saves the leads (a job marks itself done)."""
    _check_may_import(by)
    spec = mapping if isinstance(mapping, MappingSpec) else import_mapping_spec(mapping=mapping)
    if default_owner is ...:
        default_owner = by
    result, new = _prepare(by=by, data=data, spec=spec, dry_run=dry_run, default_owner=default_owner,
                           preview_rows=preview_rows, source=source or spec.name or _("CSV import"),
                           progress=progress or _Silent())
    if dry_run or not result.ok or not new:
        return result
    with transaction.atomic():
        _save(new=new, result=result, by=by)
        if finish is not None:
            finish(result)
    return result


def _publish_created(*, ids: list[int]) -> None:
    """"lead.created" for the imported leads, set-based: one INSERT ... SELECT per BATCH_SIZE leads."""
    from django.db.models import F
    from django.db.models.functions import JSONObject

    from integrations.events import publish_rows

    for start in range(0, len(ids), BATCH_SIZE):
        publish_rows("lead.created", Lead.objects.filter(pk__in=ids[start:start + BATCH_SIZE]), object_id="pk",
                     owner_id="owner_id",
                     payload=JSONObject(id=F("pk"), name=F("name"), email=F("email"), company=F("company"),
                                        source=F("source"), status=F("status"), owner=F("owner_id"),
                                        external_ref=F("external_ref")))


def _save(*, new: list[Lead], result: ImportResult, by) -> None:
    from .routing import leads_record_owners

    ids = []
    for start in range(0, len(new), BATCH_SIZE):
        created = Lead.objects.bulk_create(new[start:start + BATCH_SIZE])
        ids.extend(lead.pk for lead in created)
    result.created = len(ids)
    result.ids = [min(ids), max(ids)]
    _publish_created(ids=ids)
    # An owner is given like any assignment (audit row, notification, first-touch SLA), set-based;
    # leads the file records as already converted are history, not work for a rep.
    working = Lead.objects.filter(pk__in=ids).exclude(imported_converted=True).values_list("pk", flat=True)
    result.counts["assigned"] = leads_record_owners(lead_ids=working, by=by, note=gettext_noop("CSV import"))
    result.counts["rescored"] = leads_rescore_range(lo=min(ids), hi=max(ids), reason=ScoreChange.Reason.IMPORT)


def import_header_check(*, data: bytes, mapping) -> MappingSpec:
    """The quick checks a page or the API does before queueing a job: size, text, mapped columns."""
    spec = mapping if isinstance(mapping, MappingSpec) else import_mapping_spec(mapping=mapping)
    _check_columns(spec, csv_read(csv_decode(data), header_only=True).header)
    return spec


# --- background jobs ------------------------------------------------------------------------------
@transaction.atomic
def lead_import_job_start(*, by, data: bytes, file_name: str, mapping, preview: bool = True,
                          upload_id: int | None = None) -> LeadImportJob:
    """Check the file's header, stage it (0600) and queue a job that previews or imports it
    (`upload_id`: the LeadImportUpload of the mapping screen it came from)."""
    _check_may_import(by)
    spec = import_header_check(data=data, mapping=mapping)
    options = {"mapping": spec.as_dict(), "source": spec.name or str(file_name)[:100]}
    if upload_id is not None:
        options["upload"] = upload_id
    job = LeadImportJob.objects.create(
        created_by=by, preview=preview, file_name=str(file_name)[:255], staged={"file": stage(data=data)},
        options=options)
    _queue(job)
    return job


@transaction.atomic
def lead_import_job_confirm(*, by, job: LeadImportJob) -> LeadImportJob:
    """Import the file a finished preview checked (its staged copy), as a new job."""
    _check_may_import(by)
    preview = LeadImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if preview is None or not preview.preview or preview.status != LeadImportJob.Status.DONE:
        raise ValidationError(_("Only a finished preview without problems can be imported."))
    if preview.created_by_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the person who uploaded the file can import it."))
    existing = LeadImportJob.objects.filter(preview_of=preview).first()
    if existing is not None:
        return existing  # confirming twice imports once
    if not preview.outcome.to_create:
        raise ValidationError(_("There are no new leads to import in this file."))
    confirmed = LeadImportJob.objects.create(
        created_by=by, preview=False, preview_of=preview, file_name=preview.file_name, staged=preview.staged,
        options=preview.options, total=preview.total)
    _queue(confirmed)
    return confirmed


def _queue(job: LeadImportJob) -> None:
    from ..tasks import lead_import_job_run_task

    enqueue_on_commit(lead_import_job_run_task, job.pk)


def lead_import_job_run(*, job_id: int) -> None:
    """Run a queued job (the Celery task); see salesops.jobs.import_job_run."""
    def work(job, progress, finish):
        if job.created_by is None:
            raise ValidationError(_("The person who started this import no longer has an account."))
        return leads_import(by=job.created_by, data=staged_read(name=job.staged.get("file", "")),
                            mapping=job.options["mapping"], dry_run=job.preview, source=job.options.get("source", ""),
                            progress=progress, finish=finish)

    import_job_run(LeadImportJob, job_id, work)


def lead_import_jobs_requeue_stale() -> list[int]:
    from ..tasks import lead_import_job_run_task
    return import_jobs_requeue_stale(LeadImportJob, lead_import_job_run_task)
