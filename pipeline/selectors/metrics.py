"""Read-only pipeline figures: the funnel and the forecast, set-based (GROUP BY in the database).

Every function takes an already scoped queryset (pipeline.selectors.opportunity_queryset_for) or a
user, so a rep sees their own figures, a manager their team's, an admin everything.

Funnel definitions (README "Funnel figures"):
- The period is [start, end], whole days in the business time zone (default: the last 3 months).
- **Per stage**: deals *currently* in each stage whose relevant date falls in the period. The relevant
  date is when the deal entered its current stage (`stage_entered_at`), which for a closed deal is its
  close date. So the closed-won / closed-lost rows are the deals closed in the period, and an open row
  is the deals that moved into (or were created in) that stage in the period.
- **Conversion** (from the stage ledger), for the same deals: reached(S) = deals whose ledger shows
  stage S or a later stage of the forward sequence (a won deal passed every stage); the conversion
  from S to the next stage is reached(next) / reached(S).
- **Win rate** = won / (won + lost) among deals closed in the period.
- **Sales cycle**: days from created to closed of the deals won in the period (average and median).
- **Won value** per owner / team / product / sector: deals won in the period; per product it is the
  sum of their lines (quantity x unit price), so a deal with several products is split between them.

Money: amounts in different currencies are never added together. Every amount figure is a total per
currency (`amounts: [{"currency", "amount"}]`, or one row per currency with a `currency` field); there
is no exchange-rate table.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Avg, Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum,
)
from django.db.models.functions import Coalesce

from salesops.metric_tools import DaysBetween, between_q, dated_q, day_start, money, period_range, person  # noqa: F401  (re-exported)
from teams import predicates
from teams.models import Team, User
from teams.selectors import owner_q

from .. import forecasting
from ..models import ForecastSnapshot, Opportunity, OpportunityLine, Stage
from . import stage_list


# --- helpers ------------------------------------------------------------------------------------
# day_start / period_range live in the base (salesops.metric_tools): leads' metrics use them too.
def chosen_probability_expression():
    """rep_probability, else model_probability, else stage_probability (forecasting.chosen_probability)."""
    return Coalesce("rep_probability", "model_probability", "stage_probability")


def weighted_expression():
    return ExpressionWrapper(F("amount") * chosen_probability_expression() / Decimal(100),
                             output_field=DecimalField(max_digits=20, decimal_places=4))


def per_currency(rows, *, amount: str = "amount") -> list[dict]:
    """[{"currency", "amount"}] summed per currency from rows that carry "currency" (sorted by code)."""
    return [{"currency": code, "amount": total} for code, total in money(rows, amount=amount).items()]


# --- funnel -------------------------------------------------------------------------------------
def funnel_stages(*, queryset: QuerySet[Opportunity], start: date, end: date,
                  stages: list[Stage] | None = None) -> list[dict]:
    """Count and amount per stage of the deals whose current stage was entered in [start, end].

    One GROUP BY over the covering index `opp_funnel` (stage_entered_at INCLUDE stage, amount).
    """
    stages = stages if stages is not None else stage_list()
    rows = defaultdict(list)
    for row in (entered_in(queryset, start, end).order_by()
                .values("stage_id", "currency").annotate(count=Count("pk"), amount=Sum("amount"))):
        rows[row["stage_id"]].append(row)
    return [{"stage": stage.pk, "code": stage.code, "name": stage.label, "is_won": stage.is_won,
             "is_lost": stage.is_lost, "count": sum(r["count"] for r in rows[stage.pk]),
             "amounts": per_currency(rows[stage.pk])} for stage in stages]


def funnel_conversion(*, queryset: QuerySet[Opportunity], start: date, end: date, stages: list[Stage]) -> list[dict]:
    """Stage-to-stage conversion along the forward sequence, from the ledger (see the module doc).

    One GROUP BY of the funnel's deals by their stored furthest forward stage
    (Opportunity.furthest_stage, kept from the ledger by pipeline.services.ledger): no read of any
    deal's ledger. Deals with no forward entry reached nothing and are left out."""
    stopped = dict(entered_in(queryset, start, end).filter(furthest_stage__isnull=False).order_by()
                   .values("furthest_stage__order").annotate(n=Count("pk"))
                   .values_list("furthest_stage__order", "n"))
    sequence = [s for s in stages if not s.is_lost]
    reached = forecasting.reached_counts(stopped, [s.order for s in sequence])
    return [{"from_stage": a.code, "to_stage": b.code, "from_name": a.label, "to_name": b.label,
             "reached_from": reached[a.order], "reached_to": reached[b.order],
             "rate": forecasting.conversion_rate(reached[a.order], reached[b.order])}
            for a, b in zip(sequence, sequence[1:])]


