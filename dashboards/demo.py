"""The seed article's goals, as organisation goals set by the demo administrator, for a year from the
first day of the current month, with the seed's baselines.

Set through `goal_create` (one door). Only goals whose metric is registered are created; the seed's
churn (20 % -> 10 %), NPS (30 -> 50), CAC (-15 %) and LTV (+30 %) goals wait for the customers
metrics (they are listed as skipped). Idempotent: a goal on the same metric, scope and start is
not set twice.
"""
from datetime import date, timedelta
from decimal import Decimal

from salesops import metrics as registry
from teams.models import User

from .goal_services import goal_create
from .models import Goal

# (metric code, baseline, target, note); baseline None: from the snapshot / computed
SEED_GOALS = [
    ("sales_cycle_days", Decimal("90"), Decimal("75"), "Sales cycle 90 -> 75 days"),
    ("mql_to_opportunity", Decimal("15"), Decimal("25"), "MQL -> opportunity 15 % -> 25 %"),
    ("data_completeness", Decimal("95"), Decimal("95"), "Data completeness at least 95 %"),
    ("high_margin_share", Decimal("40"), Decimal("60"), "High-margin product share 40 % -> 60 %"),
    ("annual_churn", Decimal("20"), Decimal("10"), "Annual churn 20 % -> 10 %"),
    ("nps", Decimal("30"), Decimal("50"), "NPS 30 -> 50"),
    ("cac", None, None, "CAC -15 %"),
    ("ltv", None, None, "LTV +30 %"),
]


def seed_goals(*, today: date) -> tuple[int, int]:
    """(goals created, seed goals skipped because their metric is not registered)."""
    admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return 0, len(SEED_GOALS)
    start = today.replace(day=1)  # a year from the first of this month
    deadline = date(start.year + 1, start.month, 1) - timedelta(days=1)
    created = skipped = 0
    for code, baseline, target, note in SEED_GOALS:
        if registry.find(code) is None or target is None:
            skipped += 1
            continue
        if Goal.objects.filter(metric=code, scope="organisation", start=start).exists():
            continue
        goal_create(by=admin, metric=code, baseline=baseline, target=target, start=start, deadline=deadline,
                    note=note)
        created += 1
    return created, skipped


DEMO_SNAPSHOT_MONTHS = 6


def seed_snapshots(*, today: date) -> int:
    """Organisation month snapshots of every metric for the last complete months (so the KPI cards show
    trends and "vs last period" from snapshots, as the daily job would have left them); rows written.
    Idempotent: snapshots_write skips what exists."""
    from salesops.metrics import Scope

    from .snapshots import Kind, PlannedPeriod, kind_end, snapshots_write, system_viewer

    first = today.replace(day=1)
    plan = []
    for _ in range(DEMO_SNAPSHOT_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        plan.append(PlannedPeriod(Kind.MONTH, first, kind_end(Kind.MONTH, first)))
    return snapshots_write(plan=plan[::-1], scopes=[Scope(system_viewer())])
