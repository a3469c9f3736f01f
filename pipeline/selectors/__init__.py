"""Reads for the pipeline, scoped by teams.selectors (the one permission layer)."""
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Prefetch, QuerySet, Sum

from customers.models import Activity
from teams.selectors import VIEW, scope_for_user

from .. import gates
from ..models import (
    Approval, BoardTally, ChecklistItem, ChecklistTick, Competitor, GateCriterion, LossReason, Opportunity,
    SpinQuestion, Stage, StageTransition,
)


def opportunity_queryset_for(*, user, action: str = VIEW, team: int | None = None,
                             owner: int | None = None) -> QuerySet[Opportunity]:
    """The deals `user` may see (or change), optionally narrowed to a team / an owner inside that scope."""
    queryset = scope_for_user(
        Opportunity.objects.select_related("account", "owner", "stage", "team", "loss_reason"),
        user=user, action=action)
    if team:
        queryset = queryset.filter(team_id=team)
    if owner:
        queryset = queryset.filter(owner_id=owner)
    return queryset


def stage_list(*, active_only: bool = True) -> list[Stage]:
    qs = Stage.objects.select_related("guidance_article")  # h12: the board links the guidance
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("order"))


def stage_queryset_with_criteria() -> QuerySet[Stage]:
    return Stage.objects.prefetch_related(
        Prefetch("criteria", queryset=GateCriterion.objects.filter(is_active=True).select_related("checklist_item")),
        Prefetch("checklist_items", queryset=ChecklistItem.objects.filter(is_active=True)),
    ).order_by("order")


def stage_infos(stages) -> list[gates.StageInfo]:
    return [gates.StageInfo(s.pk, s.order, s.is_won, s.is_lost, s.is_active) for s in stages]


def first_stage() -> Stage | None:
    return Stage.objects.filter(is_active=True, is_won=False, is_lost=False).order_by("order").first()


def next_stage_for(stage: Stage, stages: list[Stage]) -> Stage | None:
    info = gates.next_stage(stage_infos(stages), gates.StageInfo(stage.pk, stage.order, stage.is_won, stage.is_lost))
    return next((s for s in stages if info and s.pk == info.id), None)


# Cards per column: what fits a screen or two; a longer column links to the list of its stage. Rendering
# a card is most of the board's cost (about 0.3 ms each): 6 columns of 50 were 300 cards, 527 KB.
BOARD_CARDS_PER_COLUMN = 25
# What a card shows (templates/pipeline/_board_card.html, _amount.html): a deal row
# with every column and five joined models cost more to build than the card costs to render.
CARD_FIELDS = ("id", "name", "version", "stage", "expected_close_date", "closed_at", "stalled_at", "amount",
               "amount_known", "amount_estimate", "currency", "account", "account__name", "owner",
               "owner__username", "owner__first_name", "owner__last_name")


def _is_closed(stage: Stage) -> bool:
    return stage.is_won or stage.is_lost


def board_tally_in_use() -> bool:
    """Whether the board reads its totals from the tally: it is kept (pipeline.models.board: PostgreSQL
    triggers) and not switched off (PIPELINE_BOARD_TALLY)."""
    return connection.vendor == "postgresql" and settings.PIPELINE_BOARD_TALLY


def _tally_totals(user, stage_ids: list[int]):
    """Count and amount per stage and currency of the deals `user` may see in these stages, from the
    tally: a few rows per owner whatever the number of deals. The scope is the same rule as the deals'
    (teams.selectors.scope_for_user on the owner)."""
    rows = (scope_for_user(BoardTally.objects.filter(stage_id__in=stage_ids), user=user).order_by()
            .values("stage_id", "currency").annotate(count=Sum("deals"), amount=Sum("amount")))
    return [row for row in rows if row["count"] or row["amount"]]


