"""The metric registry: every KPI defined once, in the app that owns its data.

An app registers its metrics in `AppConfig.ready()` (through its `registry.py`); dashboards, goals,
KPI snapshots, health and payout components, onboarding milestones and the metrics API read them
from here by code. The registry knows nothing of the apps (base layer: imports no app).

A metric answers for a *scope* (who is asking, and optionally which team or rep to narrow to) and a
*period* (whole days, inclusive; `Period.all_time()` for "all"):
- `compute(scope, period) -> MetricResult`: the value (None when there is nothing to measure),
  how many records are behind it, and for money the amounts per currency (never added across
  currencies);
- `records(scope, period) -> QuerySet`: exactly the records the value was computed from (the
  drill-down list); `records(...).count() == result.count` for count-based metrics;
- `breakdown(scope, period, group_by) -> list[MetricRow]` for the `group_by` keys it supports.

Visibility is the caller's: `scope.user` is the viewer, and a metric computes only over records that
`teams.selectors.scope_for_user()` lets that user see; `team_id` / `owner_id` narrow further within
that, never widen it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# units
COUNT = "count"          # a number of records
PERCENT = "percent"      # 0–100
DAYS = "days"
MONEY = "money"          # value is None; amounts per currency in `per_currency`
RATIO = "ratio"          # e.g. LTV:CAC
SCORE = "score"          # e.g. NPS −100..100, health 0..100
UNITS = (COUNT, PERCENT, DAYS, MONEY, RATIO, SCORE)

# better direction
UP = "up"
DOWN = "down"


@dataclass(frozen=True)
class Scope:
    """Who asks (`user`, whose visibility applies) and an optional narrowing to a team or a rep."""

    user: Any
    team_id: int | None = None
    owner_id: int | None = None

    @property
    def level(self) -> str:
        return "rep" if self.owner_id else "team" if self.team_id else "organisation"


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included. `start`/`end` None means unbounded."""

    start: date | None
    end: date | None

    @classmethod
    def all_time(cls) -> Period:
        return cls(None, None)

    @property
    def is_all_time(self) -> bool:
        return self.start is None and self.end is None


@dataclass(frozen=True)
class MetricRow:
    """One group of a breakdown (a stage, a source, a rep…)."""

    key: str
    label: str
    value: float | Decimal | None
    count: int | None = None
    per_currency: dict[str, Decimal] | None = None


@dataclass(frozen=True)
class MetricResult:
    value: float | Decimal | None
    count: int | None = None
    per_currency: dict[str, Decimal] | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Metric:
    code: str
    name: Any                        # a lazy translated string
    unit: str
    better: str                      # UP or DOWN
    compute: Callable[[Scope, Period], MetricResult]
    records: Callable[[Scope, Period], Any] | None = None      # -> QuerySet (drill-down)
    breakdown: Callable[[Scope, Period, str], list[MetricRow]] | None = None
    group_by: Sequence[str] = ()     # keys `breakdown` accepts, e.g. ("stage", "owner", "team", "source")
    description: Any = ""            # a lazy translated sentence: how it is computed
    app: str = ""                    # the app that owns it (for grouping in lists)
    drilldown_url: Callable[[Scope, Period], str] | None = None  # the page listing `records`

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"metric {self.code}: unknown unit {self.unit!r}")
        if self.better not in (UP, DOWN):
            raise ValueError(f"metric {self.code}: better must be 'up' or 'down'")


_metrics: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    """Add (or replace, by code: `ready()` may run more than once) a metric."""
    _metrics[metric.code] = metric
    return metric


def get(code: str) -> Metric:
    """The metric `code`; KeyError if nobody registered it."""
    return _metrics[code]


def find(code: str) -> Metric | None:
    return _metrics.get(code)


def all_metrics() -> list[Metric]:
    """Every registered metric, by app then code."""
    return sorted(_metrics.values(), key=lambda m: (m.app, m.code))
