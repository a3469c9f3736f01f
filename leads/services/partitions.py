"""The events table (leads_leadevent) partitioned by month on PostgreSQL, once it is large.

`events_partition_convert()` (manage.py partition_events --apply) replaces the plain table with one
partitioned by RANGE (occurred_at): a partition per calendar month (UTC) from the oldest event's
month (at most MAX_MONTHS_BACK back) to MONTHS_AHEAD months ahead, and a DEFAULT partition for
anything outside. Rows, the id sequence, indexes and foreign keys are carried over in one
transaction (writes to events wait meanwhile: an ACCESS EXCLUSIVE lock). What PostgreSQL requires of
a partitioned table, and what was chosen:

- The primary key must contain the partition key: it becomes (id, occurred_at). `id` stays the
  Django primary key (the model is unchanged) and stays unique because only the identity sequence
  hands ids out; no table refers to an event by id (no foreign key can point at a partitioned
  table's part of a key). A lookup by id probes each partition's primary-key index.
- A unique index must contain the partition key too, so the two idempotency constraints
  (external id per poster, external id among the app's own events) cannot stay on the table
  without including occurred_at, which would let a retried webhook with another time in. They move,
  with their names and conditions, to `leads_leadevent_key` (one row per event with an external id),
  kept by row triggers on the events table in the same statement: a duplicate raises the same
  unique violation (IntegrityError) as before, a deleted event frees its key, TRUNCATE empties it.
- Django's migration state is unchanged (same columns, names, model Meta): `makemigrations` sees
  nothing. A later migration on this table must be one PostgreSQL allows on a partitioned table
  (no CREATE INDEX CONCURRENTLY on the parent; a new unique constraint goes to the key table).

`event_partitions_ensure()` (beat, daily) creates the coming months' partitions ahead of time,
moving any rows the DEFAULT partition holds for such a month into it. SQLite: both do nothing.
"""
import logging
from datetime import date, datetime, timezone as dt_timezone

from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

TABLE = "leads_leadevent"
KEY_TABLE = "leads_leadevent_key"
MONTHS_AHEAD = 3
MAX_MONTHS_BACK = 240
UNIQUE_KEYS = {  # the model's constraints, enforced on the key table (leads.models.lead.LeadEvent.Meta)
    "lead_event_poster_external_id_unique": "(posted_by_id, external_id) WHERE posted_by_id IS NOT NULL",
    "lead_event_app_external_id_unique": "(external_id) WHERE posted_by_id IS NULL",
}


def _supported() -> bool:
    return connection.vendor == "postgresql"


def _is_partitioned(cursor) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
                   " WHERE c.relname = %s AND c.relnamespace = to_regnamespace(current_schema()))", [TABLE])
    return cursor.fetchone()[0]


