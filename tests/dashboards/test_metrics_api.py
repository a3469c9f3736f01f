"""GET /api/v1/metrics/ and /api/v1/metrics/{code}/."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.dashboards.test_metric_registry import CONTRACT, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/"


def test_it_needs_authentication(api):
    assert api.get(URL).status_code == 401
    assert api.get(URL + "deals_won/").status_code == 401


def test_the_list_describes_every_metric(api, org):
    body = api.as_user(org["owner"]).get(URL).json()
    by_code = {m["code"]: m for m in body}
    assert CONTRACT <= set(by_code)
    assert by_code["sales_cycle_days"] == {
        "code": "sales_cycle_days", "name": "Sales cycle", "unit": "days", "better": "down",
        "group_by": ["owner", "team"], "app": "pipeline", "description": by_code["sales_cycle_days"]["description"]}


def test_the_list_is_translated(api, org):
    body = api.as_user(org["owner"]).get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert {m["code"] for m in body} >= CONTRACT  # names come from the catalogue once the lead translates


def test_a_metric_with_rows_and_drilldown(api, world):  # noqa: F811
    body = api.as_user(world["admin"]).get(URL + "deals_won/", {"group_by": "team"}).json()
    assert body["value"] == 2 and body["count"] == 2
    assert {row["label"]: row["count"] for row in body["rows"]} == {"East": 1, "West": 1}
    assert body["drilldown"].startswith("/pipeline/?outcome=won&closed_after=")
    east = next(row for row in body["rows"] if row["label"] == "East")
    assert f"team={world['east'].pk}" in east["drilldown"]


def test_money_per_currency_and_all_time(api, world):  # noqa: F811
    body = api.as_user(world["mgr"]).get(URL + "won_value/", {"period": "all"}).json()
    assert body["value"] is None and body["per_currency"] == {"CNY": "3000.0000"}
    assert (body["start"], body["end"]) == (None, None)


def test_a_funnel_stage_row_links_exactly_its_deals(api, client, world):  # noqa: F811
    body = api.as_user(world["admin"]).get(URL + "deals_in_stage/", {"group_by": "stage"}).json()
    won = next(row for row in body["rows"] if row["key"] == "closed_won")
    client.force_login(world["admin"])
    page = client.get(won["drilldown"])
    assert won["count"] == 2 and page.status_code == 200
    assert len(page.context["object_list"]) == 2


def test_a_team_outside_the_users_scope_gives_empty_figures(api, world):  # noqa: F811
    body = api.as_user(world["mgr"]).get(URL + "deals_won/", {"team": world["west"].pk, "group_by": "owner"}).json()
    assert (body["value"], body["count"], body["rows"]) == (0, 0, [])
    body = api.as_user(world["owner"]).get(URL + "won_value/", {"owner": world["outsider"].pk}).json()
    assert body["per_currency"] == {} and body["count"] == 0


@pytest.mark.parametrize("params, field", [
    ({"start": "2026-13-01"}, "start"), ({"start": "1800-01-01"}, "start"),
    ({"start": "2026-05-02", "end": "2026-05-01"}, "start"), ({"group_by": "source"}, "group_by"),
    ({"period": "year"}, "period"), ({"start": ""}, "start"), ({"period": "all", "start": "2026-01-01"}, "period"),
    ({"team": "0"}, "team"),
])
def test_bad_input_is_a_400(api, org, params, field):
    response = api.as_user(org["owner"]).get(URL + "deals_won/", params)
    assert response.status_code == 400 and field in response.json()
    messages = response.json()[field]
    assert isinstance(messages, list) and all(isinstance(m, str) and m for m in messages)  # {"field": ["…"]}


def test_an_unknown_code_is_a_404(api, org):
    assert api.as_user(org["owner"]).get(URL + "no_such_metric/").status_code == 404


def test_the_funnel_api_stays_pipelines(api, org):
    today = timezone.localdate()
    response = api.as_user(org["owner"]).get(URL + "funnel/", {"start": today - timedelta(days=9)})
    assert response.status_code == 200 and "stages" in response.json()


def test_an_unknown_code_with_odd_characters_is_a_json_404(api, org):
    response = api.as_user(org["owner"]).get(URL + "no such.metric!/")
    assert response.status_code == 404 and "no such.metric!" in response.json()["detail"]
