"""Customer health as pure functions (no Django imports): the reference definition of a score.

A health model is a list of weighted components and a list of bands. For one account:
- each component turns the account's inputs into a **value** (e.g. 12 active days in the last 30)
  and a **sub-score** 0–100 (e.g. 12 / 20 target days → 60);
- a component whose data the account does not have (no usage ever, no survey answer in the window…)
  is **left out**, and its weight is spread over the others in proportion to their weights: the
  normalised weight of a present component is its weight ÷ the sum of the present weights;
- its **contribution** is sub-score × normalised weight; the contributions add up to the raw score,
  and the **score** is the raw score rounded half up to a whole number (0–100);
- the **band** is the band whose [min, max] holds the score (bands cover 0–100 without gaps).
An account with no data for any component has no score (None) and no band.

customers.services.health compiles the same definition to one set-based SQL statement per model;
tests/customers/test_health_sql.py checks that both agree. Keep the arithmetic here in the same order
as the SQL (floats: sums of sub-score × weight, divided once by the present weights).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# --- the component catalogue -------------------------------------------------------------------
USAGE_FREQUENCY = "usage_frequency"
SUPPORT_LOAD = "support_load"
RENEWAL_INTENT = "renewal_intent"
NPS = "nps"
CSAT = "csat"
ENGAGEMENT_RECENCY = "engagement_recency"
COMPONENTS = (USAGE_FREQUENCY, SUPPORT_LOAD, RENEWAL_INTENT, NPS, CSAT, ENGAGEMENT_RECENCY)

# Parameters of each component: name -> (default, minimum, maximum). Whole numbers only.
PARAMETERS: dict[str, dict[str, tuple[int, int, int]]] = {
    # value: days with any usage in the last window_days; target_days of use scores 100
    USAGE_FREQUENCY: {"window_days": (30, 1, 365), "target_days": (20, 1, 365)},
    # value: tickets opened in the last window_days, high and urgent ones counting high_priority_weight;
    # max_tickets (weighted) or more scores 0
    SUPPORT_LOAD: {"window_days": (90, 1, 730), "max_tickets": (10, 1, 10_000), "high_priority_weight": (2, 1, 10)},
    # value: the average of the contracts running or ended in the last window_days, each scored by
    # its renewal outcome (renewed/expanded 100, contracted contracted_score, churned 0), an active one
    # without outcome pending_score, an ended or cancelled one without outcome 0
    RENEWAL_INTENT: {"window_days": (365, 1, 3650), "pending_score": (70, 0, 100), "contracted_score": (50, 0, 100)},
    # value: the average NPS answer (0–10) of the last window_days; sub-score value × 10
    NPS: {"window_days": (180, 1, 3650)},
    # value: the average CSAT answer (1–5) of the last window_days; sub-score (value − 1) × 25
    CSAT: {"window_days": (180, 1, 3650)},
    # value: days since the last logged activity; 0 days scores 100, max_days or more scores 0
    ENGAGEMENT_RECENCY: {"max_days": (60, 1, 3650)},
}

MAX_WEIGHT = 1000
MAX_COMPONENTS = len(COMPONENTS)
BAND_CODES = ("healthy", "at_risk", "critical")
DEFAULT_BANDS = (("healthy", 76, 100), ("at_risk", 51, 75), ("critical", 0, 50))
DEFAULT_WEIGHTS = {USAGE_FREQUENCY: 30, SUPPORT_LOAD: 15, RENEWAL_INTENT: 20, NPS: 15, CSAT: 10,
                   ENGAGEMENT_RECENCY: 10}
ONBOARDING_WEIGHTS = {USAGE_FREQUENCY: 40, SUPPORT_LOAD: 20, CSAT: 15, ENGAGEMENT_RECENCY: 25}
SEGMENTS = ("default", "onboarding")
ONBOARDING_DAYS = (90, 1, 3650)  # default, min, max: an account's first N days as a customer


@dataclass(frozen=True)
class Component:
    code: str
    weight: float
    parameters: Mapping[str, int] = field(default_factory=dict)

    def param(self, name: str) -> int:
        return int(self.parameters.get(name, PARAMETERS[self.code][name][0]))


@dataclass(frozen=True)
class Band:
    code: str
    min: int
    max: int


@dataclass(frozen=True)
class Model:
    components: tuple[Component, ...]
    bands: tuple[Band, ...] = tuple(Band(*b) for b in DEFAULT_BANDS)


@dataclass(frozen=True)
class Inputs:
    """What an account's history holds, already reduced to what the components read (the SQL's CTEs
    compute the same reductions). Each `*_any` says whether the account has such data at all."""

    usage_any: bool = False
    usage_days: Mapping[int, int] = field(default_factory=dict)       # window_days -> active days
    tickets_any: bool = False
    tickets: Mapping[tuple[int, int], float] = field(default_factory=dict)  # (window, high weight) -> count
    contracts: Mapping[tuple[int, int, int], float | None] = field(default_factory=dict)  # -> average, None: none
    nps: Mapping[int, float | None] = field(default_factory=dict)     # window -> average answer
    csat: Mapping[int, float | None] = field(default_factory=dict)
    days_since_activity: int | None = None


@dataclass(frozen=True)
class Part:
    code: str
    value: float | None          # None: no data, left out
    sub_score: float | None
    weight: float                # as configured
    normalised_weight: float     # 0 when left out
    contribution: float          # sub_score × normalised_weight (0 when left out)

    @property
    def present(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Health:
    score: int | None
    band: str
    raw: float | None
    parts: tuple[Part, ...]

    @property
    def left_out(self) -> list[str]:
        return [p.code for p in self.parts if not p.present]


# --- sub-scores ----------------------------------------------------------------------------------
def clamp(x: float) -> float:
    return max(0.0, min(100.0, x))


def value_of(component: Component, inputs: Inputs) -> float | None:
    """The component's value for the account, None when it has no such data."""
    c = component
    if c.code == USAGE_FREQUENCY:
        return float(inputs.usage_days.get(c.param("window_days"), 0)) if inputs.usage_any else None
    if c.code == SUPPORT_LOAD:
        key = (c.param("window_days"), c.param("high_priority_weight"))
        return float(inputs.tickets.get(key, 0)) if inputs.tickets_any else None
    if c.code == RENEWAL_INTENT:
        return _opt(inputs.contracts.get((c.param("window_days"), c.param("pending_score"),
                                          c.param("contracted_score"))))
    if c.code == NPS:
        return _opt(inputs.nps.get(c.param("window_days")))
    if c.code == CSAT:
        return _opt(inputs.csat.get(c.param("window_days")))
    if c.code == ENGAGEMENT_RECENCY:
        return None if inputs.days_since_activity is None else float(max(0, inputs.days_since_activity))
    raise ValueError(f"unknown component {c.code!r}")


