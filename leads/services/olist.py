"""Import the Olist "Marketing Funnel" files together (issue 13): a write service.

- olist_marketing_qualified_leads_dataset.csv (mql_id, first_contact_date, landing_page_id, origin):
  one lead per mql_id (`Lead.external_ref`), created and MQL on its first contact date (imported
  history, not the import moment), `origin` kept verbatim (blank stays blank) beside the mapped
  source code.
- olist_closed_deals_dataset.csv (mql_id, won_date, business_segment, lead_type, ...): the won outcome
  of its lead, as imported history (`imported_converted`, `won_at` = won_date as given, even where the
  file has it before the first contact), with business segment and lead type verbatim.

The import is all or nothing (any row error writes nothing) and updates leads already imported by
mql_id instead of skipping them (set-based: bulk_create and bulk_update in batches). Parsing needs no
database (`parse`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.imports import ImportResult, RowError, csv_decode, csv_read
from teams.predicates import can_import

from ..models import Lead, ScoreChange, Source
from ..selectors import external_ref_lookup_q
from .scoring import leads_rescore_range

SOURCE_NAME = "Olist marketing funnel"
MQL_FILE = "olist_marketing_qualified_leads_dataset.csv"
DEALS_FILE = "olist_closed_deals_dataset.csv"
MQL_COLUMNS = ("mql_id", "first_contact_date", "origin")
DEAL_COLUMNS = ("mql_id", "won_date", "business_segment", "lead_type")
BATCH = 1000
# origin (verbatim) -> our source code; a value not listed maps to "other" and is reported as unmapped
ORIGINS = {
    "organic_search": Source.WEBSITE, "direct_traffic": Source.WEBSITE, "paid_search": Source.PAID_SEARCH,
    "social": Source.SOCIAL, "email": Source.EMAIL, "referral": Source.REFERRAL,
    "display": Source.OTHER, "other_publicities": Source.OTHER, "other": Source.OTHER, "unknown": Source.OTHER,
    "": Source.OTHER,
}
UPDATED_FIELDS = ["origin", "source", "created_at", "mql_at", "date_unknown", "imported_converted", "won_at",
                  "business_segment", "lead_type", "name"]


@dataclass(frozen=True)
class Mql:
    ref: str
    first_contact: date
    origin: str


@dataclass(frozen=True)
class ClosedDeal:
    ref: str
    won_at: datetime
    business_segment: str
    lead_type: str


@dataclass
class Dataset:
    mqls: list[Mql] = field(default_factory=list)
    deals: dict[str, ClosedDeal] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # file -> data rows read
    unmapped_origins: Counter = field(default_factory=Counter)


def _table(text: str, name: str, required: tuple[str, ...], errors: list[RowError]):
    try:
        table = csv_read(text.lstrip("\ufeff"))
    except ValidationError as exc:
        errors.append(RowError(1, " ".join(exc.messages), file=name))
        return []
    missing = [c for c in required if c not in table.header]
    if missing:
        errors.append(RowError(1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}, file=name))
        return []
    return list(table.records())


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if len(value) > 10 else datetime.combine(date.fromisoformat(value),
                                                                                       time.min)
    except ValueError:
        return None
    if not 1900 <= moment.year <= 2100:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def parse(*, mqls: str, deals: str) -> Dataset:
    """The two files' texts -> a checked data set; every problem is a RowError (nothing raised)."""
    data = Dataset()
    seen: dict[str, int] = {}
    records = _table(mqls, MQL_FILE, MQL_COLUMNS, data.errors)
    data.rows[MQL_FILE] = len(records)
    for number, row in records:
        ref, origin = row["mql_id"].strip(), row["origin"].strip()
        first = _moment(row["first_contact_date"].strip())
        if not ref or len(ref) > 100:
            data.errors.append(RowError(number, _("mql_id is required (at most 100 characters)."), file=MQL_FILE))
        elif ref in seen:
            data.errors.append(RowError(number, _("mql_id “%(id)s” already appears on row %(first)s.") % {
                "id": ref, "first": seen[ref]}, file=MQL_FILE))
        elif first is None:
            data.errors.append(RowError(number, _("first_contact_date “%(value)s” is not a date (YYYY-MM-DD).") % {
                "value": row["first_contact_date"]}, file=MQL_FILE))
        else:
            seen[ref] = number
            if origin.casefold() not in ORIGINS:
                data.unmapped_origins[origin] += 1
            data.mqls.append(Mql(ref, first.date(), origin[:100]))
    records = _table(deals, DEALS_FILE, DEAL_COLUMNS, data.errors)
    data.rows[DEALS_FILE] = len(records)
    for number, row in records:
        ref = row["mql_id"].strip()
        won = _moment(row["won_date"].strip())
        if ref not in seen:
            data.errors.append(RowError(number, _("mql_id “%(id)s” is not in the MQL file.") % {"id": ref},
                                        file=DEALS_FILE))
        elif ref in data.deals:
            data.errors.append(RowError(number, _("mql_id “%(id)s” is closed twice.") % {"id": ref}, file=DEALS_FILE))
        elif won is None:
            data.errors.append(RowError(number, _("won_date “%(value)s” is not a date.") % {"value": row["won_date"]},
                                        file=DEALS_FILE))
        else:
            data.deals[ref] = ClosedDeal(ref, won, row["business_segment"].strip()[:100],
                                         row["lead_type"].strip()[:100])
    return data


