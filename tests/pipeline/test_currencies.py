"""Issue 7, point 7: amounts in different currencies are never added under one label. Board, forecast
(page, API, snapshots, accuracy) and funnel give totals per currency (no exchange-rate table)."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pipeline import services
from pipeline.selectors import metrics
from pipeline.forecasting import period_bounds, previous_periods
from pipeline.models import ForecastSnapshot, Opportunity

from .factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_currencies(org):
    """This quarter: an open USD deal and an open CNY deal of the same rep, and a won deal in each."""
    _start, end = period_bounds("quarter", timezone.localdate())
    rep = org["owner"]
    usd = make_opportunity(owner=rep, amount=Decimal("1000"), currency="USD", expected_close_date=end)
    cny = make_opportunity(owner=rep, amount=Decimal("7000"), currency="CNY", expected_close_date=end)
    for amount, currency in ((Decimal("200"), "USD"), (Decimal("3000"), "CNY")):
        won = make_opportunity(owner=rep, amount=amount, currency=currency, expected_close_date=end)
        services.opportunity_import_stage(opportunity=won, to_stage=stage("closed_won"))
    return {"usd": usd, "cny": cny}


def test_board_totals_each_currency_apart(client, org, two_currencies):
    client.force_login(org["owner"])
    html = client.get(reverse("pipeline:board")).content.decode()
    amounts = {(currency, Decimal(amount)) for amount, currency in
               re.findall(r'data-amount="([0-9.]+)" data-currency="([A-Z]{3})"', html)}
    assert amounts == {("USD", Decimal("1000")), ("CNY", Decimal("7000")), ("USD", Decimal("200")),
                       ("CNY", Decimal("3000"))}
    assert 'data-amount="8000' not in html  # never 1000 USD + 7000 CNY


def test_forecast_api_gives_one_total_per_currency(api, org, two_currencies):
    body = api.as_user(org["mgr"]).get("/api/v1/forecast/").json()
    assert body["currencies"] == ["CNY", "USD"]
    totals = {row["currency"]: row for row in body["totals"]}
    assert (totals["USD"]["pipeline"], totals["USD"]["won"]) == ("1000.00", "200.00")
    assert (totals["CNY"]["pipeline"], totals["CNY"]["won"]) == ("7000.00", "3000.00")
    assert sorted((r["id"], r["currency"]) for r in body["reps"]) == [(org["owner"].pk, "CNY"),
                                                                      (org["owner"].pk, "USD")]
    assert {(r["currency"], r["pipeline"]) for r in body["teams"]} == {("CNY", "7000.00"), ("USD", "1000.00")}


def test_forecast_page_shows_each_currency_apart(client, org, two_currencies):
    client.force_login(org["owner"])
    html = client.get(reverse("pipeline:forecast")).content.decode()
    assert '<dl class="grid" data-currency="USD">' in html and '<dl class="grid" data-currency="CNY">' in html
    assert "8,000" not in html and "8000" not in html


def test_funnel_won_value_is_per_currency(api, org, two_currencies):
    body = api.as_user(org["owner"]).get("/api/v1/metrics/funnel/").json()
    assert body["won_amounts"] == [{"currency": "CNY", "amount": "3000.00"}, {"currency": "USD", "amount": "200.00"}]
    won_row = next(row for row in body["stages"] if row["code"] == "closed_won")
    assert won_row["count"] == 2 and len(won_row["amounts"]) == 2
    assert {(r["currency"], r["amount"]) for r in body["won_value"]["by_owner"]} == {("CNY", "3000.00"),
                                                                                    ("USD", "200.00")}


def test_snapshots_and_accuracy_keep_currencies_apart(org):
    today = timezone.localdate()
    start, end = previous_periods("month", today, 1)[0]
    created = metrics.day_start(start)
    deals = [make_opportunity(owner=org["owner"], amount=amount, currency=currency, expected_close_date=end,
                              created_at=created) for amount, currency in ((Decimal("100"), "USD"),
                                                                           (Decimal("900"), "CNY"))]
    services.forecast_snapshot_take(day=start)
    for opp in deals:
        services.opportunity_import_stage(opportunity=opp, to_stage=stage("closed_won"), at=created)
    snaps = ForecastSnapshot.objects.filter(taken_on=start, period_kind="month", scope="all")
    assert sorted(snaps.values_list("currency", "pipeline")) == [("CNY", Decimal("900")), ("USD", Decimal("100"))]
    rows = metrics.forecast_accuracy(user=org["admin"], queryset=Opportunity.objects.all(), kind="month", day=today,
                                     periods=1)
    everyone = {r["currency"]: r["actual"] for r in rows if r["key"] == "all"}
    assert everyone == {"CNY": Decimal("900.00"), "USD": Decimal("100.00")}
