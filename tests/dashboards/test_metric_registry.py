"""Every registered metric answers for every scope and breakdown it declares, its records are what it
counted, its drill-down link lists those records, and a manager's figures hold only their teams."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from pipeline.models import OpportunityLine, Product
from salesops import metrics
from salesops.metrics import COUNT, Period, Scope
from tests.leads.factories import LeadFactory
from tests.pipeline.test_metrics import deal
from tests.teams.factories import QuotaFactory

pytestmark = pytest.mark.django_db

CONTRACT = {
    "lead_volume", "mql_count", "mql_rate", "mql_to_opportunity", "lead_to_won", "data_completeness",
    "deals_in_stage", "pipeline_amount", "stage_conversion", "win_rate", "deals_won", "won_value",
    "sales_cycle_days", "time_in_stage_p50", "time_in_stage_p90", "stalled_deals", "forecast_weighted",
    "quota_attainment", "high_margin_share",
}


def period():
    today = timezone.localdate()
    return Period(today - timedelta(days=90), today)


@pytest.fixture
def world(org):
    """Deals and leads for both teams (East: owner, teammate; West: outsider)."""
    product = Product.objects.create(name="Gold", list_price=Decimal("1"), is_high_margin=True)
    deal(org["owner"], code="closed_won", amount="3000", created=50, moved=10, product=product,
         via=("needs_confirmed", "solution_demo", "negotiation"))
    deal(org["teammate"], code="closed_lost", amount="500", moved=5)
    deal(org["outsider"], code="closed_won", amount="7000", moved=5)
    deal(org["owner"], code="needs_confirmed", moved=3)
    now = timezone.now()
    for owner, mql in (("owner", True), ("owner", False), ("teammate", True), ("outsider", True)):
        LeadFactory(owner=org[owner], mql_at=now if mql else None)
    QuotaFactory(user=org["owner"], period_start=period().start, period_end=period().end, amount=Decimal("6000"))
    return org


def test_every_contract_code_is_registered():
    assert CONTRACT <= {m.code for m in metrics.all_metrics()}
    for m in metrics.all_metrics():
        assert str(m.name) and str(m.description) and m.records and m.drilldown_url and m.app in ("leads", "pipeline")


@pytest.mark.parametrize("who", ["admin", "mgr", "owner"])
def test_every_metric_computes_breaks_down_and_links_its_records(world, who):
    client = Client()
    client.force_login(world[who])
    scope = Scope(user=world[who])
    for m in metrics.all_metrics():
        result = m.compute(scope, period())
        records = m.records(scope, period())
        if m.unit == COUNT:
            assert records.count() == result.count == result.value, m.code
        for group_by in m.group_by:
            rows = m.breakdown(scope, period(), group_by)
            assert all(row.key is not None and row.label is not None for row in rows), m.code
        url = m.drilldown_url(scope, period())
        page = client.get(url)
        assert page.status_code == 200, (m.code, url)


def test_a_managers_metrics_hold_only_their_teams(world):
    mgr, west = Scope(user=world["mgr"]), world["west"]
    for m in metrics.all_metrics():
        assert not m.records(mgr, period()).filter(owner__team=west).exists(), m.code
        assert not m.records(Scope(user=world["mgr"], team_id=west.pk), period()).exists(), m.code
    won = metrics.get("won_value").compute(mgr, period())
    assert won.per_currency == {"CNY": Decimal("3000")} and won.count == 1
    assert OpportunityLine.objects.count() == 1
