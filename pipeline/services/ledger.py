"""The stay each stage-ledger entry ends (StageTransition.stay_stage / stay_days), kept in step with the
ledger so time in stage p50/p90 is one percentile over the entries of a period, with no window over
every deal's history at read time.

A deal's entries in (at, id) order: entry n ends the stay that entry n-1 began, in entry n-1's
to_stage, lasting at(n) - at(n-1). The first entry ends nothing (both empty). The ledger rows' facts
never change; only these two derived columns do, and only when an entry lands out of order (an
imported stage with a past date) and shifts its neighbour's stay.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from collections.abc import Iterable

from django.db import connection
from django.db.models import OuterRef, Subquery

from ..models import Opportunity, StageTransition

# The same stays for every deal at once (a migration's or the benchmark's backfill), PostgreSQL.
BACKFILL_SQL = """
UPDATE pipeline_stagetransition t SET stay_stage_id = s.stage, stay_days = s.days
FROM (SELECT id, LAG(to_stage_id) OVER w AS stage,
             EXTRACT(EPOCH FROM ("at" - LAG("at") OVER w)) / 86400.0 AS days
      FROM pipeline_stagetransition WHERE opportunity_id IS NOT NULL
      WINDOW w AS (PARTITION BY opportunity_id ORDER BY "at", id)) s
WHERE s.id = t.id AND (t.stay_stage_id, t.stay_days) IS DISTINCT FROM (s.stage, s.days)
"""


def stays_of(entries: Sequence[tuple[int, datetime]]) -> list[tuple[int | None, float | None]]:
    """(stay stage, days) per entry of one deal, from its entries' (to_stage id, at) in (at, id) order."""
    result: list[tuple[int | None, float | None]] = []
    previous = None
    for stage_id, at in entries:
        result.append((None, None) if previous is None
                      else (previous[0], (at - previous[1]).total_seconds() / 86400))
        previous = (stage_id, at)
    return result


def furthest_stage_subquery(transitions=StageTransition.objects) -> Subquery:
    """The to_stage of the deal's furthest forward (not lost) ledger entry, for an UPDATE of deals."""
    return Subquery(transitions.filter(opportunity_id=OuterRef("pk"), to_stage__is_lost=False)
                    .order_by("-to_stage__order", "-id").values("to_stage_id")[:1])


# Every deal's furthest stage at once (PostgreSQL): one pass over the ledger sorted by deal, rather
# than the correlated subquery per deal (an index probe and a sort for each of 1M deals: about 10
# minutes); only deals whose stored value differs are written. Deals left with no forward entry
# (every entry lost, or none) are emptied by the second statement.
FURTHEST_BACKFILL_SQL = """
UPDATE pipeline_opportunity o SET furthest_stage_id = f.stage_id
FROM (SELECT DISTINCT ON (t.opportunity_id) t.opportunity_id, t.to_stage_id AS stage_id
      FROM pipeline_stagetransition t JOIN pipeline_stage s ON s.id = t.to_stage_id
      WHERE t.opportunity_id IS NOT NULL AND NOT s.is_lost
      ORDER BY t.opportunity_id, s."order" DESC, t.id DESC) f
WHERE o.id = f.opportunity_id AND o.furthest_stage_id IS DISTINCT FROM f.stage_id
"""
FURTHEST_CLEAR_SQL = """
UPDATE pipeline_opportunity o SET furthest_stage_id = NULL
WHERE o.furthest_stage_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM pipeline_stagetransition t JOIN pipeline_stage s ON s.id = t.to_stage_id
    WHERE t.opportunity_id = o.id AND NOT s.is_lost)
"""


def _furthest_backfill_postgresql() -> int:
    with connection.cursor() as cursor:
        cursor.execute(FURTHEST_BACKFILL_SQL)
        written = cursor.rowcount
        cursor.execute(FURTHEST_CLEAR_SQL)
        return written + cursor.rowcount


def opportunities_furthest_sync(*, opportunity_ids: Iterable[int] | None = None) -> int:
    """Set Opportunity.furthest_stage from the ledger: for `opportunity_ids` (a statement per 5,000),
    or for every deal (None: the backfill; set-based on PostgreSQL, writing only deals whose value
    differs). Returns the deals written (on PostgreSQL's backfill: the deals whose value changed)."""
    if opportunity_ids is None:
        if connection.vendor == "postgresql":
            return _furthest_backfill_postgresql()
        return Opportunity.objects.update(furthest_stage_id=furthest_stage_subquery())
    ids, written = sorted(opportunity_ids), 0
    for start in range(0, len(ids), 5000):
        written += Opportunity.objects.filter(pk__in=ids[start:start + 5000]).update(
            furthest_stage_id=furthest_stage_subquery())
    return written


def ledger_stays_sync(*, opportunity_id: int) -> int:
    """Bring the stays of one deal's entries up to date (callers hold the deal's lock), and its
    furthest stage; returns the entries changed — normally only the new one."""
    opportunities_furthest_sync(opportunity_ids=[opportunity_id])
    rows = list(StageTransition.objects.filter(opportunity_id=opportunity_id).order_by("at", "id")
                .values_list("pk", "to_stage_id", "at", "stay_stage_id", "stay_days"))
    changed = 0
    for (pk, _stage, _at, stage_now, days_now), wanted in zip(rows, stays_of([(r[1], r[2]) for r in rows])):
        if (stage_now, days_now) != wanted:
            changed += StageTransition.objects.filter(pk=pk).update(stay_stage_id=wanted[0], stay_days=wanted[1])
    return changed


def ledger_entries_with_stays(entries: list[StageTransition]) -> list[StageTransition]:
    """New entries of new deals (a bulk import, in insert order) with their stays set before the insert."""
    per_deal: dict[int, list[StageTransition]] = {}
    for entry in entries:
        per_deal.setdefault(entry.opportunity_id, []).append(entry)
    for deal_entries in per_deal.values():
        ordered = sorted(deal_entries, key=lambda e: e.at)  # stable: the insert order is the id order
        for entry, (stage_id, days) in zip(ordered, stays_of([(e.to_stage_id, e.at) for e in ordered])):
            entry.stay_stage_id, entry.stay_days = stage_id, days
    return entries


def ledger_stays_backfill() -> int:
    """Every entry's stay (set-based on PostgreSQL, deal by deal elsewhere); returns the rows changed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(BACKFILL_SQL)
            return cursor.rowcount
    deals = StageTransition.objects.filter(opportunity__isnull=False).values_list("opportunity_id", flat=True)
    return sum(ledger_stays_sync(opportunity_id=pk) for pk in deals.order_by().distinct())