def _board_totals(queryset: QuerySet[Opportunity], stages: list[Stage], closed_since,
                  tally_user=None) -> dict[int, list[dict]]:
    """Count and amount per stage and currency: the open stages' deals, and the closed stages' deals
    closed since `closed_since` (None: all of them).

    `tally_user`: `queryset` is that user's whole scope, unfiltered. Then, where the tally is kept
    (PostgreSQL), the open stages come from it (pipeline.models.board: an aggregate of 400,000 index
    entries took 60-70 ms at 1M deals) and this period's closed deals from a date range. Otherwise one
    statement of two parts (UNION ALL), each read along its own index: the open stages by
    `opp_stage_close` (stage, …) INCLUDE (currency, amount, owner) — an index-only scan —, this
    period's closed deals by their closing date. An OR of the two (or a join to the stages) made
    PostgreSQL read every deal, closed history included (0.5 s at 1M)."""
    open_ids = [stage.pk for stage in stages if not _is_closed(stage)]
    closed_ids = [stage.pk for stage in stages if _is_closed(stage)]
    if closed_since is None:
        parts = [queryset.filter(stage_id__in=open_ids + closed_ids)]
    else:
        parts = [queryset.filter(stage_id__in=open_ids),
                 queryset.filter(stage_id__in=closed_ids, closed_at__gte=closed_since)]
    from_tally = tally_user is not None and closed_since is not None and board_tally_in_use()
    grouped = [part.order_by().values("stage_id", "currency").annotate(count=Count("*"), amount=Sum("amount"))
               for part in (parts[1:] if from_tally else parts)]
    rows = grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]
    rows = _tally_totals(tally_user, open_ids) + list(rows) if from_tally else rows
    totals = defaultdict(list)
    for row in sorted(rows, key=lambda row: (row["stage_id"], row["currency"])):
        totals[row["stage_id"]].append(row)
    return totals


def _column_totals(rows: list[dict]) -> dict:
    return {"count": sum(row["count"] for row in rows),
            "amounts": [{"currency": row["currency"], "amount": row["amount"] or Decimal("0")} for row in rows]}


def board_totals(*, queryset: QuerySet[Opportunity], closed_since=None, tally_user=None) -> list[dict]:
    """The board's column totals without the cards (two queries): what a move on the board updates.
    `tally_user`: see _board_totals."""
    stages = stage_list()
    totals = _board_totals(queryset, stages, closed_since, tally_user)
    return [{"stage": stage, **_column_totals(totals.get(stage.pk, []))} for stage in stages]


def _column_cards(queryset: QuerySet[Opportunity], stage: Stage, closed_since, limit: int) -> list[Opportunity]:
    """A column's first cards. Open stage: soonest expected close first, along `opp_stage_close`
    (stage, expected_close_date). Closed stage: this period's closed deals, most recently closed first,
    along `opp_stage_closed` (stage, closed_at) — a range of one period, whatever the history (walking
    the closed stage by expected close date read every won deal ever, 1.2 s at 1M, early in a month)."""
    column = queryset.filter(stage_id=stage.pk)
    cards = queryset.select_related(None).select_related("account", "owner").only(*CARD_FIELDS)
    if not _is_closed(stage):
        order = (F("expected_close_date").asc(nulls_last=True), "pk")
        # the ids first, along the index alone (it holds the owner and the id: a manager's or a rep's
        # scope is checked without reading a row), then those rows with their joins; a scope with few
        # deals in a big stage would otherwise fetch every row of the stage (0.5 s at 1M deals)
        ids = column.order_by(*order).values("pk")[:limit]
        return list(cards.filter(pk__in=ids).order_by(*order))
    column = cards.filter(stage_id=stage.pk)
    if closed_since is not None:
        column = column.filter(closed_at__gte=closed_since)
    return list(column.order_by(F("closed_at").desc(nulls_last=True), "-pk")[:limit])


