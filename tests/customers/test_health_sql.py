"""The set-based SQL recompute agrees with the pure-Python definition (customers.health)."""
import random
from datetime import UTC, datetime, timedelta

import pytest

from customers.models import (
    AccountHealth, Activity, Contract, HealthModel, HealthScoreHistory, Survey, SurveyResponse, Ticket, UsageEvent,
)
from customers.services.health import account_health_reference, health_model_save, health_recompute_range
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def varied_accounts(n, seed=7):
    """Accounts with random mixes of data, some with none of a kind, some in onboarding."""
    rnd = random.Random(seed)
    nps = Survey.objects.create(name="NPS", kind="nps", question="?")
    csat = Survey.objects.create(name="CSAT", kind="csat", question="?")
    accounts = []
    for i in range(n):
        account = AccountFactory(created_at=NOW - timedelta(days=rnd.randint(0, 800)))
        accounts.append(account)
        when = lambda max_days: NOW - timedelta(days=rnd.random() * max_days)  # noqa: E731
        if rnd.random() < 0.8:
            UsageEvent.objects.bulk_create([
                UsageEvent(account=account, external_id=f"u{i}-{k}", feature="f", quantity=1,
                           occurred_at=when(rnd.choice([20, 60, 400]))) for k in range(rnd.randint(1, 40))])
        if rnd.random() < 0.7:
            Ticket.objects.bulk_create([
                Ticket(account=account, external_id=f"t{i}-{k}", priority=rnd.choice(["low", "normal", "high", "urgent"]),
                       opened_at=when(200)) for k in range(rnd.randint(1, 12))])
        if rnd.random() < 0.7:
            for _k in range(rnd.randint(1, 3)):
                start = (NOW - timedelta(days=rnd.randint(10, 900))).date()
                end = None if rnd.random() < 0.3 else start + timedelta(days=365)
                outcome = rnd.choice(["", "", "renewed", "expanded", "contracted", "churned"]) if end else ""
                status = rnd.choice(["active", "ended", "cancelled"])
                Contract.objects.create(account=account, product="p", start=start, end=end, mrr=100, currency="CNY",
                                        status=status, outcome=outcome)
        for survey, lo, hi in ((nps, 0, 10), (csat, 1, 5)):
            if rnd.random() < 0.6:
                SurveyResponse.objects.bulk_create([
                    SurveyResponse(survey=survey, account=account, kind=survey.kind, score=rnd.randint(lo, hi),
                                   responded_at=when(300)) for _ in range(rnd.randint(1, 4))])
        if rnd.random() < 0.75:
            for _ in range(rnd.randint(1, 3)):
                Activity.objects.create(account=account, kind="call", occurred_at=when(120), summary="x",
                                        owner=account.owner)
    return accounts


def recompute_all(accounts):
    ids = [a.pk for a in accounts]
    return health_recompute_range(lo=min(ids), hi=max(ids), now=NOW)


def test_sql_and_python_agree_on_varied_accounts():
    accounts = varied_accounts(60)
    assert recompute_all(accounts) == 60
    stored = {h.account_id: h for h in AccountHealth.objects.all()}
    models_seen = set()
    for account in accounts:
        model_id, expected = account_health_reference(account=account, now=NOW)
        got = stored[account.pk]
        models_seen.add(model_id)
        assert got.model_id == model_id, account.pk
        assert (got.score, got.band) == (expected.score, expected.band), account.pk
        for part, (code, value, sub, weight, nweight, contribution) in zip(expected.parts, got.components, strict=True):
            assert code == part.code
            assert weight == part.weight
            if part.value is None:
                assert (value, sub, contribution) == (None, None, 0)
            else:
                assert value == pytest.approx(part.value, abs=1e-4)
                assert sub == pytest.approx(part.sub_score, abs=1e-4)
                assert nweight == pytest.approx(part.normalised_weight, abs=1e-4)
                assert contribution == pytest.approx(part.contribution, abs=1e-4)
    assert len(models_seen) == 2  # both the onboarding and the default model scored some accounts


def test_contributions_stored_add_up_to_the_score():
    accounts = varied_accounts(20, seed=3)
    recompute_all(accounts)
    for health in AccountHealth.objects.exclude(score=None):
        total = sum(part[5] for part in health.components)
        assert abs(total - health.score) <= 0.5 + 1e-3


def test_history_is_one_row_per_account_per_day():
    accounts = varied_accounts(5, seed=11)
    recompute_all(accounts)
    recompute_all(accounts)
    assert HealthScoreHistory.objects.count() == 5
    health_recompute_range(lo=accounts[0].pk, hi=accounts[-1].pk, now=NOW + timedelta(days=1))
    assert HealthScoreHistory.objects.count() == 10


def test_an_account_without_data_has_no_score():
    account = AccountFactory(created_at=NOW - timedelta(days=400))
    health_recompute_range(lo=account.pk, hi=account.pk, now=NOW)
    health = AccountHealth.objects.get(account=account)
    assert (health.score, health.band) == (None, "")


def test_a_changed_model_is_used_by_the_next_recompute(org):
    accounts = varied_accounts(10, seed=5)
    default = HealthModel.objects.get(segment="default")
    health_model_save(by=org["admin"], model=default, name="Only NPS", components=[{"code": "nps", "weight": 1}])
    recompute_all(accounts)
    for account in accounts:
        model_id, expected = account_health_reference(account=account, now=NOW)
        got = AccountHealth.objects.get(account=account)
        assert (got.model_id, got.score) == (model_id, expected.score)
