"""Bonus and commission payouts as pure functions (no Django): the reference definition of a payout.

A plan is a target bonus and weighted components. Each component reads one metric value (or, for a
composite such as "process KPIs", the average of several metric values), all in percent where 100
means "on target" (`target` says otherwise). Per component:

    attainment  a = value / target                        (1.10 for 110 %)
    threshold   a < threshold / 100          -> factor 0   (below the threshold nothing is paid)
    linear      factor = a                                 (up to target)
    accelerator a > 1: factor = 1 + (a - 1) × accelerator  (each point above target counts more)
    cap         factor = min(factor, cap / 100)
    contribution = target bonus × weight / 100 × factor     (rounded half-up to cents)

The bonus is the sum of the contributions. Commission is optional: marginal tiers over an amount
(each tier's rate applies only to the part of the amount inside the tier). A clawback is the
difference between what was paid for an earlier period and what that period is worth now (a won
deal reopened or lost after the payout): a negative line in the next period; a positive difference
is an adjustment line.

A value of None (the metric is not registered, or has nothing to measure) pays 0, with the reason
on the line; in a composite, parts without a value are left out of the average (`missing="skip"`,
the default) or count as 0 (`missing="zero"`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")

NORMAL = "normal"
COMMISSION = "commission"
CLAWBACK = "clawback"
ADJUSTMENT = "adjustment"

SKIP = "skip"
ZERO_MISSING = "zero"

# reasons a line paid nothing (stable codes; the app translates them)
NOT_AVAILABLE = "not_available"    # the metric is not registered
NO_DATA = "no_data"                # registered, but nothing to measure in the period
BELOW_THRESHOLD = "below_threshold"
CAPPED = "capped"
ACCELERATED = "accelerated"


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class Component:
    """One weighted part of a plan. `metrics` has one code, or several for a composite (averaged)."""

    key: str
    metrics: tuple[str, ...]
    weight: Decimal                     # percent of the target bonus (60 for 60 %)
    threshold: Decimal | None = None    # percent attainment below which the component pays 0
    accelerator: Decimal | None = None  # multiplier of the attainment above 100 %
    cap: Decimal | None = None          # highest factor, in percent (150: at most 1.5 × the weight)
    target: Decimal = HUNDRED           # the metric value that means 100 % attainment
    missing: str = SKIP                 # composite parts without a value: left out, or counted as 0
    label: str = ""


@dataclass(frozen=True)
class Tier:
    """A commission tier: `rate` percent of the part of the amount from `lower` up to `upper`."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Line:
    kind: str
    key: str
    metric: str                  # the metric code ("a,b,c" for a composite)
    value: Decimal | None        # the metric value the line was computed from
    weight: Decimal | None
    factor: Decimal | None       # attainment factor after threshold, accelerator and cap
    contribution: Decimal
    notes: tuple[str, ...] = ()
    parts: tuple[tuple[str, Decimal | None], ...] = ()  # composite: each metric code and its value
    label: str = ""


@dataclass(frozen=True)
class Result:
    lines: tuple[Line, ...]
    total: Decimal = field(default=ZERO)

    @property
    def bonus(self) -> Decimal:
        return sum((line.contribution for line in self.lines if line.kind == NORMAL), ZERO)

    @property
    def commission(self) -> Decimal:
        return sum((line.contribution for line in self.lines if line.kind == COMMISSION), ZERO)


def component_value(component: Component, values: Mapping[str, object]) -> tuple[Decimal | None, tuple, tuple[str, ...]]:
    """The component's value from the metric values by code, its parts, and why it has none."""
    parts = tuple((code, _dec(values.get(code))) for code in component.metrics)
    if len(parts) == 1:
        code, value = parts[0]
        if value is None:
            return None, (), (NOT_AVAILABLE if code not in values else NO_DATA,)
        return value, (), ()
    known = [value for _code, value in parts if value is not None]
    if component.missing == ZERO_MISSING:
        known = [value if value is not None else ZERO for _code, value in parts]
    notes = tuple(f"{NOT_AVAILABLE if code not in values else NO_DATA}:{code}"
                  for code, value in parts if value is None)
    if not known:
        return None, parts, notes or (NO_DATA,)
    return sum(known, ZERO) / len(known), parts, notes


