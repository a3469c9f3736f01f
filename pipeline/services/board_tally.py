"""Upkeep of the board's tally (pipeline.models.board.BoardTally; PostgreSQL, kept by triggers).

- `board_tally_compact()`: folds the appended rows into one per (stage, owner, currency) and drops keys
  whose net is zero, in one statement (beat, every few minutes). Rows appended while it runs are not in
  its snapshot: they survive untouched, so nothing is lost or counted twice; two compactions at once
  are serialised by an advisory lock (the second returns at once).
- `board_tally_verify(repair=True)`: compares the tally with a live count of the deals in one statement
  (one snapshot, and the triggers write the tally in the deal's own transaction, so the two agree unless
  someone bypassed the triggers, e.g. with `session_replication_role = replica`); a mismatch is logged
  and, with `repair`, the tally rebuilt while writers to the deals wait (SHARE lock), after any
  compaction in progress (its advisory lock).
Both are no-ops elsewhere than PostgreSQL.
"""
import logging

from django.db import connection, transaction

log = logging.getLogger(__name__)

COMPACT_LOCK = 0x50_4C_42_54  # "PLBT": one compaction at a time

COMPACT_SQL = """
WITH gone AS (DELETE FROM pipeline_boardtally RETURNING stage_id, owner_id, currency, deals, amount)
INSERT INTO pipeline_boardtally (stage_id, owner_id, currency, deals, amount)
SELECT stage_id, owner_id, currency, sum(deals), sum(amount) FROM gone
GROUP BY 1, 2, 3 HAVING sum(deals) <> 0 OR sum(amount) <> 0
"""

DIFF_SQL = """
SELECT count(*) FROM (
    SELECT stage_id, owner_id, currency, count(*) AS deals, sum(amount) AS amount
      FROM pipeline_opportunity GROUP BY 1, 2, 3) live
FULL JOIN (
    SELECT stage_id, owner_id, currency, sum(deals) AS deals, sum(amount) AS amount
      FROM pipeline_boardtally GROUP BY 1, 2, 3 HAVING sum(deals) <> 0 OR sum(amount) <> 0) tally
USING (stage_id, owner_id, currency)
WHERE (live.deals, live.amount) IS DISTINCT FROM (tally.deals, tally.amount)
"""

# The rebuild first waits for a compaction in progress (its advisory lock): a compaction committing
# in the middle would leave folded rows the DELETE's snapshot never saw, counted twice with the
# rebuilt ones. Then the deals are held still (SHARE) while they are counted; a lock not had within
# REBUILD_LOCK_TIMEOUT fails the task, which Celery retries later, rather than queueing every write
# to deals behind it while a long import runs.
REBUILD_LOCK_TIMEOUT = "30s"
REBUILD_SQL = """
LOCK TABLE pipeline_opportunity IN SHARE MODE;
DELETE FROM pipeline_boardtally;
INSERT INTO pipeline_boardtally (stage_id, owner_id, currency, deals, amount)
SELECT stage_id, owner_id, currency, count(*), sum(amount) FROM pipeline_opportunity GROUP BY 1, 2, 3;
"""


def board_tally_kept() -> bool:
    """The tally exists and is kept (PostgreSQL: the migration's triggers)."""
    return connection.vendor == "postgresql"


def board_tally_compact() -> dict:
    """Fold the tally's rows, one per key. Returns {"before": rows, "after": rows} (empty when skipped)."""
    if not board_tally_kept():
        return {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [COMPACT_LOCK])
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute("SELECT count(*) FROM pipeline_boardtally")
        before = cursor.fetchone()[0]
        cursor.execute(COMPACT_SQL)
        return {"before": before, "after": cursor.rowcount}


def board_tally_verify(*, repair: bool = True) -> dict:
    """{"mismatched": keys whose tally differs from the deals, "repaired": bool}."""
    if not board_tally_kept():
        return {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(DIFF_SQL)
        mismatched = cursor.fetchone()[0]
        if mismatched:
            log.warning("Board tally differs from the deals for %s stage/owner/currency keys%s", mismatched,
                        "; rebuilding it" if repair else "")
            if repair:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COMPACT_LOCK])
                cursor.execute(f"SET LOCAL lock_timeout = '{REBUILD_LOCK_TIMEOUT}'")
                cursor.execute(REBUILD_SQL)
    return {"mismatched": mismatched, "repaired": bool(mismatched and repair)}