def board_columns(*, queryset: QuerySet[Opportunity], per_column: int = BOARD_CARDS_PER_COLUMN,
                  closed_since=None, tally_user=None) -> list[dict]:
    """One column per active stage: count of every matching deal, its amount per currency
    (`amounts: [{"currency", "amount"}]`, never added across currencies) and the first cards.

    `closed_since` (an aware datetime) keeps only the deals closed since then in the closed (won and
    lost) columns, so they show this period rather than every historic deal; open deals are kept.
    Two queries plus one per stage, whatever the data size: stages, per-stage totals (_board_totals),
    and each column's first `per_column` cards (_column_cards), read by its own LIMIT query along an
    index: a column costs its cards, not its deals (ranking every deal with a window function took
    3.3 s at 1M deals). The template links a capped column to the full list. `tally_user`: the
    queryset is that user's whole scope, unfiltered (the totals may come from the tally, _board_totals).
    """
    stages = stage_list()
    totals = _board_totals(queryset, stages, closed_since, tally_user)
    columns = []
    for stage in stages:
        columns.append({
            "stage": stage, **_column_totals(totals.get(stage.pk, [])),
            "cards": _column_cards(queryset, stage, closed_since, per_column), "next": next_stage_for(stage, stages),
        })
    return columns


def opportunity_history(*, opportunity: Opportunity) -> QuerySet[StageTransition]:
    return (StageTransition.objects.filter(opportunity=opportunity)
            .select_related("from_stage", "to_stage", "by").order_by("at", "id"))


def opportunity_checklist(*, opportunity: Opportunity) -> list[dict]:
    """Checklist items up to the current stage, with who ticked them."""
    ticks = {t.item_id: t for t in ChecklistTick.objects.filter(opportunity=opportunity).select_related("ticked_by")}
    items = (ChecklistItem.objects.filter(is_active=True, stage__order__lte=opportunity.stage.order)
             .select_related("stage"))
    return [{"item": item, "tick": ticks.get(item.pk)} for item in items]


def opportunity_approvals(*, opportunity: Opportunity) -> QuerySet[Approval]:
    return opportunity.approvals.select_related("requested_by", "decided_by")


def spin_questions_for(*, stage: Stage) -> dict[str, list[SpinQuestion]]:
    grouped: dict[str, list[SpinQuestion]] = {kind: [] for kind in SpinQuestion.Kind.values}
    for question in SpinQuestion.objects.filter(stage=stage):
        grouped[question.kind].append(question)
    return {SpinQuestion.Kind(kind).label: qs for kind, qs in grouped.items() if qs}


def battlecards_for(*, opportunity: Opportunity) -> QuerySet[Competitor]:
    return opportunity.competitors.all()


def opportunity_activities(*, opportunity: Opportunity, limit: int | None = 20):
    """The activities pipeline linked to the deal (OpportunityActivity), newest first."""
    qs = (Activity.objects.filter(opportunity_link__opportunity=opportunity).select_related("owner", "contact")
          .order_by("-occurred_at", "-id"))
    return qs if limit is None else qs[:limit]


def active_loss_reasons() -> QuerySet[LossReason]:
    return LossReason.objects.filter(is_active=True)


# --- timing -------------------------------------------------------------------------------------
def _stays(opportunities: QuerySet[Opportunity] | None, start, end) -> QuerySet[StageTransition]:
    """The ledger entries that end a stay (pipeline.services.ledger keeps stay_stage / stay_days), of
    live deals (`opportunities` if given), ended in [start, end] (whole days; None: unbounded).
    Rows of deleted deals (opportunity emptied) are left out: a deleted deal counts in no figure."""
    from salesops.metric_tools import between_q

    rows = StageTransition.objects.filter(between_q("at", start, end), opportunity__isnull=False,
                                          stay_stage__isnull=False)
    if opportunities is not None and opportunities.query.where:  # every live deal: no subquery needed
        rows = rows.filter(opportunity__in=opportunities.order_by().values("pk"))
    return rows


