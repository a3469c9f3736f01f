"""Parse and check a customer file through a saved column mapping (no database): one account and one
contract per row. Written for IBM's sample "Telco Customer Churn" file (SOURCES.md §3) and any file of
the same shape.

A mapping names the CSV column of each of our fields — `external_ref` (the customer id), `term` (the
contract type), `mrr` (monthly charges), `tenure` (whole months as a customer) and `churned` — and maps
values (`values[field][csv value] -> ours`): `term` to month_to_month / one_year / two_year / other,
`churned` to yes / no. Every column but the id is kept as given in `attributes` (blank -> "unknown": the
Telco file has 11 blank TotalCharges, all with tenure 0); nothing is inferred. Problems are `RowError`s
with a code and params (worded by customers.services.customer_import); nothing is raised.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from salesops.imports import RowError

FIELDS = ("external_ref", "term", "mrr", "tenure", "churned")
TERMS = ("month_to_month", "one_year", "two_year", "other")
UNKNOWN = "unknown"
MAX_REF = 100
MAX_MRR = Decimal("999999999999.99")
MAX_TENURE = 1200  # months (100 years)


@dataclass(frozen=True)
class CustomerRow:
    row: int
    ref: str
    term: str
    mrr: Decimal
    tenure: int
    churned: bool
    attributes: dict


@dataclass
class CustomerFile:
    customers: list[CustomerRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def mapping_problems(columns, values) -> list[str]:
    """Codes of what is wrong with a mapping itself (empty: usable)."""
    problems = []
    if not isinstance(columns, dict) or set(FIELDS) - set(columns):
        problems.append("mapping_columns")
    elif not all(isinstance(v, str) and v.strip() for v in columns.values()):
        problems.append("mapping_columns")
    if not isinstance(values, dict) or not all(isinstance(t, dict) for t in values.values()):
        problems.append("mapping_values")
    return problems


def _mapped(values: dict, name: str, value: str) -> str:
    table = values.get(name) or {}
    if value in table:
        return str(table[value])
    lowered = {str(k).lower(): v for k, v in table.items()}
    return str(lowered.get(value.lower(), value))


def parse(*, header: list[str], records, columns: dict[str, str], values: dict) -> CustomerFile:
    """`records`: (row number, {column: value}) as salesops.imports.CsvTable.records() yields them."""
    result = CustomerFile()
    missing = [columns[f] for f in FIELDS if columns[f] not in header]
    if missing:
        result.errors.append(RowError(1, code="missing_columns", params={"columns": ", ".join(missing)}))
        return result
    id_column = columns["external_ref"]
    seen: dict[str, int] = {}
    for number, row in records:
        result.rows += 1
        problems = []
        ref = row[id_column]
        if not ref or len(ref) > MAX_REF:
            problems.append(("bad_id", columns["external_ref"], {"max": MAX_REF}))
        elif ref in seen:
            problems.append(("duplicate_id", id_column, {"id": ref, "first": seen[ref]}))
        else:
            seen[ref] = number
        term = _mapped(values, "term", row[columns["term"]])
        if term not in TERMS:
            problems.append(("unknown_term", columns["term"], {"value": row[columns["term"]]}))
        try:
            mrr = Decimal(row[columns["mrr"]])
            if not mrr.is_finite() or mrr < 0 or mrr > MAX_MRR:
                raise InvalidOperation
        except InvalidOperation:
            mrr = None
            problems.append(("bad_mrr", columns["mrr"], {"value": row[columns["mrr"]]}))
        tenure_text = row[columns["tenure"]]
        tenure = int(tenure_text) if tenure_text.isdigit() and int(tenure_text) <= MAX_TENURE else None
        if tenure is None:
            problems.append(("bad_tenure", columns["tenure"], {"value": tenure_text}))
        churned = _mapped(values, "churned", row[columns["churned"]]).lower()
        if churned not in ("yes", "no"):
            problems.append(("bad_churned", columns["churned"], {"value": row[columns["churned"]]}))
        if problems:
            result.errors.extend(RowError(number, column=column, code=code, params=params)
                                 for code, column, params in problems)
            continue
        attributes = {name: (row.get(name) or UNKNOWN) for name in header if name and name != id_column}
        result.customers.append(CustomerRow(number, ref, term, mrr, tenure, churned == "yes", attributes))
    return result
