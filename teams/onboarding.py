"""Onboarding domain logic without the database: the seed's default 90-day template, task dates,
progress, the day a milestone was reached, and ramp (months to a full month's quota).

Strings are marked with gettext_noop: the default template is stored in English, as data a manager
may edit, and the step titles are shown translated when they are still the defaults.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_noop

HIRE, MENTOR, MANAGER = "hire", "mentor", "manager"
DOING, KNOWING = "doing", "knowing"
FULL_QUOTA = 100.0   # percent of a month's quota that counts as ramped
RAMP_HORIZON = 24    # months after the hire month that ramp is looked for


@dataclass(frozen=True)
class StepSpec:
    title: str
    day_offset: int
    duration_days: int
    performer: str = HIRE
    kind: str = DOING
    milestone_metric: str = ""
    milestone_threshold: Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class PhaseSpec:
    title: str
    steps: tuple[StepSpec, ...]


DEFAULT_TEMPLATE_NAME = gettext_noop("90-day sales onboarding")
DEFAULT_TEMPLATE_DESCRIPTION = gettext_noop("Month 1 product and process training; month 2 customer visits with a mentor; "
                                  "month 3 own small accounts with a weekly review.")
ONE = Decimal("1")

DEFAULT_PHASES: tuple[PhaseSpec, ...] = (
    PhaseSpec(gettext_noop("Month 1: product and process training"), (
        StepSpec(gettext_noop("Product training"), 0, 10, HIRE, KNOWING),
        StepSpec(gettext_noop("Sales process and CRM training"), 3, 7, HIRE, KNOWING),
        StepSpec(gettext_noop("Shadow the mentor's customer calls"), 7, 14, MENTOR, DOING),
        StepSpec(gettext_noop("Pitch the product to the mentor"), 20, 7, HIRE, DOING),
        StepSpec(gettext_noop("Month 1 review"), 28, 3, MANAGER, KNOWING),
    )),
    PhaseSpec(gettext_noop("Month 2: customer visits with a mentor"), (
        StepSpec(gettext_noop("Joint customer visits with the mentor"), 30, 21, MENTOR, DOING),
        StepSpec(gettext_noop("First logged meeting"), 30, 30, HIRE, DOING, "meetings_logged", ONE),
        StepSpec(gettext_noop("First opportunity"), 35, 25, HIRE, DOING, "deals_created", ONE),
        StepSpec(gettext_noop("Month 2 review"), 58, 3, MANAGER, KNOWING),
    )),
    PhaseSpec(gettext_noop("Month 3: own small accounts, weekly review"), (
        StepSpec(gettext_noop("Take over small accounts"), 60, 7, MANAGER, DOING),
        StepSpec(gettext_noop("Weekly pipeline review"), 60, 30, MANAGER, KNOWING),
        StepSpec(gettext_noop("First won deal"), 60, 30, HIRE, DOING, "deals_won", ONE),
        StepSpec(gettext_noop("90-day review and sign-off"), 87, 3, MENTOR, KNOWING),
    )),
)

# Every default title, so a page can show a default translated (a manager's own words are shown as typed).
DEFAULT_TEXTS = frozenset([DEFAULT_TEMPLATE_NAME, DEFAULT_TEMPLATE_DESCRIPTION]
                          + [p.title for p in DEFAULT_PHASES] + [s.title for p in DEFAULT_PHASES for s in p.steps])


def task_dates(start: date, day_offset: int, duration_days: int) -> tuple[date, date]:
    """(starts_on, due_on) of a step for a plan starting on `start`: the step's last day is due."""
    starts = start + timedelta(days=day_offset)
    return starts, starts + timedelta(days=max(duration_days, 1) - 1)


def progress_percent(done: int, total: int) -> int:
    """Share of the tasks done, rounded down (100 only when all are done); 0 for an empty plan."""
    return 0 if total <= 0 else (100 * done) // total


def reached(value, threshold) -> bool:
    """A milestone is reached when the metric's value is at least the threshold (None: nothing measured)."""
    if value is None or threshold is None:
        return False
    return Decimal(str(value)) >= Decimal(str(threshold))


def first_day_reached(value_until: Callable[[date], object], threshold, start: date, end: date) -> date:
    """The first day d in start..end with value_until(d) >= threshold, given that it holds on `end` and
    that the value never falls as d grows (a count since `start`). Bisection: log2(days) evaluations."""
    low, high = start, end
    while low < high:
        middle = low + timedelta(days=(high - low).days // 2)
        if reached(value_until(middle), threshold):
            high = middle
        else:
            low = middle + timedelta(days=1)
    return low


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(first: date) -> date:
    return first + relativedelta(months=1, days=-1)


def months_to_check(start: date, checked: date | None, today: date) -> list[date]:
    """First days of the months to look at for ramp: from the hire month (or after the last month
    already checked and not ramped) to the current month, at most RAMP_HORIZON months after hire."""
    first = month_start(start)
    last = min(month_start(today), first + relativedelta(months=RAMP_HORIZON))
    current = first if checked is None else checked + relativedelta(months=1)
    months = []
    while current <= last:
        months.append(current)
        current += relativedelta(months=1)
    return months


def ramp_months(start: date, ramped_month: date) -> int:
    """Months to ramp, counting the hire month as month 1 (hired 15 Jan, first full quota in March: 3)."""
    first = month_start(start)
    return (ramped_month.year - first.year) * 12 + ramped_month.month - first.month + 1


def cohort_key(start: date, by: str) -> str:
    """A hire cohort label: "2026-03" by month, "2026-Q1" by quarter."""
    if by == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def average(values: list[float | int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None