def read_dataset(folder) -> Dataset:
    """Read both files from `folder` (ValidationError when one is missing or not text)."""
    texts = {}
    for key, name in (("mqls", MQL_FILE), ("deals", DEALS_FILE)):
        path = folder / name
        if not path.is_file():
            raise ValidationError(_("%(file)s is missing.") % {"file": name})
        texts[key] = csv_decode(path.read_bytes(), field_name=key)
    return parse(**texts)


def _lead(mql: Mql, deal: ClosedDeal | None, owner, now) -> Lead:
    created = timezone.make_aware(datetime.combine(mql.first_contact, time.min))
    return Lead(name=f"Olist MQL {mql.ref[:12]}", external_ref=mql.ref, origin=mql.origin,
                source=ORIGINS.get(mql.origin.casefold(), Source.OTHER), created_at=created, mql_at=created,
                date_unknown=False, imported_converted=bool(deal), won_at=deal.won_at if deal else None,
                business_segment=deal.business_segment if deal else "", lead_type=deal.lead_type if deal else "",
                owner=owner, imported_from=SOURCE_NAME, imported_at=now)


def olist_import(*, dataset: Dataset, by=None, owner=None) -> ImportResult:
    """Create the leads of new mql_ids and update those already imported (by mql_id), all or nothing.
    `by` None is the system (the command); otherwise PermissionDenied unless they may import leads."""
    if by is not None and not can_import(by, "leads"):
        raise PermissionDenied(_("You may not import leads."))
    result = ImportResult(total_rows=sum(dataset.rows.values()), to_create=0)
    if dataset.errors:
        result.add_errors(dataset.errors)
        return result
    now = timezone.now()
    wanted = [_lead(m, dataset.deals.get(m.ref), owner, now) for m in dataset.mqls]
    refs = [lead.external_ref for lead in wanted]
    known = {}
    for start in range(0, len(refs), BATCH):
        known.update({lead.external_ref: lead for lead in
                      Lead.objects.filter(external_ref_lookup_q(refs[start:start + BATCH])).only("pk", *UPDATED_FIELDS,
                                                                                            "external_ref")})
    new, changed = [], []
    for lead in wanted:
        old = known.get(lead.external_ref)
        if old is None:
            new.append(lead)
        elif any(getattr(old, f) != getattr(lead, f) for f in UPDATED_FIELDS):
            for f in UPDATED_FIELDS:
                setattr(old, f, getattr(lead, f))
            changed.append(old)
        else:
            result.unchanged += 1
    with transaction.atomic():
        ids = [lead.pk for lead in Lead.objects.bulk_create(new, batch_size=BATCH)]
        if new and ids and ids[0] is None:
            ids = list(Lead.objects.filter(external_ref_lookup_q([lead.external_ref for lead in new]))
                       .values_list("pk", flat=True))
        Lead.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=BATCH)
        if ids:
            result.ids = [min(ids), max(ids)]
            result.counts["rescored"] = leads_rescore_range(lo=min(ids), hi=max(ids), reason=ScoreChange.Reason.IMPORT)
    result.created, result.to_create = len(new), len(new)
    result.counts["updated"] = len(changed)
    result.counts["won"] = len(dataset.deals)
    result.counts["origins"] = len({m.origin for m in dataset.mqls})
    result.counts["segments"] = len({d.business_segment for d in dataset.deals.values()})
    result.counts["lead_types"] = len({d.lead_type for d in dataset.deals.values()})
    result.counts["unmapped_origins"] = sum(dataset.unmapped_origins.values())
    return result


def summary_message(result: ImportResult) -> str:
    c = result.counts
    return _("Rows read: %(rows)s; leads created %(created)s, updated %(updated)s, skipped (unchanged) %(skipped)s; "
             "%(won)s won outcomes with their won date. Kept verbatim: %(origins)s origins (%(unmapped)s rows "
             "with an origin no source code maps), %(segments)s business segments, %(types)s lead types; "
             "dates from the file (first contact, won).") % {
        "rows": result.total_rows, "created": result.created, "updated": c.get("updated", 0),
        "skipped": result.unchanged, "won": c.get("won", 0), "origins": c.get("origins", 0),
        "unmapped": c.get("unmapped_origins", 0), "segments": c.get("segments", 0), "types": c.get("lead_types", 0)}
