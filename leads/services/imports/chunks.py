"""A lead import's chunks: the set-based duplicate check of one chunk of rows, and the writer that
inserts a chunk's new leads with what goes with them (audit rows of their owners, "lead.created"
changes), every step one statement per chunk, never one per row.

PostgreSQL: the chunk's ids are drawn from the table's sequence in one query and the rows go in
by COPY; elsewhere (SQLite in development and tests) by `bulk_create`. Both write the same
values: a new lead with an owner (and not already converted per the source) is written assigned,
with its first-touch deadline, as `leads_record_owners` would set it afterwards.
"""
import json
from collections import Counter

from django.db import connections, router
from django.db.models import F
from django.db.models.functions import JSONObject, Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ...models import Lead
from ...selectors import email_lookup_q
from .rows import Row

LOOKUP_CHUNK = 1000  # keys per duplicate lookup query
BATCH_SIZE = 1000  # rows per INSERT where COPY is not used


def existing_keys(*, emails: set[str], refs: set[str]) -> tuple[set[str], set[str]]:
    """Of these (case-folded) emails and external references, those some lead already has: by the
    lower(email) index (leads.selectors.email_lookup_q) and the external_ref index."""
    found_emails, found_refs = set(), set()
    emails_list, refs_list = sorted(emails), sorted(refs)
    for start in range(0, len(emails_list), LOOKUP_CHUNK):
        found_emails |= set(Lead.objects.filter(email_lookup_q(emails_list[start:start + LOOKUP_CHUNK]))
                            .annotate(e=Lower("email")).values_list("e", flat=True))
    for start in range(0, len(refs_list), LOOKUP_CHUNK):
        found_refs |= set(Lead.objects.filter(external_ref__in=refs_list[start:start + LOOKUP_CHUNK])
                          .values_list("external_ref", flat=True))
    return found_emails, found_refs


def dedupe_chunk(rows: list[Row], *, seen: dict[str, int], result) -> list[Row]:
    """The chunk's new rows. A row whose key an earlier row of the file had (`seen`: key -> row
    number, kept across chunks: one short string per new row, not a lead) or an existing lead has
    is a duplicate: skipped and reported, as before chunks."""
    valid = [row for row in rows if row.fields is not None]
    keys = {row.number: row.key for row in valid}
    emails = {key[2:] for key in keys.values() if key.startswith("e:") and key not in seen}
    refs = {key[2:] for key in keys.values() if key.startswith("r:") and key not in seen}
    known_emails, known_refs = existing_keys(emails=emails, refs=refs)
    new = []
    for row in valid:
        key = keys[row.number]
        reason = None
        if key and key in seen:
            reason = _("same as row %(row)s") % {"row": seen[key]}
        elif key.startswith("e:") and key[2:] in known_emails:
            reason = _("a lead with email %(email)s exists") % {"email": row.fields["email"]}
        elif key.startswith("r:") and key[2:] in known_refs:
            reason = _("a lead with external reference %(ref)s exists") % {"ref": row.fields["external_ref"]}
        if reason:
            row.fields, row.duplicate = None, True
            result.duplicates.append({"row": row.number, "reason": reason})
            continue
        if key:
            seen[key] = row.number
        new.append(row)
    return new


class LeadWriter:
    """Writes the new leads of one import, chunk by chunk, inside the caller's transaction."""

    def __init__(self, *, by, now, source: str, sla_due):
        self.by, self.now, self.source, self.sla_due = by, now, source[:100], sla_due
        self.connection = connections[router.db_for_write(Lead)]
        self.use_copy = self.connection.vendor == "postgresql"
        self.lo = self.hi = None
        self.created = 0
        self.owners: Counter = Counter()
        self.fields = list(Lead._meta.concrete_fields)
        self.position = {f.name: i for i, f in enumerate(self.fields)}
        if self.use_copy:
            from psycopg.types.json import Jsonb

            template = Lead()
            self.base = [f.get_db_prep_save(getattr(template, f.attname), self.connection) for f in self.fields]
            # JSON defaults as their text once (COPY's text format), not dumped again for every row
            self.base = [json.dumps(v.obj) if isinstance(v, Jsonb) else v for v in self.base]

    def _common(self, fields: dict) -> dict:
        """What every imported lead gets besides the file's values."""
        common = {"imported_from": self.source, "imported_at": self.now, "updated_at": self.now,
                  "date_unknown": fields.get("created_at") is None}
        if "created_at" not in fields:
            # no creation date in the file: the lead is of unknown date, in no dated period
            common["created_at"] = self.now
        if fields.get("owner") is not None and fields.get("imported_converted") is not True:
            # leads the file records as already converted are history, not work for a rep
            common.update(assigned_at=self.now, first_touch_due_at=self.sla_due, version=2)
        return common

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        lo, hi = self._insert_copy(rows) if self.use_copy else self._insert_orm(rows)
        self.lo = lo if self.lo is None else min(self.lo, lo)
        self.hi = hi if self.hi is None else max(self.hi, hi)
        self.created += len(rows)
        self._after_insert(Lead.objects.filter(pk__gte=lo, pk__lte=hi, imported_at=self.now))

    def _insert_orm(self, rows: list[Row]) -> tuple[int, int]:
        leads = [Lead(**row.fields, **self._common(row.fields)) for row in rows]
        created = Lead.objects.bulk_create(leads, batch_size=BATCH_SIZE)
        ids = [lead.pk for lead in created]
        return min(ids), max(ids)

    def _insert_copy(self, rows: list[Row]) -> tuple[int, int]:
        from psycopg import sql

        table = Lead._meta.db_table
        id_at, owner_at = self.position["id"], self.position["owner"]
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, len(rows)])
            ids = [pk for (pk,) in cursor.fetchall()]
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(f.column) for f in self.fields))
            position = self.position
            with self.connection.wrap_database_errors:  # a unique violation is Django's IntegrityError
                with cursor.cursor.copy(statement) as copy:
                    for pk, row in zip(ids, rows):
                        values = self.base.copy()
                        values[id_at] = pk
                        for name, value in row.fields.items():
                            if name == "owner":
                                values[owner_at] = value.pk if value is not None else None
                            else:
                                values[position[name]] = value
                        for name, value in self._common(row.fields).items():
                            values[position[name]] = value
                        copy.write_row(values)
        return min(ids), max(ids)

    def refresh_statistics(self) -> None:
        """ANALYZE leads_lead when this import is a large part of it (PostgreSQL): the rescore that
        follows joins the new id range, and with statistics from before the import (a first import
        into an almost empty table) the planner picks nested scans: 20,000 leads took 30 s instead
        of well under one. ANALYZE inside the transaction counts the transaction's own new rows;
        it samples at most 30,000 rows, so it costs the same for any table size."""
        if not self.use_copy or not self.created:
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Lead._meta.db_table])
            known = (cursor.fetchone() or [0])[0]
            if self.created * 5 > max(known, 0):
                cursor.execute(f"ANALYZE {Lead._meta.db_table}")

    def _after_insert(self, leads) -> None:
        """The chunk's "lead.created" changes and its owners' audit rows, set-based."""
        from integrations.events import publish_rows

        from ..routing import leads_record_imported_owners

        publish_rows("lead.created", leads, object_id="pk", owner_id="owner_id",
                     payload=JSONObject(id=F("pk"), name=F("name"), email=F("email"), company=F("company"),
                                        source=F("source"), status=F("status"), owner=F("owner_id"),
                                        external_ref=F("external_ref")))
        self.owners += leads_record_imported_owners(leads=leads.exclude(imported_converted=True), by=self.by,
                                                    note=gettext_noop("CSV import"), now=self.now)
