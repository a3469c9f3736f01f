"""Dashboard pages: each role lands on its own, every figure is the registry's, filters stay in scope,
CSV export of every table."""
import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards import panels
from dashboards.filter_form import DashboardFilterForm, preset_period
from salesops import metrics
from salesops.metrics import Period, Scope
from teams.models import User
from teams.predicates import default_dashboard_for
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import make_opportunity, stage
from tests.teams.factories import UserFactory

from .fake_metrics import fake_metrics

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registry():
    with fake_metrics():
        yield


@pytest.fixture
def deals(org):
    """East: owner 2 deals (one won), teammate 1; West: outsider 1 won."""
    from pipeline import services

    won = make_opportunity(owner=org["owner"], amount=Decimal("3000"))
    make_opportunity(owner=org["owner"], amount=Decimal("1000"))
    make_opportunity(owner=org["teammate"], amount=Decimal("500"))
    west = make_opportunity(owner=org["outsider"], amount=Decimal("7000"))
    for deal in (won, west):
        services.opportunity_import_stage(opportunity=deal, to_stage=stage("closed_won"), at=timezone.now())
    return org


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def kpi(response, code) -> str:
    match = re.search(rf'data-kpi="{code}".*?class="kpi-value"[^>]*>([^<]*)<', page_text(response))
    return match.group(1).strip() if match else ""


@pytest.mark.parametrize("role, expected", [
    (User.Role.REP, "sales"), (User.Role.MANAGER, "sales"), (User.Role.MARKETING, "marketing"),
    (User.Role.SUCCESS, "success"), (User.Role.SUPPORT, "success"), (User.Role.PRODUCT, "success"),
    (User.Role.ADMIN, "executive"),
])
def test_each_role_lands_on_its_dashboard(client, role, expected):
    user = UserFactory(role=role)
    assert default_dashboard_for(user) == expected
    client.force_login(user)
    response = client.get("/?period=this_month")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboards/{expected}/?period=this_month"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'data-dashboard="{expected}"' in page.content.decode()


def test_anonymous_users_log_in_first(client):
    assert client.get("/").status_code == 302
    assert client.get("/dashboards/sales/")["Location"].startswith("/accounts/login/")


def test_an_unknown_dashboard_is_not_found(client, org):
    client.force_login(org["mgr"])
    assert client.get("/dashboards/nothing/").status_code == 404


def test_the_managers_numbers_are_the_registrys_and_hold_only_their_team(client, deals):
    client.force_login(deals["mgr"])
    response = client.get("/dashboards/sales/")
    scope = Scope(user=deals["mgr"])
    period = preset_period("last_3_months", timezone.localdate())
    won = metrics.get("won_value").compute(scope, period)
    assert won.per_currency == {"CNY": Decimal("3000")}  # East's won deal, not West's 7000
    assert kpi(response, "won_value") == "3,000 CNY"
    assert kpi(response, "deals_won") == str(metrics.get("deals_won").compute(scope, period).value) == "1"
    assert "outsider" not in response.content.decode()
    # the funnel table: one row per stage, counts equal the registry's breakdown, and each count's
    # link lists exactly the deals it counts
    rows = metrics.get("deals_in_stage").breakdown(scope, period, "stage")
    html = page_text(response)
    for row in rows:
        match = re.search(rf"<td>{re.escape(str(row.label))}</td><td class=\"num\"><a href=\"([^\"]+)\">"
                          rf"{row.value}</a>", html)
        assert match, row.label
        listed = client.get(match.group(1).replace("&amp;", "&")).content.decode()
        assert listed.count("data-opportunity=") == row.value, row.label
    assert sum(row.value for row in rows) == 3


def test_a_metric_nobody_registered_shows_not_available(client, org):
    client.force_login(org["mgr"])
    metrics._metrics.pop("win_rate", None)
    response = client.get("/dashboards/sales/")
    assert kpi(response, "win_rate") == panels.NOT_AVAILABLE
    assert "Not available yet" in response.content.decode()