def _opt(x) -> float | None:
    return None if x is None else float(x)


def sub_score(component: Component, value: float) -> float:
    """0–100 for a component's value (the SQL uses the same formulas: services.health)."""
    c = component
    if c.code == USAGE_FREQUENCY:
        return clamp(value * 100.0 / c.param("target_days"))
    if c.code == SUPPORT_LOAD:
        return clamp(100.0 - value * 100.0 / c.param("max_tickets"))
    if c.code == RENEWAL_INTENT:
        return clamp(value)
    if c.code == NPS:
        return clamp(value * 10.0)
    if c.code == CSAT:
        return clamp((value - 1.0) * 25.0)
    if c.code == ENGAGEMENT_RECENCY:
        return clamp(100.0 - value * 100.0 / c.param("max_days"))
    raise ValueError(f"unknown component {c.code!r}")


def round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def band_for(score: int | None, bands: Sequence[Band]) -> str:
    if score is None:
        return ""
    for band in bands:
        if band.min <= score <= band.max:
            return band.code
    return ""


def compute(model: Model, inputs: Inputs) -> Health:
    """The health of one account under `model`: parts (in the model's order), score and band."""
    values = [(c, value_of(c, inputs)) for c in model.components]
    subs = [(c, v, None if v is None else sub_score(c, v)) for c, v in values]
    present_weight = 0.0
    weighted = 0.0
    for c, v, s in subs:
        if v is not None:
            present_weight += c.weight
            weighted += s * c.weight
    if present_weight <= 0:
        parts = tuple(Part(c.code, None, None, c.weight, 0.0, 0.0) for c, _v, _s in subs)
        return Health(score=None, band="", raw=None, parts=parts)
    parts = tuple(
        Part(c.code, v, s, c.weight, (c.weight / present_weight) if v is not None else 0.0,
             (s * c.weight / present_weight) if v is not None else 0.0)
        for c, v, s in subs)
    raw = weighted / present_weight
    score = max(0, min(100, round_half_up(raw)))
    return Health(score=score, band=band_for(score, model.bands), raw=raw, parts=parts)


