"""Shared set-up for the compensation tests: a registry of fake metrics with values per user, and
the seed plan (60 % quota attainment, 20 % CSAT, 20 % process KPIs) published and assigned."""
from datetime import date
from decimal import Decimal

import pytest

from salesops import metrics
from teams.models import Payout
from teams.services import compensation as comp

Q3 = (date(2026, 7, 1), date(2026, 9, 30))
Q4 = (date(2026, 10, 1), date(2026, 12, 31))
SEED_COMPONENTS = [
    {"key": "quota", "label": "Quota attainment", "metric_codes": ["quota_attainment"], "weight": Decimal("60")},
    {"key": "csat", "label": "Customer satisfaction", "metric_codes": ["csat"], "weight": Decimal("20")},
    {"key": "process", "label": "Process KPIs", "weight": Decimal("20"),
     "metric_codes": ["activity_logged_within_24h", "data_completeness", "training_participation"]},
]


class FakeMetrics:
    """values[(code, user_id, period_start)] = value; records are the ids in ids[(code, user_id, start)]."""

    def __init__(self):
        self.values, self.ids = {}, {}

    def set(self, code, user, value, start=Q3[0], ids=()):
        self.values[(code, user.pk, start)] = None if value is None else Decimal(str(value))
        self.ids[(code, user.pk, start)] = list(ids)

    def metric(self, code, unit=metrics.PERCENT):
        def compute(scope, period):
            value = self.values.get((code, scope.owner_id, period.start))
            if unit == metrics.MONEY:
                return metrics.MetricResult(value=None, per_currency={"CNY": value} if value is not None else {})
            return metrics.MetricResult(value=value)

        def records(scope, period):
            from teams.models import User
            return User.objects.filter(pk__in=self.ids.get((code, scope.owner_id, period.start), []))

        return metrics.Metric(code=code, name=code, unit=unit, better=metrics.UP, compute=compute, records=records,
                              drilldown_url=lambda scope, period: f"/records/{code}/?owner={scope.owner_id}")


@pytest.fixture
def fake_metrics(monkeypatch):
    fake = FakeMetrics()
    registry = {code: fake.metric(code) for code in ("quota_attainment", "csat", "data_completeness")}
    registry["won_value"] = fake.metric("won_value", metrics.MONEY)
    monkeypatch.setattr(metrics, "_metrics", registry)
    return fake


def seed_plan(admin, *, effective_from=date(2026, 1, 1), **fields):
    plan = comp.plan_create(by=admin, name=fields.pop("name", "Sales bonus"), effective_from=effective_from,
                            target_bonus=fields.pop("target_bonus", Decimal("10000")), currency="CNY",
                            components=fields.pop("components", SEED_COMPONENTS), **fields)
    return comp.plan_publish(by=admin, plan=plan)


@pytest.fixture
def plan(org, fake_metrics):
    plan = seed_plan(org["admin"])
    for person in ("owner", "teammate", "outsider"):
        comp.plan_assign(by=org["admin"], plan=plan, user=org[person], starts_on=date(2026, 1, 1))
    return plan


def compute_q3(plan, user) -> Payout:
    return comp.payout_compute(user=user, start=Q3[0], end=Q3[1], plan=plan)
