"""Funnel figures (pipeline.selectors.metrics) and /api/v1/metrics/funnel/."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pipeline import services
from pipeline.selectors import metrics
from pipeline.models import Opportunity, OpportunityLine, Product

from .factories import make_opportunity, stage

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/funnel/"


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def deal(owner, *, code, amount="1000", created=40, moved=10, via=("needs_confirmed",), product=None):
    opp = make_opportunity(owner=owner, amount=Decimal(amount), created_at=days_ago(created))
    for step in via:
        services.opportunity_import_stage(opportunity=opp, to_stage=stage(step), at=days_ago(moved + 1))
    if code not in via:
        services.opportunity_import_stage(opportunity=opp, to_stage=stage(code), at=days_ago(moved))
    if product:
        OpportunityLine.objects.create(opportunity=opp, product=product, unit_price=Decimal(amount))
    return opp


@pytest.fixture
def funnel(org):
    gtx = Product.objects.create(name="GTX", list_price=Decimal("1"))
    deal(org["owner"], code="closed_won", amount="3000", created=50, moved=10, product=gtx,
         via=("needs_confirmed", "solution_demo", "negotiation"))
    deal(org["owner"], code="closed_won", amount="1000", created=30, moved=20, product=gtx)
    deal(org["teammate"], code="closed_lost", amount="500", moved=5)
    deal(org["outsider"], code="closed_won", amount="7000", moved=5)
    deal(org["owner"], code="needs_confirmed", moved=3)
    deal(org["owner"], code="closed_won", amount="9999", moved=200)  # outside the last 3 months
    return org


class TestFunnelService:
    def figures(self, queryset=None, **kw):
        today = timezone.localdate()
        return metrics.funnel_figures(queryset=queryset if queryset is not None else Opportunity.objects.all(),
                                      start=kw.get("start", today - timedelta(days=90)), end=kw.get("end", today))

    def test_stages_win_rate_and_won_value(self, funnel):
        f = self.figures()
        rows = {row["code"]: (row["count"], row["amounts"]) for row in f["stages"]}
        assert rows["closed_won"] == (3, [{"currency": "CNY", "amount": Decimal("11000")}])
        assert rows["closed_lost"] == (1, [{"currency": "CNY", "amount": Decimal("500")}])
        assert rows["needs_confirmed"] == (1, [{"currency": "CNY", "amount": Decimal("1000")}])
        assert (f["won"], f["lost"], f["win_rate"]) == (3, 1, 75.0)
        by_owner = {r["owner_id"]: r["amount"] for r in f["won_value"]["by_owner"]}
        assert by_owner == {funnel["owner"].pk: Decimal("4000"), funnel["outsider"].pk: Decimal("7000")}
        assert {r["team_id"]: r["amount"] for r in f["won_value"]["by_team"]} == {
            funnel["east"].pk: Decimal("4000"), funnel["west"].pk: Decimal("7000")}
        assert [(r["product_name"], r["amount"]) for r in f["won_value"]["by_product"]] == [("GTX", Decimal("4000"))]
        assert f["won_value"]["by_sector"] == [{"sector": "technology", "currency": "CNY", "deals": 3,
                                                "amount": Decimal("11000")}]

    def test_cycle_is_created_to_closed_of_won_deals(self, funnel):
        cycle = self.figures()["cycle"]
        # won deals: 50-10 = 40 days, 30-20 = 10 days, 40-5 = 35 days
        assert cycle["deals"] == 3 and cycle["median_days"] == 35.0
        assert cycle["average_days"] == pytest.approx(28.3, abs=0.1)

    def test_conversion_comes_from_the_ledger(self, funnel):
        conv = {(c["from_stage"], c["to_stage"]): (c["reached_from"], c["reached_to"]) for c in
                self.figures()["conversion"]}
        assert conv[("lead_identified", "needs_confirmed")] == (5, 5)
        assert conv[("needs_confirmed", "solution_demo")] == (5, 3)  # a won deal passed every stage
        assert conv[("negotiation", "closed_won")] == (3, 3)

    def test_an_empty_period_has_no_rates(self, funnel):
        f = self.figures(start=timezone.localdate() - timedelta(days=900), end=timezone.localdate() - timedelta(days=800))
        assert f["win_rate"] is None and f["cycle"] == {"deals": 0, "average_days": None, "median_days": None}

    def test_query_count_does_not_grow_with_the_data(self, funnel):
        counts = []
        for extra in (0, 10):
            for _i in range(extra):
                deal(funnel["owner"], code="closed_won", moved=4)
            with CaptureQueriesContext(connection) as queries:
                self.figures()
            counts.append(len(queries))
        assert counts[0] == counts[1] <= 12


class TestFunnelApi:
    def test_it_needs_authentication(self, api):
        assert api.get(URL).status_code == 401

    def test_a_rep_sees_own_figures_a_manager_the_teams_an_admin_all(self, api, funnel):
        def won(user, **params):
            body = api.as_user(user).get(URL, params).json()
            return next(r for r in body["stages"] if r["code"] == "closed_won")["count"], body["win_rate"]
        assert won(funnel["owner"]) == (2, 100.0)
        assert won(funnel["teammate"]) == (0, 0.0)
        assert won(funnel["mgr"]) == (2, 66.67)
        assert won(funnel["other_mgr"]) == (1, 100.0)
        assert won(funnel["admin"]) == (3, 75.0)
        assert won(funnel["admin"], team=funnel["west"].pk) == (1, 100.0)
        assert won(funnel["admin"], owner=funnel["owner"].pk) == (2, 100.0)
        assert won(funnel["owner"], owner=funnel["outsider"].pk) == (0, None)  # scoped: not theirs

    def test_period_filters(self, api, funnel):
        today = timezone.localdate()
        body = api.as_user(funnel["admin"]).get(URL, {"start": (today - timedelta(days=365)).isoformat(),
                                                      "end": today.isoformat()}).json()
        assert body["won"] == 4 and body["start"] == (today - timedelta(days=365)).isoformat()
        body = api.as_user(funnel["admin"]).get(URL).json()
        assert body["end"] == today.isoformat() and body["won"] == 3
        assert {"stages", "conversion", "win_rate", "cycle", "won_value"} <= set(body)

    @pytest.mark.parametrize("params,field", [
        ({"start": "2024-02-30"}, "start"), ({"end": "yesterday"}, "end"), ({"team": "abc"}, "team"),
        ({"owner": "0"}, "owner"), ({"owner": "99999999999999999999999"}, "owner"),
        ({"start": "2024-05-01", "end": "2024-04-01"}, "start"), ({"start": "1900-01-01", "end": "2024-01-01"}, "start"),
    ])
    def test_bad_input_is_a_400_naming_the_field(self, api, org, params, field):
        response = api.as_user(org["owner"]).get(URL, params)
        assert response.status_code == 400 and field in response.json()

    def test_it_is_in_the_openapi_schema(self, api, org):
        schema = api.as_user(org["owner"]).get("/api/schema/", HTTP_ACCEPT="application/json").json()
        params = {p["name"] for p in schema["paths"][URL]["get"]["parameters"]}
        assert {"start", "end", "team", "owner"} <= params
        assert "/api/v1/forecast/" in schema["paths"] and "/api/v1/forecast/accuracy/" in schema["paths"]
