"""The 24-hour logging rule, without Django: an activity is on time when it is logged within 24 hours
of happening, late after that (accepted, flagged), and refused when it is dated in the future (beyond
a few minutes' tolerance for clock skew between devices). The SQL twin of `is_late` is
customers.selectors.late_q; tests/customers/test_activities_timeliness.py keeps them in step.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

LATE_AFTER = timedelta(hours=24)
FUTURE_TOLERANCE = timedelta(minutes=5)


def is_late(occurred_at: datetime, logged_at: datetime) -> bool:
    """Logged more than 24 h after it happened (exactly 24 h is still on time)."""
    return logged_at - occurred_at > LATE_AFTER


def is_future(occurred_at: datetime, now: datetime) -> bool:
    """Dated later than now, beyond the clock-skew tolerance."""
    return occurred_at - now > FUTURE_TOLERANCE


def within_24h_share(pairs: Iterable[tuple[datetime, datetime]]) -> float | None:
    """Percentage (0–100, one decimal) of (occurred_at, logged_at) pairs logged on time; None for none."""
    total = on_time = 0
    for occurred_at, logged_at in pairs:
        total += 1
        on_time += not is_late(occurred_at, logged_at)
    return None if not total else round(100.0 * on_time / total, 1)
