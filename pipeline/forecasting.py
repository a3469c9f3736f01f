"""Forecast and funnel arithmetic as pure functions (no Django imports; unit-tested without a database).

Definitions (also in the README, "Forecast"):
- **Chosen probability** of an open deal: the rep's own judgement if set, else the model probability
  if known, else the stage default. The three are stored apart; none overwrites another.
- **Weighted amount** = amount x chosen probability / 100.
- **Forecast figures** of a period (cumulative, like most CRMs):
  `won` = amount of deals won in the period; `commit` = won + open deals categorised *commit*;
  `best_case` = commit + open deals categorised *best case*; `pipeline` = every open deal expected to
  close in the period (all categories, unweighted); `weighted` = won + the weighted open amount.
- **Model probability** (frequency-based): for a team and an open stage S, among the team's closed
  deals that reached S (or a later stage), the share that was won. Below `min_samples` deals the
  organisation-wide rate is used; below that too, the model has no opinion (None).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

MONTH = "month"
QUARTER = "quarter"
PERIOD_KINDS = (MONTH, QUARTER)

RATE_MIN_SAMPLES = 10

PIPELINE = "pipeline"
BEST_CASE = "best_case"
COMMIT = "commit"

SOURCE_REP = "rep"
SOURCE_MODEL = "model"
SOURCE_STAGE = "stage"


# --- periods ------------------------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (clamped to the month's last day)."""
    return day + relativedelta(months=months)


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """First and last day of the month or quarter containing `day`."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"unknown period kind {kind!r}")
    first_month = day.month if kind == MONTH else 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = add_months(start, 1 if kind == MONTH else 3) - timedelta(days=1)
    return start, end


def previous_periods(kind: str, day: date, count: int) -> list[tuple[date, date]]:
    """The `count` complete periods before the one containing `day`, most recent first."""
    start, _ = period_bounds(kind, day)
    periods = []
    for _i in range(count):
        start, end = period_bounds(kind, start - timedelta(days=1))
        periods.append((start, end))
    return periods


def default_funnel_period(today: date) -> tuple[date, date]:
    """The last 3 months: from the same day 3 months ago (inclusive) to today (inclusive)."""
    return add_months(today, -3) + timedelta(days=1), today


# --- probabilities ------------------------------------------------------------------------------
def chosen_probability(*, stage: int, model: int | None = None, rep: int | None = None) -> tuple[int, str]:
    """(probability, source): the rep's if set, else the model's if known, else the stage's."""
    if rep is not None:
        return rep, SOURCE_REP
    if model is not None:
        return model, SOURCE_MODEL
    return stage, SOURCE_STAGE