def entered_in(queryset, start: date | None, end: date | None) -> QuerySet[Opportunity]:
    """The funnel's deals: current stage entered in [start, end] (None: unbounded). Deals of unknown
    date (imported without one) belong to no dated period: only to all time (both ends None)."""
    return queryset.filter(dated_q("stage_entered_at", start, end))


def won_in(queryset, start: date | None, end: date | None) -> QuerySet[Opportunity]:
    """Deals won (closed in a won stage) in [start, end] (None: unbounded)."""
    return queryset.filter(between_q("closed_at", start, end), stage__is_won=True)


def expected_open_in(queryset, start: date | None, end: date | None) -> QuerySet[Opportunity]:
    """Open deals expected to close in [start, end] (None: unbounded)."""
    q = Q(closed_at__isnull=True)
    if start is not None:
        q &= Q(expected_close_date__gte=start)
    if end is not None:
        q &= Q(expected_close_date__lte=end)
    elif start is None:
        q &= Q(expected_close_date__isnull=False)
    return queryset.filter(q)




def sales_cycle(*, queryset: QuerySet[Opportunity], start: date, end: date) -> dict:
    """Average and median days created -> closed of the deals won in the period (median: 1-2 rows read)."""
    won = won_in(queryset, start, end).order_by().annotate(days=DaysBetween(F("closed_at"), F("created_at")))
    summary = won.aggregate(deals=Count("pk"), average=Avg("days"))
    n, median = summary["deals"], None
    if n:
        low, high = forecasting.median_offsets(n)
        middle = list(won.order_by("days").values_list("days", flat=True)[low:high + 1])
        median = forecasting.median(middle)
    return {"deals": n, "average_days": None if summary["average"] is None else round(summary["average"], 1),
            "median_days": None if median is None else round(median, 1)}


WON_VALUE_GROUPS = ("owner", "team", "product", "sector")


def won_value_by(*, queryset: QuerySet[Opportunity], start: date | None, end: date | None, group_by: str) -> list[dict]:
    """Won value of the deals won in the period per `group_by` (owner, team, product, sector) and currency,
    largest first within each currency. Per product it is the sum of the deals' lines (quantity x unit
    price), so a deal with several products is split between them."""
    won = won_in(queryset, start, end).order_by()
    if group_by == "owner":
        rows = list(won.values("owner_id", "currency").annotate(deals=Count("pk"), amount=Sum("amount"))
                    .order_by("currency", "-amount"))
        users = {u.pk: u for u in User.objects.filter(pk__in=[r["owner_id"] for r in rows])}
        for row in rows:
            row["name"] = person(users.get(row["owner_id"]))
        return rows
    if group_by == "team":
        return list(won.values("team_id", "currency", team_name=F("team__name"))
                    .annotate(deals=Count("pk"), amount=Sum("amount")).order_by("currency", "-amount"))
    if group_by in ("source_sector", "office"):  # verbatim, as imported (issue 13)
        field = "account__sector__name" if group_by == "source_sector" else "team__regional_office"
        return list(won.values("currency", key=F(field))
                    .annotate(deals=Count("pk"), amount=Sum("amount")).order_by("currency", "-amount"))
    if group_by == "sector":
        return list(won.values("currency", sector=F("account__industry"))
                    .annotate(deals=Count("pk"), amount=Sum("amount")).order_by("currency", "-amount"))
    if group_by == "product":
        return list(OpportunityLine.objects.filter(opportunity__in=won.values("pk")).order_by()
                    .values("product_id", product_name=F("product__name"), currency=F("opportunity__currency"))
                    .annotate(deals=Count("opportunity_id", distinct=True),
                              amount=Sum(F("quantity") * F("unit_price"),
                                         output_field=DecimalField(max_digits=20, decimal_places=2)))
                    .order_by("currency", "-amount"))
    raise ValueError(group_by)


def won_value(*, queryset: QuerySet[Opportunity], start: date, end: date) -> dict:
    """Won value per owner, team, product and sector for the deals won in the period (won_value_by)."""
    return {f"by_{group}": won_value_by(queryset=queryset, start=start, end=end, group_by=group)
            for group in WON_VALUE_GROUPS}


