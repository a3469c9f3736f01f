"""Fake metrics for the dashboards tests: the registry is emptied and refilled for each test (and
restored after), so nothing depends on the real metrics' numbers."""
from decimal import Decimal

import pytest

from salesops import metrics as registry
from salesops.metrics import Metric, MetricResult


class FakeSource:
    """Values by scope key ("organisation", "team:3", "rep:7"); `calls` records each computation."""

    def __init__(self, default=None):
        self.values, self.default, self.calls, self.fail = {}, default, [], False

    def key(self, scope):
        return "organisation" if scope.level == "organisation" else f"{scope.level}:{scope.owner_id or scope.team_id}"

    def compute(self, scope, period):
        self.calls.append((self.key(scope), period.start, period.end))
        if self.fail:
            raise RuntimeError("broken metric")
        value = self.values.get(self.key(scope), self.default)
        return MetricResult(value=value, count=None if value is None else int(value),
                            per_currency={"EUR": Decimal("1.50")} if value is not None else None)


@pytest.fixture
def fake_metrics(monkeypatch):
    monkeypatch.setattr(registry, "_metrics", {})
    up, down = FakeSource(default=Decimal("20")), FakeSource(default=Decimal("80"))
    registry.register(Metric(code="fake_rate", name="Fake rate", unit=registry.PERCENT, better=registry.UP,
                             compute=up.compute, app="leads"))
    registry.register(Metric(code="fake_cycle", name="Fake cycle", unit=registry.DAYS, better=registry.DOWN,
                             compute=down.compute, app="pipeline"))
    yield {"fake_rate": up, "fake_cycle": down}
    # monkeypatch puts the real registry back