def attainment_factor(value: Decimal | None, component: Component) -> tuple[Decimal, tuple[str, ...]]:
    """The factor the weight is paid at, and what shaped it (threshold, accelerator, cap)."""
    if value is None or not component.target:
        return ZERO, ()
    attainment = Decimal(value) / Decimal(component.target)
    if component.threshold is not None and attainment * HUNDRED < component.threshold:
        return ZERO, (BELOW_THRESHOLD,)
    factor, notes = attainment, ()
    if attainment > 1 and component.accelerator is not None:
        factor = 1 + (attainment - 1) * Decimal(component.accelerator)
        notes += (ACCELERATED,)
    if component.cap is not None and factor > component.cap / HUNDRED:
        factor = Decimal(component.cap) / HUNDRED
        notes += (CAPPED,)
    return max(factor, ZERO), notes


def component_line(component: Component, target_bonus: Decimal, values: Mapping[str, object]) -> Line:
    value, parts, notes = component_value(component, values)
    factor, shaped = attainment_factor(value, component)
    contribution = money(Decimal(target_bonus) * Decimal(component.weight) / HUNDRED * factor)
    return Line(kind=NORMAL, key=component.key, metric=",".join(component.metrics),
                value=None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP),
                weight=Decimal(component.weight), factor=factor.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
                contribution=contribution, notes=notes + shaped, parts=parts, label=component.label)


def commission_lines(amount: Decimal | None, tiers: Sequence[Tier], *, metric: str = "") -> list[Line]:
    """Marginal tiers: one line per tier the amount reaches, paying the tier's rate on its slice."""
    if amount is None or amount <= 0:
        return []
    lines = []
    for tier in sorted(tiers, key=lambda t: t.lower):
        if amount <= tier.lower:
            break
        top = amount if tier.upper is None else min(amount, tier.upper)
        slice_ = top - tier.lower
        if slice_ <= 0:
            continue
        lines.append(Line(kind=COMMISSION, key=f"tier:{tier.lower}", metric=metric, value=money(slice_),
                          weight=Decimal(tier.rate), factor=None,
                          contribution=money(slice_ * Decimal(tier.rate) / HUNDRED)))
    return lines


def compute(*, target_bonus, components: Sequence[Component], values: Mapping[str, object],
            tiers: Sequence[Tier] = (), commission_metric: str = "", commission_amount=None) -> Result:
    """The explained payout: one line per component (then one per commission tier reached)."""
    lines = [component_line(c, Decimal(target_bonus), values) for c in components]
    lines += commission_lines(_dec(commission_amount), tiers, metric=commission_metric)
    return Result(lines=tuple(lines), total=money(sum((line.contribution for line in lines), ZERO)))


def corrections(paid: Sequence[Line], now: Sequence[Line]) -> list[Line]:
    """What an approved period is worth now minus what was paid for it, per component key: a
    negative difference is a clawback line (a won deal reopened or lost after the payout), a
    positive one an adjustment line. `paid` holds the period's lines and the corrections already
    made for it (so nothing is clawed back twice). A key in only one of the two counts as 0 in the other."""
    def totals(lines):
        found: dict[str, tuple[Line, Decimal]] = {}
        for line in lines:
            key = COMMISSION if line.kind == COMMISSION else line.key
            first, previous = found.get(key, (line, ZERO))
            found[key] = (line if line.kind in (NORMAL, COMMISSION) else first, previous + line.contribution)
        return found

    before, after = totals(paid), totals(now)
    result = []
    for key in list(before) + [k for k in after if k not in before]:
        old_line, old = before.get(key, (None, ZERO))
        new_line, new = after.get(key, (None, ZERO))
        difference = money(new - old)
        if difference == 0:
            continue
        source = new_line or old_line
        result.append(Line(kind=CLAWBACK if difference < 0 else ADJUSTMENT, key=key, metric=source.metric,
                           value=new_line.value if new_line else None, weight=source.weight,
                           factor=new_line.factor if new_line else None, contribution=difference,
                           label=source.label))
    return result


# --- periods -------------------------------------------------------------------------------------
QUARTERLY = "quarterly"
MONTHLY = "monthly"


def period_bounds(day: date, kind: str) -> tuple[date, date]:
    """The month or quarter (`kind`) that contains `day`: (first day, last day)."""
    months = 3 if kind == QUARTERLY else 1
    first_month = months * ((day.month - 1) // months) + 1
    start = date(day.year, first_month, 1)
    following = first_month + months
    end = (date(day.year + 1, 1, 1) if following > 12 else date(day.year, following, 1)) - timedelta(days=1)
    return start, end


def previous_period(day: date, kind: str) -> tuple[date, date]:
    """The last whole month or quarter before the one containing `day`."""
    start, _end = period_bounds(day, kind)
    return period_bounds(start - timedelta(days=1), kind)


def period_label(start: date, kind: str) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}" if kind == QUARTERLY else f"{start:%Y-%m}"