def test_leaderboard_ranks_reps_by_won_value_with_links_to_their_deals(client, deals):
    client.force_login(deals["admin"])
    response = client.get("/dashboards/sales/?period=all")
    section = re.search(r'data-table="leaderboard".*?</table>', page_text(response)).group(0)
    names = re.findall(r"<tr><td>([^<]+)</td>", section)
    assert names == [deals["outsider"].get_full_name(), deals["owner"].get_full_name()]
    link = re.search(r'<a href="([^"]+)">7,000 CNY</a>', section).group(1).replace("&amp;", "&")
    listed = client.get(link).content.decode()
    assert listed.count("data-opportunity=") == 1 and deals["outsider"].get_full_name() in listed


def test_pickers_offer_names_from_the_viewers_scope_only(client, deals):
    client.force_login(deals["mgr"])
    html = client.get("/dashboards/sales/").content.decode()
    team_select = re.search(r'<select name="team".*?</select>', html, re.S).group(0)
    owner_select = re.search(r'<select name="owner".*?</select>', html, re.S).group(0)
    assert ">East<" in team_select and ">West<" not in team_select
    assert deals["owner"].get_full_name() in owner_select
    assert deals["outsider"].get_full_name() not in owner_select


def test_a_manager_cannot_pick_another_team_or_its_rep(client, deals):
    client.force_login(deals["mgr"])
    response = client.get(f"/dashboards/sales/?team={deals['west'].pk}&owner={deals['outsider'].pk}")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert kpi(response, "won_value") == "3,000 CNY"  # the defaults: their own team, never West


def test_narrowing_to_a_rep_shows_the_reps_numbers(client, deals):
    client.force_login(deals["mgr"])
    response = client.get(f"/dashboards/sales/?owner={deals['teammate'].pk}")
    assert kpi(response, "deals_won") == "0"
    assert kpi(response, "won_value") == "0"
    form = DashboardFilterForm({"owner": str(deals["teammate"].pk)}, user=deals["mgr"], today=date(2026, 12, 1))
    assert form.get_scope() == Scope(user=deals["mgr"], owner_id=deals["teammate"].pk)


def test_a_rep_outside_the_picked_team_is_an_error(deals):
    form = DashboardFilterForm({"team": str(deals["east"].pk), "owner": str(deals["outsider"].pk)},
                               user=deals["admin"], today=date(2026, 12, 1))
    assert not form.is_valid()
    assert "is not a member of East" in str(form.errors["owner"])
    assert form.get_scope() == Scope(user=deals["admin"])