def funnel_figures(*, queryset: QuerySet[Opportunity], start: date, end: date) -> dict:
    """Everything the funnel dashboard shows, for the deals in `queryset` (already scoped and filtered)."""
    stages = stage_list()
    per_stage = funnel_stages(queryset=queryset, start=start, end=end, stages=stages)
    won = sum(row["count"] for row in per_stage if row["is_won"])
    lost = sum(row["count"] for row in per_stage if row["is_lost"])
    return {
        "start": start, "end": end, "stages": per_stage,
        "conversion": funnel_conversion(queryset=queryset, start=start, end=end, stages=stages),
        "won": won, "lost": lost, "win_rate": forecasting.win_rate(won, lost),
        "won_amounts": per_currency(item for row in per_stage if row["is_won"] for item in row["amounts"]),
        "cycle": sales_cycle(queryset=queryset, start=start, end=end),
        "won_value": won_value(queryset=queryset, start=start, end=end),
    }


# --- forecast -----------------------------------------------------------------------------------
def forecast_rows(*, queryset: QuerySet[Opportunity], start: date, end: date) -> tuple[list[dict], list[dict]]:
    """(open rows, won rows) grouped by owner, team, forecast category and currency: two queries.

    Open: deals not closed, expected to close in [start, end]. Won: deals won in [start, end].
    """
    open_rows = list(expected_open_in(queryset, start, end).order_by()
                     .values("owner_id", "team_id", "forecast_category", "currency")
                     .annotate(weighted=Sum(weighted_expression()), deals=Count("pk"), amount=Sum("amount")))
    won_rows = list(won_in(queryset, start, end).order_by().values("owner_id", "team_id", "currency")
                    .annotate(amount=Sum("amount"), deals=Count("pk")))
    return open_rows, won_rows


def forecast_figures(*, queryset: QuerySet[Opportunity], start: date, end: date) -> dict:
    """Forecast for one period per (rep, currency), (team, currency) and currency (the "totals"); figures
    are forecasting.ForecastFigures. Amounts of different currencies are never added together."""
    open_rows, won_rows = forecast_rows(queryset=queryset, start=start, end=end)
    return {
        "reps": forecasting.roll_up(open_rows, won_rows, key=lambda r: (r["owner_id"], r["currency"])),
        "teams": forecasting.roll_up(open_rows, won_rows,
                                     key=lambda r: (r["team_id"], r["currency"]) if r["team_id"] else None),
        "totals": forecasting.roll_up(open_rows, won_rows, key=lambda r: r["currency"]),
    }


def forecast_current(*, user, queryset: QuerySet[Opportunity], kind: str, day: date) -> dict:
    """The current forecast of the period of `kind` containing `day`, as plain rows (page and API)."""
    start, end = forecasting.period_bounds(kind, day)
    figures = forecast_figures(queryset=queryset, start=start, end=end)
    users = {u.pk: u for u in User.objects.filter(pk__in=[pk for pk, _code in figures["reps"]])}
    teams = {t.pk: t for t in Team.objects.filter(pk__in=[pk for pk, _code in figures["teams"]])}
    show_teams = predicates.can_see_team_figures(user)
    totals = [{"currency": code, **f.as_dict()} for code, f in sorted(figures["totals"].items())]
    return {
        "period": {"kind": kind, "start": start, "end": end}, "currencies": [row["currency"] for row in totals],
        "totals": totals or [{"currency": settings.DEFAULT_CURRENCY, **forecasting.ForecastFigures().as_dict()}],
        "reps": sorted(({"id": pk, "name": person(users.get(pk)), "currency": code, **f.as_dict()}
                        for (pk, code), f in figures["reps"].items()),
                       key=lambda r: (r["currency"], -r["weighted"], r["name"])),
        "teams": sorted(({"id": pk, "name": teams[pk].name if pk in teams else "", "currency": code, **f.as_dict()}
                         for (pk, code), f in figures["teams"].items()),
                        key=lambda r: (r["currency"], -r["weighted"], r["name"]))
        if show_teams else [],
        "undated": undated_pipeline(queryset=queryset),
    }