def _month(d: date, plus: int = 0) -> date:
    m = d.year * 12 + d.month - 1 + plus
    return date(m // 12, m % 12 + 1, 1)


def _partition_name(month: date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def _bound(month: date) -> str:
    return datetime(month.year, month.month, 1, tzinfo=dt_timezone.utc).isoformat()


def events_partition_status() -> dict:
    """What `partition_events --check` prints: vendor, whether partitioned, rows, size, partitions."""
    if not _supported():
        return {"supported": False}
    with connection.cursor() as cursor:
        partitioned = _is_partitioned(cursor)
        cursor.execute(f"SELECT COUNT(*), MIN(occurred_at), MAX(occurred_at) FROM {TABLE}")
        rows, oldest, newest = cursor.fetchone()
        # a plain table is no partition tree (pg_partition_tree answers no row for it): its own size then
        cursor.execute("SELECT COALESCE((SELECT SUM(pg_total_relation_size(relid)) FROM pg_partition_tree(%s::regclass)),"
                       " pg_total_relation_size(%s::regclass))", [TABLE, TABLE])
        size = cursor.fetchone()[0] or 0
        partitions = []
        if partitioned:
            cursor.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
                           " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY 1",
                           [TABLE])
            partitions = cursor.fetchall()
    return {"supported": True, "partitioned": partitioned, "rows": rows, "oldest": oldest, "newest": newest,
            "bytes": size, "partitions": partitions}


def _create_partition(cursor, month: date) -> bool:
    """The partition of `month` if missing; rows the DEFAULT partition holds for it are moved in
    (PostgreSQL refuses to attach a range that the default partition has rows of). True if made."""
    name = _partition_name(month)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    if cursor.fetchone()[0]:
        return False
    lo, hi = _bound(month), _bound(_month(month, 1))
    # no new row for this month may land in the default partition between the move and the attach
    # (the attach would then fail); writes to other months go on
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{TABLE}_default"])
    if cursor.fetchone()[0]:
        cursor.execute(f"LOCK TABLE {TABLE}_default IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
    cursor.execute(f"WITH moved AS (DELETE FROM {TABLE}_default WHERE occurred_at >= %s AND occurred_at < %s"
                   f" RETURNING *) INSERT INTO {name} SELECT * FROM moved", [lo, hi])
    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM ('{lo}') TO ('{hi}')")
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [KEY_TABLE])
    if cursor.fetchone()[0]:  # the move deleted their keys (delete trigger); the new table had no trigger yet
        cursor.execute(f"INSERT INTO {KEY_TABLE} (event_id, posted_by_id, external_id) SELECT id, posted_by_id,"
                       f" external_id FROM {name} WHERE external_id IS NOT NULL ON CONFLICT (event_id) DO NOTHING")
    return True


def event_partitions_ensure(*, now=None, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Beat (daily): this month's and the next `months_ahead` months' partitions exist. Returns the
    names created; nothing on SQLite or while the table is not partitioned."""
    if not _supported():
        return []
    this_month = _month((now or timezone.now()).astimezone(dt_timezone.utc).date())
    made = []
    with transaction.atomic(), connection.cursor() as cursor:
        if not _is_partitioned(cursor):
            return []
        for k in range(months_ahead + 1):
            month = _month(this_month, k)
            if _create_partition(cursor, month):
                made.append(_partition_name(month))
    if made:
        logger.info("event partitions created: %s", ", ".join(made))
    return made


KEY_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION {KEY_TABLE}_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM {KEY_TABLE} WHERE event_id = OLD.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.external_id IS NOT NULL THEN
    INSERT INTO {KEY_TABLE} (event_id, posted_by_id, external_id) VALUES (NEW.id, NEW.posted_by_id, NEW.external_id);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION {KEY_TABLE}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE {KEY_TABLE};
  RETURN NULL;
END $$;
"""


@transaction.atomic
def events_partition_convert(*, now=None) -> dict:
    """Replace leads_leadevent with a table partitioned by month, data and all (see the module's
    notes). Returns {"converted", "rows", "partitions"}; does nothing if already partitioned."""
    if not _supported():
        return {"converted": False, "rows": 0, "partitions": 0}
    now = now or timezone.now()
    with connection.cursor() as cursor:
        if _is_partitioned(cursor):
            return {"converted": False, "rows": 0, "partitions": 0}
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks pending on the old table run now
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        if _is_partitioned(cursor):  # a second --apply that waited on the lock: the first one converted it
            return {"converted": False, "rows": 0, "partitions": 0}
        # the plain table's non-unique indexes and foreign keys, to recreate under the same names
        cursor.execute("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
                       " WHERE indrelid = %s::regclass AND NOT indisunique", [TABLE])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                       " WHERE conrelid = %s::regclass AND contype = 'f'", [TABLE])
        foreign_keys = cursor.fetchall()
        cursor.execute(f"SELECT MIN(occurred_at), COALESCE(MAX(id), 0) FROM {TABLE}")
        oldest, max_id = cursor.fetchone()
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_unpartitioned")
        cursor.execute(
            f"CREATE TABLE {TABLE} (id bigint GENERATED BY DEFAULT AS IDENTITY,"
            " occurred_at timestamptz NOT NULL, external_id varchar(200) NULL, received_at timestamptz NOT NULL,"
            " event_type_id bigint NOT NULL, lead_id bigint NOT NULL, posted_by_id bigint NULL,"
            f" CONSTRAINT {TABLE}_pkey_part PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        this_month = _month(now.astimezone(dt_timezone.utc).date())
        first = _month(oldest.astimezone(dt_timezone.utc).date()) if oldest else this_month
        first = max(first, _month(this_month, -MAX_MONTHS_BACK))
        month, made = first, 0
        while month <= _month(this_month, MONTHS_AHEAD):
            made += _create_partition(cursor, month)
            month = _month(month, 1)
        cursor.execute(f"INSERT INTO {TABLE} (id, occurred_at, external_id, received_at, event_type_id, lead_id,"
                       " posted_by_id) SELECT id, occurred_at, external_id, received_at, event_type_id, lead_id,"
                       f" posted_by_id FROM {TABLE}_unpartitioned")
        rows = cursor.rowcount
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [TABLE, max(max_id, 1), max_id > 0])
        # the key table (idempotency): filled from the copied rows, then kept by triggers
        cursor.execute(f"CREATE TABLE {KEY_TABLE} (event_id bigint PRIMARY KEY, posted_by_id bigint NULL,"
                       " external_id varchar(200) NOT NULL)")
        cursor.execute(f"INSERT INTO {KEY_TABLE} SELECT id, posted_by_id, external_id FROM {TABLE}"
                       " WHERE external_id IS NOT NULL")
        cursor.execute(f"DROP TABLE {TABLE}_unpartitioned")  # its indexes and constraints go with it
        cursor.execute(f"ALTER TABLE {TABLE} RENAME CONSTRAINT {TABLE}_pkey_part TO {TABLE}_pkey")
        for name, definition in UNIQUE_KEYS.items():
            cursor.execute(f"CREATE UNIQUE INDEX {name} ON {KEY_TABLE} {definition}")
        for _name, definition in indexes:  # "CREATE INDEX name ON public.leads_leadevent_unpartitioned USING ..."
            cursor.execute(definition.replace(f"{TABLE}_unpartitioned", TABLE))
        # the unique indexes moved to the key table; the events' own lookups by external id (an API batch's
        # resend check, a nurture click's get_or_create) keep a plain index so they never scan every month
        cursor.execute(f"CREATE INDEX {TABLE}_external ON {TABLE} (posted_by_id, external_id)"
                       " WHERE external_id IS NOT NULL")
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
        cursor.execute(KEY_FUNCTIONS)
        cursor.execute(f"CREATE TRIGGER {KEY_TABLE}_write AFTER INSERT OR DELETE OR UPDATE OF external_id, posted_by_id"
                       f" ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {KEY_TABLE}_write()")
        cursor.execute(f"CREATE TRIGGER {KEY_TABLE}_truncate AFTER TRUNCATE ON {TABLE}"
                       f" FOR EACH STATEMENT EXECUTE FUNCTION {KEY_TABLE}_truncate()")
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute(f"ANALYZE {KEY_TABLE}")
    return {"converted": True, "rows": rows, "partitions": made + 1}
