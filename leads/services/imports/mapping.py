"""Lead CSV mappings: the lead fields a column can fill, a mapping's validation, field labels and
the check that a file has the mapped columns (leads.services.imports)."""
import json
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ...models import ImportMapping, Lead

KIND = "leads"
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
def check_columns(spec: MappingSpec, header: list[str]) -> dict[str, int]:
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