# --- inputs from plain rows (the reference reductions; tests and the explanation use them) ------------
def inputs_from_rows(model: Model, *, now: datetime, usage: Sequence[datetime] = (),
                     tickets: Sequence[tuple[datetime, str]] = (),
                     contracts: Sequence[tuple[date | None, str, str]] = (),
                     nps: Sequence[tuple[datetime, int]] = (), csat: Sequence[tuple[datetime, int]] = (),
                     activities: Sequence[datetime] = ()) -> Inputs:
    """Reduce one account's rows to the Inputs `model` reads.

    usage: occurred_at of each usage event; tickets: (opened_at, priority); contracts: (end, status,
    outcome); nps/csat: (responded_at, score); activities: occurred_at. Rows after `now` are ignored.
    A window of N days holds the moments t with now − N days ≤ t ≤ now (UTC dates for active days).
    """
    usage = [t for t in usage if t <= now]
    tickets = [(t, p) for t, p in tickets if t <= now]
    usage_days, ticket_counts, contract_avgs, nps_avgs, csat_avgs = {}, {}, {}, {}, {}
    for c in model.components:
        if c.code == USAGE_FREQUENCY:
            w = c.param("window_days")
            since = now - timedelta(days=w)
            usage_days[w] = len({t.date() for t in usage if t >= since})
        elif c.code == SUPPORT_LOAD:
            w, hw = c.param("window_days"), c.param("high_priority_weight")
            since = now - timedelta(days=w)
            ticket_counts[(w, hw)] = float(sum(hw if p in ("high", "urgent") else 1
                                               for t, p in tickets if t >= since))
        elif c.code == RENEWAL_INTENT:
            w, pending, contracted = c.param("window_days"), c.param("pending_score"), c.param("contracted_score")
            since = (now - timedelta(days=w)).date()
            points = [contract_points(status, outcome, pending, contracted)
                      for end, status, outcome in contracts if end is None or end >= since]
            contract_avgs[(w, pending, contracted)] = (sum(points) / len(points)) if points else None
        elif c.code in (NPS, CSAT):
            w = c.param("window_days")
            since = now - timedelta(days=w)
            rows = nps if c.code == NPS else csat
            answers = [s for t, s in rows if since <= t <= now]
            (nps_avgs if c.code == NPS else csat_avgs)[w] = (sum(answers) / len(answers)) if answers else None
    past = [t for t in activities if t <= now]
    days_since = (now.date() - max(past).date()).days if past else None
    return Inputs(usage_any=bool(usage), usage_days=usage_days, tickets_any=bool(tickets), tickets=ticket_counts,
                  contracts=contract_avgs, nps=nps_avgs, csat=csat_avgs, days_since_activity=days_since)


def contract_points(status: str, outcome: str, pending: int, contracted: int) -> int:
    if outcome in ("renewed", "expanded"):
        return 100
    if outcome == "contracted":
        return contracted
    if outcome == "churned":
        return 0
    return pending if status == "active" else 0


# --- validation (English codes; callers translate) ----------------------------------------------
def parameter_errors(code: str, parameters) -> list[str]:
    if code not in PARAMETERS:
        return ["unknown_component"]
    if not isinstance(parameters, dict):
        return ["parameters_not_object"]
    problems = []
    known = PARAMETERS[code]
    for name, value in parameters.items():
        if name not in known:
            problems.append(f"unknown_parameter:{name}")
        elif not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"not_whole_number:{name}")
        elif not known[name][1] <= value <= known[name][2]:
            problems.append(f"out_of_bounds:{name}")
    return problems


def band_errors(bands: Sequence[Band]) -> list[str]:
    """Bands must be known codes, each once, with min ≤ max, and together cover 0–100 without gap
    or overlap."""
    problems = []
    if not bands:
        return ["no_bands"]
    codes = [b.code for b in bands]
    if any(code not in BAND_CODES for code in codes):
        problems.append("unknown_band")
    if len(set(codes)) != len(codes):
        problems.append("duplicate_band")
    if any(b.min > b.max or b.min < 0 or b.max > 100 for b in bands):
        problems.append("bad_range")
        return problems
    ordered = sorted(bands, key=lambda b: b.min)
    expected = 0
    for b in ordered:
        if b.min != expected:
            problems.append("gap_or_overlap")
            break
        expected = b.max + 1
    else:
        if expected != 101:
            problems.append("not_covering")
    return problems


def weight_errors(weights: Sequence[float]) -> list[str]:
    if not weights:
        return ["no_components"]
    if any(not (0 < w <= MAX_WEIGHT) for w in weights):
        return ["weight_out_of_bounds"]
    return []


# --- which model scores an account --------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    model_id: int
    segment: str
    onboarding_days: int
    priority: int


def ordered_segments(segments: Sequence[Segment]) -> list[Segment]:
    """Highest priority first, then the oldest model (the order the SQL's CASE tries them in)."""
    return sorted(segments, key=lambda s: (-s.priority, s.model_id))


def pick_model(segments: Sequence[Segment], *, customer_since: date, today: date) -> int | None:
    """The active model scoring an account that has been a customer since `customer_since` (its
    first contract's start, else its creation day): the first match of ordered_segments()."""
    for s in ordered_segments(segments):
        if s.segment == "default":
            return s.model_id
        if s.segment == "onboarding" and (today - customer_since).days < s.onboarding_days:
            return s.model_id
    return None


# --- trend: like with like ------------------------------------------------------------------------
TREND_DAYS = 30
TREND_FLAT_WITHIN = 2  # points either way that count as "no change"


def trend(*, score: int | None, model_id: int | None, then_score: int | None, then_model_id: int | None) -> str:
    """"up", "down" or "flat" comparing the score now with the score TREND_DAYS ago under the same
    model; "" (no arrow) when either is missing or the model changed in between."""
    if score is None or then_score is None or model_id is None or model_id != then_model_id:
        return ""
    delta = score - then_score
    if delta > TREND_FLAT_WITHIN:
        return "up"
    if delta < -TREND_FLAT_WITHIN:
        return "down"
    return "flat"