@pytest.mark.parametrize("data, error", [
    ({"period": "custom", "start": "2026-05-01"}, "need both a start and an end"),
    ({"period": "custom", "start": "2026-05-02", "end": "2026-05-01"}, "must not be after"),
    ({"period": "decade"}, "Select a valid choice"),
    ({"period": "custom", "start": "yesterday", "end": "2026-05-01"}, "Enter a valid date"),
])
def test_bad_filters_get_a_clear_error_and_the_default_period(client, org, data, error):
    client.force_login(org["mgr"])
    response = client.get("/dashboards/sales/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert response.context["period"] == preset_period("last_3_months", timezone.localdate())


@pytest.mark.parametrize("preset, expected", [
    ("last_3_months", Period(date(2026, 9, 15), date(2026, 12, 15))),
    ("this_month", Period(date(2026, 12, 1), date(2026, 12, 15))),
    ("last_month", Period(date(2026, 11, 1), date(2026, 11, 30))),
    ("this_quarter", Period(date(2026, 10, 1), date(2026, 12, 15))),
    ("this_year", Period(date(2026, 1, 1), date(2026, 12, 15))),
    ("all", Period(None, None)),
])
def test_period_presets(preset, expected):
    assert preset_period(preset, date(2026, 12, 15)) == expected


def test_a_custom_period_reaches_the_metrics(org):
    form = DashboardFilterForm({"period": "custom", "start": "2026-01-01", "end": "2026-03-31"}, user=org["mgr"],
                               today=date(2026, 12, 1))
    assert form.get_period() == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert form.query_string() == "period=custom&start=2026-01-01&end=2026-03-31"


def test_csv_export_of_one_table_and_of_all(client, deals):
    client.force_login(deals["admin"])
    response = client.get("/dashboards/sales/?period=all&format=csv&table=leaderboard")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Rep"
    assert rows[1][0] == deals["outsider"].get_full_name() and "7,000 CNY" in rows[1]
    everything = client.get("/dashboards/sales/?period=all&format=csv").content.decode("utf-8-sig")
    assert everything.startswith("Funnel\r\n") and "Rep leaderboard" in everything
    assert client.get("/dashboards/sales/?format=csv&table=nope").status_code == 404


def test_every_table_has_a_csv_link_and_every_chart_a_table(client, deals):
    client.force_login(deals["admin"])
    html = client.get("/dashboards/sales/?period=all").content.decode()
    tables = re.findall(r'data-table="([a-z-]+)"', html)
    assert {"funnel", "leaderboard"} <= set(tables)
    for table in tables:
        assert f'data-csv="{table}"' in html
    for chart in re.findall(r'data-chart="chart-([a-z-]+)-\d"', html):
        assert f'data-table="{chart}"' in html


def test_marketing_dashboard_lead_quality_and_scoring_changes(client, org):
    LeadFactory.create_batch(2, owner=org["owner"], source="website")
    LeadFactory(owner=org["owner"], source="referral")
    client.force_login(org["marketing"])
    response = client.get("/dashboards/marketing/")
    html = page_text(response)
    assert kpi(response, "lead_volume") == "3"
    rows = {row.key: row for row in metrics.get("lead_volume").breakdown(Scope(user=org["marketing"]),
                                                                         preset_period("last_3_months",
                                                                                       timezone.localdate()),
                                                                         "source")}
    assert rows["website"].value == 2
    assert re.search(rf"<td>{rows['website'].label}</td><td class=\"num\"><a [^>]*>2</a>", html)
    assert 'data-section="scoring"' in html
    assert "/leads/scoring/" in html  # the scoring pages (rule sets and their backtests)
    assert 'data-section="backtest"' in html


def test_executive_dashboard_says_when_there_are_no_goals(client, org):
    client.force_login(org["admin"])
    html = client.get("/dashboards/executive/").content.decode()
    assert 'data-section="goals"' in html
    assert "No goals have been set." in html


def test_goals_board_shows_progress_against_the_prorated_target_within_scope(client, org):
    from dashboards.models import Goal

    today = timezone.localdate()
    start = today - timedelta(days=50)
    Goal.objects.create(metric="deals_won", baseline=Decimal("10"), target=Decimal("30"), current=Decimal("15"),
                        better="up", start=start, deadline=start + timedelta(days=100), pace="at_risk")
    Goal.objects.create(metric="deals_won", scope="team", team=org["west"], baseline=Decimal("1"),
                        target=Decimal("2"), better="up", start=start, deadline=start + timedelta(days=100))
    client.force_login(org["mgr"])
    html = page_text(client.get("/dashboards/executive/"))
    goals = re.search(r'data-table="goals".*?</table>', html).group(0)
    assert goals.count("<tr><td>") == 1  # the organisation's goal; West's is not the manager's
    assert "<td class=\"num\">25 %</td><td class=\"num\">50 %</td><td>At risk</td>" in goals
    assert 'data-chart="chart-goals-0"' in html


def test_chinese_pages_load_the_plotly_locale(client, org):
    client.force_login(org["mgr"])
    html = client.get("/dashboards/sales/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-plotly-locale="zh-CN"' in html and "plotly-locales/zh-cn.js" in html
    english = client.get("/dashboards/sales/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "plotly-locales" not in english


def test_the_plotly_locale_is_served_as_a_static_file(client):
    from django.contrib.staticfiles import finders

    path = finders.find("plotly-locales/zh-cn.js")
    assert path and "name: 'zh-CN'" in open(path, encoding="utf-8").read()


def test_the_mql_trend_is_the_registrys_value_for_each_month(client, org):
    LeadFactory.create_batch(2, owner=org["owner"], mql_at=timezone.now())
    client.force_login(org["marketing"])
    response = client.get("/dashboards/marketing/?period=this_year")
    section = next(s for s in response.context["sections"] if s.id == "mql-trend")
    today = timezone.localdate()
    months = panels.month_windows(preset_period("this_year", today), today)
    assert [row[0].text for row in section.rows] == [m.start.strftime("%Y-%m") for m in months]
    metric = metrics.get("mql_count")
    for row, month in zip(section.rows, months):
        assert row[1].text == f"{metric.compute(Scope(user=org['marketing']), month).value:,}"
    assert section.rows[-1][1].text == "2"
