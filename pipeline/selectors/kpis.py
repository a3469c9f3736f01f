"""Pipeline metrics for the registry (salesops.metrics), computed through the funnel and forecast
selectors (pipeline.selectors.metrics) so the funnel API, the forecast and every dashboard agree.

Each metric reads the deals `scope.user` may see (opportunity_queryset_for), narrowed to scope.team_id /
scope.owner_id. `records(scope, period, group_by=None, key=None)` and `drilldown_url(...)` take an
optional breakdown row (`group_by`, `key`) to list the deals behind one row (e.g. one funnel stage).
Registered in pipeline/registry.py.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, DecimalField, F, Q, QuerySet, Sum

from salesops.metric_tools import (
    dated_period_q, keyed, link, main_currency, money, narrow, percent, period_params, period_q, rows_by, scope_params, shared,
)
from salesops.metrics import MetricResult, MetricRow, Period, Scope
from teams.selectors import person_or_team_labels, quota_queryset_for

from .. import forecasting
from ..models import Opportunity, OpportunityLine, Stage
from . import opportunity_queryset_for, stage_list, stage_stay_percentiles, stage_stays
from .metrics import (
    DaysBetween, entered_in, expected_open_in, forecast_rows, funnel_conversion, funnel_stages, sales_cycle,
    won_in, won_value_by,
)

FIELDS = {"owner": "owner_id", "team": "team_id", "stage": "stage__code",
          # as imported, verbatim (issue 13): the account's source sector, the team's regional office
          "source_sector": "account__sector__name", "office": "team__regional_office"}
IMPORTED_GROUPS = ("source_sector", "office")
LIST = "pipeline:list"


# --- shared pieces ------------------------------------------------------------------------------
def deals(scope: Scope) -> QuerySet[Opportunity]:
    return opportunity_queryset_for(user=scope.user, team=scope.team_id, owner=scope.owner_id)


@shared
def _known_labels(group_by: str) -> dict:
    """Names of people or teams already read on this page (a fresh dict outside shared_reads)."""
    return {}


def labels(group_by: str, keys) -> dict:
    if group_by in ("owner", "team"):
        known = _known_labels(group_by)
        missing = [k for k in keys if k not in known]
        if missing:
            known.update(person_or_team_labels(group_by, missing))
        return known
    if group_by == "stage":
        return {s.code: s.label for s in stages()}
    return {}


@shared
def stages() -> list[Stage]:
    """Every stage (active or not), once per page inside salesops.metric_tools.shared_reads."""
    return stage_list(active_only=False)


def stage_id(code: str | None) -> int | None:
    return next((s.pk for s in stages() if s.code == code), None)


def grouped(queryset: QuerySet, group_by: str, **aggregates) -> list[dict]:
    field = FIELDS[group_by]
    return list(queryset.order_by().values(key=F(field)).annotate(**aggregates).order_by("key"))


def count_rows(queryset: QuerySet, group_by: str) -> list[MetricRow]:
    rows = grouped(queryset, group_by, n=Count("pk"))
    return rows_by(rows, "key", labels(group_by, [r["key"] for r in rows]), lambda r: r["n"])


def per_key_money(rows, names: dict, *, key: str = "key", count: str = "deals") -> list[MetricRow]:
    """One MetricRow per key from rows per (key, currency): amounts per currency, counts summed."""
    by_key: dict = {}
    for row in rows:
        by_key.setdefault(row[key], []).append(row)
    return [MetricRow(key="" if k is None else str(k), label=str(names.get(k, "—" if k is None else k)), value=None,
                      count=sum(r[count] for r in items), per_currency=money(items))
            for k, items in by_key.items()]


def drilldown(params, *, stage_param: str = "stage"):
    """A drilldown_url(scope, period, group_by=None, key=None) for the deal list with `params(period)`;
    a stage row filters on `stage_param` (the current stage, or `left_stage` for stays)."""
    def url(scope: Scope, period: Period, group_by: str | None = None, key: str | None = None) -> str:
        extra = {}
        if group_by == "stage" and key:
            extra[stage_param] = stage_id(key)
        elif group_by in ("owner", "team") and key:
            extra[group_by] = key
        elif group_by in IMPORTED_GROUPS and key:
            extra[group_by] = key
        return link(LIST, {**params(period), **scope_params(scope), **extra})
    return url


def closed_range(period: Period) -> dict:
    return period_params("closed", period)


# --- funnel -------------------------------------------------------------------------------------
def funnel_records(scope, period, group_by=None, key=None):
    return keyed(entered_in(deals(scope), period.start, period.end), FIELDS, group_by, key)


@shared
def funnel_rows(scope, period) -> list[dict]:
    return funnel_stages(queryset=deals(scope), start=period.start, end=period.end)


def deals_in_stage(scope, period) -> MetricResult:
    n = funnel_records(scope, period).count()
    return MetricResult(value=n, count=n)


def deals_in_stage_rows(scope, period, group_by) -> list[MetricRow]:
    return [MetricRow(key=row["code"], label=str(row["name"]), value=row["count"], count=row["count"],
                      per_currency={a["currency"]: a["amount"] or Decimal("0") for a in row["amounts"]})
            for row in funnel_rows(scope, period)]


def pipeline_amount(scope, period) -> MetricResult:
    rows = list(funnel_records(scope, period).order_by().values("currency").annotate(n=Count("pk"), amount=Sum("amount")))
    return MetricResult(value=None, count=sum(r["n"] for r in rows), per_currency=money(rows))


def pipeline_amount_rows(scope, period, group_by) -> list[MetricRow]:
    return [MetricRow(key=r.key, label=r.label, value=None, count=r.count, per_currency=r.per_currency)
            for r in deals_in_stage_rows(scope, period, group_by)]


def funnel_entered(period: Period) -> dict:
    return period_params("entered", period)


@shared
def conversion_rows(scope, period) -> list[dict]:
    return funnel_conversion(queryset=deals(scope), start=period.start, end=period.end, stages=stage_list())


def stage_conversion(scope, period) -> MetricResult:
    rows = conversion_rows(scope, period)
    value = forecasting.conversion_rate(rows[0]["reached_from"], rows[-1]["reached_to"]) if rows else None
    return MetricResult(value=value, count=funnel_records(scope, period).count(),
                        extra={"reached_first": rows[0]["reached_from"] if rows else 0,
                               "reached_last": rows[-1]["reached_to"] if rows else 0})


def stage_conversion_rows(scope, period, group_by) -> list[MetricRow]:
    return [MetricRow(key=row["from_stage"], label=f"{row['from_name']} → {row['to_name']}", value=row["rate"],
                      count=row["reached_from"]) for row in conversion_rows(scope, period)]


# --- closed deals -------------------------------------------------------------------------------
def closed(scope, period) -> QuerySet[Opportunity]:
    return deals(scope).filter(period_q("closed_at", period), Q(stage__is_won=True) | Q(stage__is_lost=True))


def closed_records(scope, period, group_by=None, key=None):
    return keyed(closed(scope, period), FIELDS, group_by, key)


WON, LOST = Count("pk", filter=Q(stage__is_won=True)), Count("pk", filter=Q(stage__is_lost=True))


@shared
def closed_summary(scope, period) -> list[dict]:
    """The deals closed in the period per (won, currency): count and amount — one GROUP BY behind the
    win rate, deals won and won value tiles (won deals are the closed ones in a won stage)."""
    return list(closed(scope, period).order_by().values("currency", won=F("stage__is_won"))
                .annotate(n=Count("pk"), amount=Sum("amount")))


def win_rate(scope, period) -> MetricResult:
    rows = closed_summary(scope, period)
    figures = {"won": sum(r["n"] for r in rows if r["won"]), "lost": sum(r["n"] for r in rows if not r["won"])}
    return MetricResult(value=forecasting.win_rate(figures["won"], figures["lost"]),
                        count=figures["won"] + figures["lost"], extra=figures)


@shared
def closed_by(scope, period, group_by) -> list[dict]:
    """Won and lost deals closed in the period per rep or team: one GROUP BY behind the win rate and
    deals won tables."""
    return grouped(closed(scope, period), group_by, won=WON, lost=LOST)


def win_rate_rows(scope, period, group_by) -> list[MetricRow]:
    rows = [{**row, "n": row["won"] + row["lost"]} for row in closed_by(scope, period, group_by)]
    return rows_by(rows, "key", labels(group_by, [r["key"] for r in rows]),
                   lambda r: forecasting.win_rate(r["won"], r["lost"]))


def won_records(scope, period, group_by=None, key=None):
    return keyed(won_in(deals(scope), period.start, period.end), FIELDS, group_by, key)


def won_params(period: Period) -> dict:
    return {"outcome": "won", **closed_range(period)}


def deals_won(scope, period) -> MetricResult:
    n = sum(r["n"] for r in closed_summary(scope, period) if r["won"])
    return MetricResult(value=n, count=n)


def deals_won_rows(scope, period, group_by) -> list[MetricRow]:
    rows = [{"key": row["key"], "n": row["won"]} for row in closed_by(scope, period, group_by) if row["won"]]
    return rows_by(rows, "key", labels(group_by, [r["key"] for r in rows]), lambda r: r["n"])


def won_value(scope, period) -> MetricResult:
    rows = [r for r in closed_summary(scope, period) if r["won"]]
    return MetricResult(value=None, count=sum(r["n"] for r in rows), per_currency=money(rows))


@shared
def won_value_rows(scope, period, group_by) -> list[MetricRow]:
    rows = won_value_by(queryset=deals(scope), start=period.start, end=period.end, group_by=group_by)
    key, name = {"owner": ("owner_id", "name"), "team": ("team_id", "team_name"),
                 "product": ("product_id", "product_name"), "sector": ("sector", "sector"),
                 "source_sector": ("key", "key"), "office": ("key", "key")}[group_by]
    return per_key_money(rows, {r[key]: r[name] or "—" for r in rows}, key=key)


def sales_cycle_days(scope, period) -> MetricResult:
    figures = sales_cycle(queryset=deals(scope), start=period.start, end=period.end)
    return MetricResult(value=figures["average_days"], count=figures["deals"],
                        extra={"median_days": figures["median_days"]})


def sales_cycle_rows(scope, period, group_by) -> list[MetricRow]:
    rows = grouped(won_records(scope, period).annotate(days=DaysBetween(F("closed_at"), F("created_at"))), group_by,
                   n=Count("pk"), average=Avg("days"))
    return rows_by(rows, "key", labels(group_by, [r["key"] for r in rows]),
                   lambda r: None if r["average"] is None else round(r["average"], 1))


# --- time in stage ------------------------------------------------------------------------------
def stays(scope, period) -> list[tuple]:
    return stage_stays(opportunities=deals(scope), start=period.start, end=period.end)


def stay_records(scope, period, group_by=None, key=None):
    wanted = stage_id(key) if group_by == "stage" else None
    ids = {deal for stage, deal, _days in stays(scope, period) if wanted is None or stage == wanted}
    return deals(scope).filter(pk__in=ids)


def moved_range(period: Period) -> dict:
    return period_params("moved", period)


@shared
def stay_figures(scope, period) -> dict:
    """p50 and p90 per stage in one query (the two metrics share it on a page)."""
    return stage_stay_percentiles(opportunities=deals(scope), start=period.start, end=period.end,
                                  percentiles=(50, 90))


def time_in_stage(p: int):
    def figures(scope, period) -> dict:
        return stay_figures(scope, period)

    def compute(scope, period) -> MetricResult:
        total = figures(scope, period)[None]
        return MetricResult(value=None if total[p] is None else round(total[p], 1), count=total["stays"],
                            extra={"deals": total["deals"]})

    def breakdown(scope, period, group_by) -> list[MetricRow]:
        per_stage = figures(scope, period)
        result = []
        for stage in stages():
            found = per_stage.get(stage.pk)
            if found is not None or stage.is_active:
                value = found[p] if found else None
                result.append(MetricRow(key=stage.code, label=str(stage.label), count=found["stays"] if found else 0,
                                        value=None if value is None else round(value, 1)))
        return result
    return compute, breakdown


# --- stalled, forecast --------------------------------------------------------------------------
def stalled_records(scope, period, group_by=None, key=None):
    return keyed(deals(scope).filter(closed_at__isnull=True, stalled_at__isnull=False), FIELDS, group_by, key)


@shared
def stalled_count(scope) -> int:
    """Open deals flagged stalled now (no period: the tile and its "vs last period" share it)."""
    return stalled_records(scope, Period.all_time()).count()


def stalled_deals(scope, period) -> MetricResult:
    n = stalled_count(scope)
    return MetricResult(value=n, count=n)


def stalled_rows(scope, period, group_by) -> list[MetricRow]:
    return count_rows(stalled_records(scope, period), group_by)


def forecast_records(scope, period, group_by=None, key=None):
    queryset = deals(scope)
    ids = expected_open_in(queryset, period.start, period.end).values("pk")
    won = won_in(queryset, period.start, period.end).values("pk")
    return keyed(queryset.filter(Q(pk__in=ids) | Q(pk__in=won)), FIELDS, group_by, key)


def forecast_params(period: Period) -> dict:
    return period_params("forecast", period)


@shared
def forecast_pair(scope, period) -> tuple[list[dict], list[dict]]:
    """(open rows, won rows) of the forecast (two GROUP BYs), shared by the tile and the table."""
    return forecast_rows(queryset=deals(scope), start=period.start, end=period.end)


def forecast_figures_by(scope, period, key) -> dict:
    open_rows, won_rows = forecast_pair(scope, period)
    return forecasting.roll_up(open_rows, won_rows, key=key)


def forecast_counts_by(scope, period, key) -> dict:
    """Deals behind the forecast per `key(row)`: the open deals expected in the period plus the deals
    won in it (disjoint sets: forecast_records), counted from the grouped rows."""
    counts: dict = defaultdict(int)
    for rows in forecast_pair(scope, period):
        for row in rows:
            counts[key(row)] += row["deals"]
    return counts


def forecast_weighted(scope, period) -> MetricResult:
    figures = forecast_figures_by(scope, period, lambda r: r["currency"])
    return MetricResult(value=None, count=sum(forecast_counts_by(scope, period, lambda r: None).values()),
                        per_currency={code: f.as_dict()["weighted"] for code, f in sorted(figures.items())},
                        extra={"per_currency": {code: f.as_dict() for code, f in sorted(figures.items())}})


def forecast_rows_by(scope, period, group_by) -> list[MetricRow]:
    field = FIELDS[group_by]
    figures = forecast_figures_by(scope, period, lambda r: (r[field], r["currency"]))
    names = labels(group_by, [k for k, _code in figures])
    counts = forecast_counts_by(scope, period, lambda r: r[field])
    by_key: dict = defaultdict(dict)
    for (k, code), f in sorted(figures.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        by_key[k][code] = f.as_dict()["weighted"]
    return [MetricRow(key="" if k is None else str(k), label=str(names.get(k, "—")), value=None,
                      count=counts.get(k, 0), per_currency=amounts) for k, amounts in by_key.items()]


# --- quota attainment ---------------------------------------------------------------------------
def quotas(scope, period):
    """Quotas visible to the viewer whose period lies inside `period`, narrowed like the deals."""
    queryset = narrow(quota_queryset_for(user=scope.user), scope, team_field="user__team_id", owner_field="user_id")
    if period.start:
        queryset = queryset.filter(period_start__gte=period.start)
    if period.end:
        queryset = queryset.filter(period_end__lte=period.end)
    return queryset


@shared
def attainment_parts(scope, period):
    """(quota per (user, currency), the user's team per user, won deals matching a quota's rep and currency)."""
    target: dict = defaultdict(Decimal)
    teams: dict = {}
    for user_id, team_id, code, amount in quotas(scope, period).values_list("user_id", "user__team_id", "currency",
                                                                            "amount"):
        target[(user_id, code)] += amount
        teams[user_id] = team_id
    match = Q(pk__in=[])
    for user_id, code in target:
        match |= Q(owner_id=user_id, currency=code)
    return target, teams, won_records(scope, period).filter(match)


def attainment(target: dict, won_rows) -> tuple[float | None, dict]:
    quota_per, won_per = defaultdict(Decimal), defaultdict(Decimal)
    for (_user, code), amount in target.items():
        quota_per[code] += amount
    for row in won_rows:
        won_per[row["currency"]] += row["amount"] or Decimal("0")
    detail = {code: {"won": won_per[code], "quota": quota_per[code], "percent": percent(won_per[code], quota_per[code])}
              for code in sorted(quota_per)}
    main = main_currency(quota_per)
    return (detail[main]["percent"] if main else None), detail


def quota_records(scope, period, group_by=None, key=None):
    _target, _teams, won = attainment_parts(scope, period)
    return keyed(won, FIELDS, group_by, key)


def quota_attainment(scope, period) -> MetricResult:
    target, _teams, won = attainment_parts(scope, period)
    rows = list(won.order_by().values("currency").annotate(n=Count("pk"), amount=Sum("amount")))
    value, detail = attainment(target, rows)
    return MetricResult(value=value, count=sum(r["n"] for r in rows), extra={"currencies": detail})


def quota_rows(scope, period, group_by) -> list[MetricRow]:
    target, teams, won = attainment_parts(scope, period)
    won_rows = list(won.order_by().values("owner_id", "currency").annotate(n=Count("pk"), amount=Sum("amount")))
    group = (lambda user_id: user_id) if group_by == "owner" else teams.get
    keys = sorted({group(user_id) for user_id, _code in target}, key=lambda k: (k is None, k or 0))
    names = labels(group_by, keys)
    result = []
    for k in keys:
        mine = [r for r in won_rows if group(r["owner_id"]) == k]
        value, _detail = attainment({uc: a for uc, a in target.items() if group(uc[0]) == k}, mine)
        result.append(MetricRow(key="" if k is None else str(k), label=str(names.get(k, "—")), value=value,
                                count=sum(r["n"] for r in mine)))
    return result


# --- product mix --------------------------------------------------------------------------------
LINE_VALUE = Sum(F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=20, decimal_places=2))


def high_margin_share(scope, period) -> MetricResult:
    rows = list(OpportunityLine.objects.filter(opportunity__in=won_records(scope, period).values("pk")).order_by()
                .values(currency=F("opportunity__currency"))
                .annotate(total=LINE_VALUE, high=Sum(F("quantity") * F("unit_price"),
                                                     filter=Q(product__is_high_margin=True),
                                                     output_field=DecimalField(max_digits=20, decimal_places=2))))
    detail = {r["currency"]: {"total": r["total"] or Decimal("0"), "high_margin": r["high"] or Decimal("0"),
                              "percent": percent(r["high"] or 0, r["total"])} for r in rows}
    main = main_currency(detail)
    return MetricResult(value=detail[main]["percent"] if main else None, count=won_records(scope, period).count(),
                        extra={"currencies": dict(sorted(detail.items()))})




# --- deals created (h10: the onboarding milestone "first opportunity") ----------------------------
def created_records(scope, period, group_by=None, key=None):
    return keyed(deals(scope).filter(dated_period_q("created_at", period)), FIELDS, group_by, key)


def deals_created(scope, period) -> MetricResult:
    n = created_records(scope, period).count()
    return MetricResult(value=n, count=n)


def deals_created_rows(scope, period, group_by) -> list[MetricRow]:
    return count_rows(created_records(scope, period), group_by)