def undated_pipeline(*, queryset: QuerySet[Opportunity]) -> list[dict]:
    """Open deals without an expected close date (issue 13: e.g. every imported Maven open deal), which
    belong to no forecast period: per currency, how many, their amount (deals of unknown amount count 0)
    and, apart and labelled so, the estimates of those without an amount. One GROUP BY."""
    rows = (queryset.filter(closed_at__isnull=True, expected_close_date__isnull=True).order_by().values("currency")
            .annotate(deals=Count("pk"), amount=Sum("amount"), amount_unknown=Count("pk", filter=Q(amount_known=False)),
                      estimate=Sum("amount_estimate", filter=Q(amount_known=False))).order_by("currency"))
    return [{**row, "amount": row["amount"] or Decimal("0"), "estimate": row["estimate"] or Decimal("0")}
            for row in rows]


def forecast_open_deals(*, queryset: QuerySet[Opportunity], start: date, end: date, limit: int = 50):
    """The open deals of the period with their three probabilities and the chosen one (provenance)."""
    return (queryset.filter(closed_at__isnull=True, expected_close_date__gte=start, expected_close_date__lte=end)
            .annotate(chosen_probability=chosen_probability_expression(), weighted=weighted_expression())
            .order_by("-weighted", "pk")[:limit])


def snapshot_queryset_for(*, user, team: int | None = None, owner: int | None = None) -> QuerySet[ForecastSnapshot]:
    """Snapshots `user` may read: reps their own rows; managers their reps' and their teams'; admins all.

    `team` narrows to that team's row and its reps' rows, `owner` to one rep's rows, always inside the
    user's scope: a team or rep outside it gives no rows.
    """
    qs = ForecastSnapshot.objects.select_related("owner", "team")
    if not predicates.can_see_everyones_figures(user):
        reps = qs.filter(scope=ForecastSnapshot.Scope.REP).filter(owner_q(user=user, owner_field="owner"))
        qs = (reps | qs.filter(scope=ForecastSnapshot.Scope.TEAM, team__manager=user)
              if predicates.can_see_team_figures(user) else reps)
    if team:
        qs = qs.filter(Q(scope=ForecastSnapshot.Scope.TEAM, team_id=team)
                       | Q(scope=ForecastSnapshot.Scope.REP, owner__team_id=team))
    if owner:
        qs = qs.filter(scope=ForecastSnapshot.Scope.REP, owner_id=owner)
    return qs


def forecast_accuracy(*, user, queryset: QuerySet[Opportunity], kind: str, day: date, periods: int = 4,
                      team: int | None = None, owner: int | None = None) -> list[dict]:
    """Per past period: the forecast at the period's start (its first snapshot) vs what was won.

    Rows per rep, team (managers, admins) and everyone (admins); "actual" is computed from the deals
    won in the period (scoped like everything else). Two queries per period.
    """
    rows = []
    for start, end in forecasting.previous_periods(kind, day, periods):
        first: dict[tuple[str, str], ForecastSnapshot] = {}
        for snap in (snapshot_queryset_for(user=user, team=team, owner=owner)
                     .filter(period_kind=kind, period_start=start, taken_on__gte=start, taken_on__lte=end)
                     .order_by("scope_key", "currency", "taken_on")):
            first.setdefault((snap.scope_key, snap.currency), snap)
        won = list(won_in(queryset, start, end).order_by().values("owner_id", "team_id", "currency")
                   .annotate(amount=Sum("amount")))
        actual: dict[tuple[str, str], Decimal] = {}
        for row in won:
            for key in (f"rep:{row['owner_id']}", f"team:{row['team_id']}" if row["team_id"] else None, "all"):
                if key:
                    cell = (key, row["currency"])
                    actual[cell] = actual.get(cell, Decimal("0")) + (row["amount"] or Decimal("0"))
        for (key, code), snap in sorted(first.items(), key=lambda item: (item[1].scope, item[0])):
            name = person(snap.owner) if snap.owner_id else (snap.team.name if snap.team_id else "")
            won_amount = actual.get((key, code), Decimal("0"))
            rows.append({
                "period": {"kind": kind, "start": start, "end": end}, "scope": snap.scope, "key": key,
                "currency": code, "id": snap.owner_id or snap.team_id, "name": name, "taken_on": snap.taken_on,
                "commit": snap.commit, "best_case": snap.best_case, "weighted": snap.weighted,
                **forecasting.accuracy(forecast=snap.weighted, actual=won_amount),
                "commit_accuracy": forecasting.accuracy(forecast=snap.commit, actual=won_amount)["accuracy_percent"],
            })
    return rows