def weighted_amount(amount: Decimal, probability: int) -> Decimal:
    return (Decimal(amount) * Decimal(probability) / Decimal(100)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class WinRate:
    team_id: int | None  # None: organisation-wide
    stage_id: int
    closed: int
    won: int
    probability: int | None  # None: too few closed deals to say


def _rate(won: int, closed: int, min_samples: int) -> int | None:
    if closed < min_samples or closed == 0:
        return None
    return int(Decimal(100 * won / closed).quantize(Decimal("1")))


def win_rates(counts: Iterable[tuple[int | None, int, bool, int]], *, stages: Sequence[tuple[int, int]],
              min_samples: int = RATE_MIN_SAMPLES) -> list[WinRate]:
    """Frequency-based win rate per team and open stage, plus organisation-wide rows (team None).

    `counts`: (team_id, furthest stage order reached, won?, number of closed deals).
    `stages`: (stage_id, order) of the open stages. A team's rate falls back to the
    organisation-wide rate when the team has fewer than `min_samples` closed deals reaching the stage.
    """
    per_team: dict[int | None, list[tuple[int, bool, int]]] = {}
    for team_id, furthest, won, n in counts:
        per_team.setdefault(team_id, []).append((furthest, won, n))
        if team_id is not None:
            per_team.setdefault(None, [])
    overall = [row for rows in per_team.values() for row in rows]

    def reached(rows, order):
        closed = sum(n for furthest, _won, n in rows if furthest is not None and furthest >= order)
        won = sum(n for furthest, was_won, n in rows if was_won and furthest is not None and furthest >= order)
        return closed, won

    result = []
    org: dict[int, WinRate] = {}
    for stage_id, order in stages:
        closed, won = reached(overall, order)
        org[stage_id] = WinRate(None, stage_id, closed, won, _rate(won, closed, min_samples))
        result.append(org[stage_id])
    for team_id, rows in per_team.items():
        if team_id is None:
            continue
        for stage_id, order in stages:
            closed, won = reached(rows, order)
            own = _rate(won, closed, min_samples)
            result.append(WinRate(team_id, stage_id, closed, won,
                                  own if own is not None else org[stage_id].probability))
    return result


# --- forecast roll-up ---------------------------------------------------------------------------
@dataclass
class ForecastFigures:
    deals: int = 0
    won: Decimal = Decimal("0")
    commit: Decimal = Decimal("0")
    best_case: Decimal = Decimal("0")
    pipeline: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    open_by_category: dict = field(default_factory=lambda: {PIPELINE: Decimal("0"), BEST_CASE: Decimal("0"),
                                                            COMMIT: Decimal("0")})

    def add_open(self, *, category: str, amount, weighted, deals: int) -> None:
        amount, weighted = Decimal(amount or 0), Decimal(weighted or 0)
        self.deals += deals
        self.pipeline += amount
        self.weighted += weighted
        self.open_by_category[category] = self.open_by_category.get(category, Decimal("0")) + amount
        if category == COMMIT:
            self.commit += amount
            self.best_case += amount
        elif category == BEST_CASE:
            self.best_case += amount

    def add_won(self, amount) -> None:
        amount = Decimal(amount or 0)
        self.won += amount
        self.commit += amount
        self.best_case += amount
        self.weighted += amount

    def as_dict(self) -> dict:
        q = Decimal("0.01")
        return {"deals": self.deals, "won": self.won.quantize(q), "commit": self.commit.quantize(q),
                "best_case": self.best_case.quantize(q), "pipeline": self.pipeline.quantize(q),
                "weighted": self.weighted.quantize(q)}


def roll_up(open_rows: Iterable[Mapping], won_rows: Iterable[Mapping], *, key) -> dict:
    """Forecast figures per `key(row)` from grouped rows.

    open_rows: {"forecast_category", "amount", "weighted", "deals", ...}; won_rows: {"amount", ...}.
    Rows whose key is None are skipped (e.g. deals without a team in the per-team roll-up).
    """
    figures: dict = {}
    for row in open_rows:
        k = key(row)
        if k is not None:
            figures.setdefault(k, ForecastFigures()).add_open(
                category=row["forecast_category"], amount=row["amount"], weighted=row["weighted"], deals=row["deals"])
    for row in won_rows:
        k = key(row)
        if k is not None:
            figures.setdefault(k, ForecastFigures()).add_won(row["amount"])
    return figures


def accuracy(*, forecast, actual) -> dict:
    """Forecast vs actual: difference, error (% of the forecast) and accuracy = 100 - |error| (min 0)."""
    forecast, actual = Decimal(forecast or 0), Decimal(actual or 0)
    difference = actual - forecast
    if forecast == 0:
        error = None
        acc = Decimal("100") if actual == 0 else None
    else:
        error = (difference / forecast * 100).quantize(Decimal("0.1"))
        acc = max(Decimal("0"), Decimal("100") - abs(error)).quantize(Decimal("0.1"))
    return {"forecast": forecast.quantize(Decimal("0.01")), "actual": actual.quantize(Decimal("0.01")),
            "difference": difference.quantize(Decimal("0.01")), "error_percent": error, "accuracy_percent": acc}


# --- funnel -------------------------------------------------------------------------------------
def reached_counts(furthest: Mapping[int, int], orders: Sequence[int]) -> dict[int, int]:
    """How many deals reached each stage order, given how many stopped at each furthest order."""
    return {order: sum(n for f, n in furthest.items() if f is not None and f >= order) for order in orders}


def conversion_rate(reached_from: int, reached_to: int) -> float | None:
    return None if reached_from == 0 else round(100.0 * reached_to / reached_from, 1)


def win_rate(won: int, lost: int) -> float | None:
    """won / (won + lost) in percent; None when nothing closed."""
    return None if won + lost == 0 else round(100.0 * won / (won + lost), 2)


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def median_offsets(n: int) -> tuple[int, int]:
    """Zero-based offsets of the one or two middle values of n sorted values (n >= 1)."""
    return (n - 1) // 2, n // 2