def stage_stays(*, opportunities: QuerySet[Opportunity] | None = None, start=None, end=None) -> list[tuple]:
    """Completed stays from the ledger as (stage id, deal id, days): time from entering a stage to leaving it.

    `opportunities` (a scoped queryset) restricts to those deals; `start` / `end` (dates, whole days in
    the business time zone) keep the stays that *ended* in that period (read from the entry that
    ended each stay: StageTransition.stay_stage / stay_days).
    """
    return list(_stays(opportunities, start, end).order_by().values_list("stay_stage_id", "opportunity_id", "stay_days"))


def stage_stay_percentiles(*, opportunities: QuerySet[Opportunity], start=None, end=None,
                           percentiles=(50, 90)) -> dict:
    """{stage id, or None for all stages: {"stays", "deals", p: days}} over the stays of `stage_stays`.

    On PostgreSQL one query (percentile_cont per stage and in total over the stored stays, index
    transition_stays: the same linear interpolation as gates.percentile); elsewhere the stays are
    read and computed in Python.
    """
    from django.db import connections

    stays = _stays(opportunities, start, end)
    connection = connections[stays.db]
    if connection.vendor != "postgresql":
        found = stage_stays(opportunities=opportunities, start=start, end=end)
        result = {}
        for key in [None, *sorted({stage for stage, _deal, _days in found})]:
            days = [d for stage, _deal, d in found if key is None or stage == key]
            result[key] = {"stays": len(days), "deals": len({deal for stage, deal, _d in found
                                                             if key is None or stage == key}),
                           **{p: gates.percentile(days, p) for p in percentiles}}
        return result
    sql, params = stays.order_by().values("stay_stage_id", "opportunity_id", "stay_days").query.sql_with_params()
    columns = ", ".join(f"percentile_cont({p / 100}) WITHIN GROUP (ORDER BY stay_days)" for p in percentiles)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stay_stage_id, COUNT(*), COUNT(DISTINCT opportunity_id), {columns} FROM ({sql}) stays"
                       f" GROUP BY GROUPING SETS ((stay_stage_id), ())", params)
        rows = cursor.fetchall()
    result = {None: {"stays": 0, "deals": 0, **{p: None for p in percentiles}}}
    for stage_id, stays_n, deals, *values in rows:
        result[stage_id] = {"stays": stays_n, "deals": deals,
                            **{p: None if v is None else float(v) for p, v in zip(percentiles, values)}}
    return result


def stage_stay_days(*, stage_ids=None, opportunities: QuerySet[Opportunity] | None = None, start=None,
                    end=None) -> dict[int, list[float]]:
    """Completed stays (days) per stage (see stage_stays)."""
    stays: dict[int, list[float]] = defaultdict(list)
    for stage_id, _deal_id, days in stage_stays(opportunities=opportunities, start=start, end=end):
        if stage_ids is None or stage_id in stage_ids:
            stays[stage_id].append(days)
    return stays


def stage_timing() -> list[dict]:
    """Time in each stage (p50 / p90 days, from completed stays) and the sales cycle of closed deals."""
    stays = stage_stay_days()
    rows = []
    for stage in stage_list():
        values = stays.get(stage.pk, [])
        rows.append({"stage": stage, "stays": len(values), "p50": gates.percentile(values, 50),
                     "p90": gates.percentile(values, 90)})
    return rows


def sales_cycle_days(*, queryset: QuerySet[Opportunity]) -> dict:
    cycles = [(closed - created).total_seconds() / 86400 for created, closed in
              queryset.filter(closed_at__isnull=False).values_list("created_at", "closed_at")]
    return {"deals": len(cycles), "p50": gates.percentile(cycles, 50), "p90": gates.percentile(cycles, 90)}


def opportunity_import_job_queryset_for(*, user):
    """Import jobs a user may follow: their own (administrators: every job)."""
    from salesops.jobs import import_job_queryset
    from teams.predicates import is_admin

    from ..models import OpportunityImportJob
    return import_job_queryset(OpportunityImportJob, user=user, see_all=is_admin(user))
