"""Issue 13: what an import could not know stays unknown in every figure — deals without an amount or an
expected close date (the forecast's undated pipeline), deals without a date (no dated period), and the
amount becomes known when someone gives it."""
from decimal import Decimal

import pytest
from django.utils import timezone

from pipeline import services
from pipeline.models import Opportunity
from tests.pipeline.factories import make_opportunity

pytestmark = pytest.mark.django_db


def test_open_deals_without_a_close_date_are_undated_pipeline_with_their_estimate_apart(api, org):
    dated = make_opportunity(owner=org["owner"], amount=Decimal("100"), expected_close_date=timezone.localdate())
    known = make_opportunity(owner=org["owner"], amount=Decimal("250"))
    unknown = make_opportunity(owner=org["owner"], amount=Decimal("0"))
    Opportunity.objects.filter(pk=unknown.pk).update(amount_known=False, amount_estimate=Decimal("4821"))
    body = api.as_user(org["owner"]).get("/api/v1/forecast/").json()
    assert body["undated"] == [{"currency": "CNY", "deals": 2, "amount": "250.00", "amount_unknown": 1,
                                "estimate": "4821.00"}]
    assert body["totals"][0]["pipeline"] == "100.00"  # the dated deal only, as before
    assert dated.pk and known.pk
    # the page shows them, the estimate labelled as one
    from django.test import Client

    client = Client()
    client.force_login(org["owner"])
    page = client.get("/pipeline/forecast/").content.decode()
    assert 'id="forecast-undated"' in page and "est. 4,821 CNY" in page
    detail = client.get(f"/pipeline/{unknown.pk}/").content.decode()
    assert 'data-estimate="4821.00"' in detail and 'data-amount=""' in detail


def test_deals_of_unknown_date_are_in_no_dated_period_but_in_period_all(api, org):
    deal = make_opportunity(owner=org["owner"])
    client = api.as_user(org["owner"])
    today = timezone.localdate().isoformat()
    before = client.get("/api/v1/metrics/funnel/", {"start": today, "end": today}).json()
    assert sum(row["count"] for row in before["stages"]) == 1
    Opportunity.objects.filter(pk=deal.pk).update(date_unknown=True)
    dated = client.get("/api/v1/metrics/funnel/", {"start": today, "end": today}).json()
    assert sum(row["count"] for row in dated["stages"]) == 0
    every = client.get("/api/v1/metrics/funnel/", {"period": "all"}).json()
    assert sum(row["count"] for row in every["stages"]) == 1 and every["start"] is None
    assert client.get("/api/v1/metrics/deals_created/", {"period": "all"}).json()["count"] == 1
    assert client.get("/api/v1/metrics/deals_created/").json()["count"] == 0
    assert client.get("/api/v1/opportunities/", {"created_after": today}).json()["count"] == 0
    assert client.get("/api/v1/opportunities/", {"date_unknown": "true"}).json()["count"] == 1
    from django.test import Client

    page = Client()
    page.force_login(org["owner"])
    html = page.get(f"/pipeline/{deal.pk}/").content.decode()
    assert html.count("Date unknown (the imported file gave none)") == 2  # in stage since, created


def test_giving_the_amount_an_import_lacked_makes_it_known(org):
    deal = make_opportunity(owner=org["owner"], amount=Decimal("0"))
    Opportunity.objects.filter(pk=deal.pk).update(amount_known=False, amount_estimate=Decimal("55"))
    deal.refresh_from_db()
    services.opportunity_update(opportunity=deal, by=org["owner"], name="Renamed")
    deal.refresh_from_db()
    assert not deal.amount_known  # an edit that leaves the amount alone says nothing about it
    services.opportunity_update(opportunity=deal, by=org["owner"], amount=Decimal("60"))
    deal.refresh_from_db()
    assert deal.amount_known and deal.amount == Decimal("60") and deal.amount_estimate == Decimal("55")
