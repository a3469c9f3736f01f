"""The import mapping screen's writes: keep an uploaded file, save a mapping by name, and check or
import a kept file with a mapping (as the background LeadImportJob of leads.services.imports).

The file is staged once, at upload (salesops.imports.stage: 0600, purged after a day); every job
works on its own staged copy, so a failed check (which deletes the job's copy) keeps the upload.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.imports import STAGED_MAX_AGE, csv_decode, csv_stream, stage, staged_read, upload_read
from teams.predicates import can_import

from ..import_mapping import REQUIRED_TARGETS, choices_from_columns, columns_from_choices, guess_targets
from ..models import ImportMapping, LeadImportJob, LeadImportUpload
from .imports import KIND, TARGET_FIELDS, import_field_label, import_mapping_spec, lead_import_job_start

SAMPLE_ROWS = 3


def _check(by) -> None:
    if not can_import(by, KIND):
        raise PermissionDenied(_("You may not import leads."))


def lead_import_upload_create(*, by, upload) -> LeadImportUpload:
    """Read, check (size, UTF-8, CSV with a header) and keep an uploaded file; note its columns,
    first rows and row count for the mapping screen."""
    _check(by)
    data = upload_read(upload=upload)
    table = csv_stream(csv_decode(data))  # rows counted as they stream by, not held
    if not table.header:
        raise ValidationError({"file": [_("The file is empty: the first row must name the columns.")]})
    sample, row_count = [], 0
    for _number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        row_count += 1
        if len(sample) < SAMPLE_ROWS:
            sample.append([(cells[i].strip() if i < len(cells) else "") for i in range(len(table.header))])
    # uploads outlive their staged file by nothing: both go after a day (set-based)
    LeadImportUpload.objects.filter(created_at__lt=timezone.now() - STAGED_MAX_AGE).delete()
    return LeadImportUpload.objects.create(
        created_by=by, file_name=str(getattr(upload, "name", "") or "upload.csv")[:255], staged_name=stage(data=data),
        header=table.header, sample=sample, row_count=row_count)


def target_choices() -> list[tuple[str, str]]:
    """(field, label) of every lead field a column can fill, required ones marked."""
    return [(name, import_field_label(name) + (" *" if name in REQUIRED_TARGETS else "")) for name in TARGET_FIELDS]


def initial_choices(*, upload: LeadImportUpload, mapping: ImportMapping | None = None) -> dict[str, str]:
    """Column -> field to show first: a saved mapping's, else the guess from the headers."""
    if mapping is not None:
        return choices_from_columns(upload.header, mapping.columns or {})
    return guess_targets(upload.header)


def mapping_from_choices(*, upload: LeadImportUpload, choices: dict[str, str], base: ImportMapping | None = None,
                         name: str = "") -> dict:
    """The mapping ({"name", "columns", "values"}) the screen's choices make, validated; with `base`
    (a saved mapping applied first) its value maps for the fields still mapped, and its template
    columns (e.g. "Lead {Lead Number}") for fields no column chose, are kept."""
    unknown = [column for column in choices if column not in upload.header]
    bad = [target for target in choices.values() if target and target not in TARGET_FIELDS]
    if unknown or bad:
        raise ValidationError(_("The mapping does not fit this file; reload the page."))
    columns, problems = columns_from_choices(choices)
    values = {}
    if base is not None:
        for target, spec in (base.columns or {}).items():
            if target not in columns and "{" in str(spec):
                columns[target] = spec
        values = {t: table for t, table in (base.values or {}).items() if t in columns}
    messages = []
    for code, target, cols in problems:
        if code == "missing" and target not in columns:
            messages.append(_("Choose the column for “%(field)s” (required).") % {"field": import_field_label(target)})
        elif code == "duplicate":
            messages.append(_("“%(field)s” is chosen for more than one column: %(columns)s.") % {
                "field": import_field_label(target), "columns": ", ".join(cols)})
    if messages:
        raise ValidationError(messages)
    mapping = {"name": name, "columns": columns, "values": values}
    import_mapping_spec(mapping=mapping)  # the importer's own checks
    return mapping


@transaction.atomic
def import_mapping_save(*, by, name: str, mapping: dict) -> ImportMapping:
    """Save `mapping` under `name`: a new saved mapping, or a new version of the one of that name."""
    _check(by)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"save_as": [_("Give the mapping a name of at most 100 characters.")]})
    spec = import_mapping_spec(mapping=mapping)
    saved = ImportMapping.objects.select_for_update().filter(name=name).first()
    if saved is None:
        return ImportMapping.objects.create(name=name, columns=spec.columns, values=spec.values)
    saved.columns, saved.values = spec.columns, spec.values
    saved.save(update_fields=["columns", "values", "updated_at"])
    return saved


def lead_import_upload_start(*, by, upload: LeadImportUpload, mapping: dict, preview: bool = True) -> LeadImportJob:
    """Check (preview) or import the kept file with `mapping`, as a background job."""
    _check(by)
    if upload.created_by_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the person who uploaded the file can import it."))
    data = staged_read(name=upload.staged_name)
    return lead_import_job_start(by=by, data=data, file_name=upload.file_name, mapping=mapping, preview=preview,
                                 upload_id=upload.pk)
