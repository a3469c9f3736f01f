"""SMART goal arithmetic: progress and pace against a pro-rated target. Pure Python, no Django.

A goal moves a metric from `baseline` (at `start`) to `target` (at `deadline`). Time runs linearly,
so the pro-rated target on a day is `baseline + (target - baseline) * elapsed`, where `elapsed` is the
share of the goal's days gone by (0 at start, 1 at the deadline).

- progress = (current - baseline) / (target - baseline): the share of the way covered; the same
  formula serves both directions (for a "lower is better" goal target < baseline and a fall counts
  as progress). It may be negative (moved the wrong way) or above 1 (beyond the target).
- pace = progress / elapsed: 1.0 means exactly on the pro-rated target. On track when
  pace ≥ on_track (default 0.99), behind down to at_risk (default 0.81), at risk below.
- At the start (elapsed 0) nothing is expected yet: on track unless already moving the wrong way.
- A goal whose target equals its baseline ("keep data completeness ≥ 95 %") is a threshold: on
  track while the current value is on the better side of the target, at risk otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ON_TRACK = "on_track"
BEHIND = "behind"
AT_RISK = "at_risk"
UP = "up"
DOWN = "down"


@dataclass(frozen=True)
class Thresholds:
    on_track: float = 0.99   # pace at or above: on track
    at_risk: float = 0.81    # pace below: at risk (in between: behind)

    def __post_init__(self):
        if not 0 <= self.at_risk <= self.on_track:
            raise ValueError("thresholds must satisfy 0 <= at_risk <= on_track")


@dataclass(frozen=True)
class Pace:
    status: str               # ON_TRACK, BEHIND, AT_RISK
    elapsed: float            # share of the goal's time gone by, 0..1
    expected: float           # the pro-rated target value today
    progress: float | None    # share of the way from baseline to target covered (None: no current value)
    pace: float | None        # progress / elapsed (None when nothing is expected yet or no value)

    @property
    def progress_percent(self) -> int:
        """Progress for a progress bar, clamped to 0..100."""
        return 0 if self.progress is None else max(0, min(100, round(self.progress * 100)))


def _f(value) -> float:
    return float(value) if isinstance(value, Decimal) else float(value)


def elapsed_share(start: date, deadline: date, today: date) -> float:
    """The share of [start, deadline] gone by on `today`, clamped to 0..1."""
    days = (deadline - start).days
    if days <= 0:
        return 1.0
    return max(0.0, min(1.0, (today - start).days / days))


def prorated_target(baseline, target, start: date, deadline: date, today: date) -> float:
    b, t = _f(baseline), _f(target)
    return b + (t - b) * elapsed_share(start, deadline, today)


def progress(baseline, target, current) -> float | None:
    if current is None:
        return None
    b, t, c = _f(baseline), _f(target), _f(current)
    if t == b:
        return None
    return (c - b) / (t - b)


def status_for(pace: float, thresholds: Thresholds = Thresholds()) -> str:
    pace = round(pace, 9)  # 0.98999999 from float arithmetic is 0.99
    if pace >= thresholds.on_track:
        return ON_TRACK
    if pace >= thresholds.at_risk:
        return BEHIND
    return AT_RISK


def pace(*, baseline, target, current, start: date, deadline: date, today: date, better: str,
         thresholds: Thresholds = Thresholds()) -> Pace:
    """How `current` on `today` compares with the pro-rated target (see the module text)."""
    if better not in (UP, DOWN):
        raise ValueError("better must be 'up' or 'down'")
    elapsed = elapsed_share(start, deadline, today)
    expected = prorated_target(baseline, target, start, deadline, today)
    if current is None:  # nothing measured (no records): not a failure, not a success
        return Pace(BEHIND, elapsed, expected, None, None)
    if _f(target) == _f(baseline):  # a threshold to hold
        holds = _f(current) >= _f(target) if better == UP else _f(current) <= _f(target)
        return Pace(ON_TRACK if holds else AT_RISK, elapsed, expected, 1.0 if holds else 0.0, None)
    done = progress(baseline, target, current)
    if elapsed == 0:
        return Pace(ON_TRACK if done >= 0 else BEHIND, elapsed, expected, done, None)
    ratio = done / elapsed
    return Pace(status_for(ratio, thresholds), elapsed, expected, done, ratio)
