"""KPI cards: the previous period's value and the change come from KPI snapshots when the viewer's
figures are the snapshots (else they are computed, and the card says which); trends from snapshots."""
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards import panels
from dashboards.comparisons import COMPUTED, SNAPSHOT, previous_period
from dashboards.filter_form import preset_period
from dashboards.models import KpiSnapshot
from salesops.metrics import Period, Scope
from tests.pipeline.factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("period, previous", [
    (Period(date(2026, 3, 1), date(2026, 3, 31)), Period(date(2026, 2, 1), date(2026, 2, 28))),  # whole month
    (Period(date(2026, 3, 1), date(2026, 3, 10)), Period(date(2026, 2, 1), date(2026, 2, 10))),  # month to date
    (Period(date(2026, 5, 1), date(2026, 5, 31)), Period(date(2026, 4, 1), date(2026, 4, 30))),  # whole April
    (Period(date(2026, 4, 1), date(2026, 4, 30)), Period(date(2026, 3, 1), date(2026, 3, 31))),  # whole March
    (Period(date(2026, 4, 1), date(2026, 6, 30)), Period(date(2026, 1, 1), date(2026, 3, 31))),  # whole quarter
    (Period(date(2026, 4, 1), date(2026, 5, 15)), Period(date(2026, 1, 1), date(2026, 2, 14))),  # quarter to date
    (Period(date(2026, 1, 1), date(2026, 3, 1)), Period(date(2025, 1, 1), date(2025, 3, 1))),    # year to date
    (Period(date(2026, 3, 5), date(2026, 3, 14)), Period(date(2026, 2, 23), date(2026, 3, 4))),  # 10 days before
])
def test_previous_period_is_like_for_like(period, previous):
    assert previous_period(period) == previous


def test_all_time_has_no_previous_period():
    assert previous_period(Period.all_time()) is None


def won_on(owner, day, amount="1000"):
    from pipeline import services

    deal = make_opportunity(owner=owner, amount=Decimal(amount))
    at = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=12)
    services.opportunity_import_stage(opportunity=deal, to_stage=stage("closed_won"), at=at)
    return deal


@pytest.fixture
def months(org):
    """Last month (the page's period) and the month before it (the previous period)."""
    today = timezone.localdate()
    page = preset_period("last_month", today)
    before = previous_period(page)
    won_on(org["owner"], page.start)
    won_on(org["outsider"], page.start + timedelta(days=1))
    won_on(org["owner"], before.start)  # the month before: 1 won deal, counted when computed
    return {"today": today, "page": page, "before": before}


def snapshot(code, period, value, *, scope="organisation", scope_id=0, kind="month"):
    return KpiSnapshot.objects.create(metric=code, scope=scope, scope_id=scope_id, period_kind=kind,
                                      period_start=period.start, period_end=period.end, value=Decimal(value),
                                      count=int(Decimal(value)), computed_at=timezone.now())


def tile(board, code):
    return next(t for t in board["tiles"] if t["code"] == code)


def test_the_previous_value_comes_from_the_snapshot_of_the_previous_period(org, months):
    snapshot("deals_won", months["before"], "7")  # the snapshot wins over what a computation gives (1)
    board = panels.build("sales", Scope(org["admin"]), months["page"], months["today"])
    previous = tile(board, "deals_won")["previous"]
    assert (previous.source, previous.value, previous.text) == (SNAPSHOT, 7.0, "7")
    assert (previous.change, previous.change_text, previous.direction, previous.good) == (-5.0, "-5", "down", False)
    assert previous.period == months["before"]


def test_without_a_snapshot_the_previous_value_is_computed(org, months):
    board = panels.build("sales", Scope(org["admin"]), months["page"], months["today"])
    previous = tile(board, "deals_won")["previous"]
    assert (previous.source, previous.value, previous.change, previous.good) == (COMPUTED, 1.0, 1.0, True)


def test_a_manager_compares_their_own_figures_not_the_organisations_snapshot(org, months):
    snapshot("deals_won", months["before"], "7")  # every team's figure: not the manager's
    snapshot("deals_won", months["before"], "3", scope="team", scope_id=org["east"].pk)
    own = panels.build("sales", Scope(org["mgr"]), months["page"], months["today"])
    assert (tile(own, "deals_won")["previous"].source, tile(own, "deals_won")["previous"].value) == (COMPUTED, 1.0)
    team = panels.build("sales", Scope(org["mgr"], team_id=org["east"].pk), months["page"], months["today"])
    assert (tile(team, "deals_won")["previous"].source, tile(team, "deals_won")["previous"].value) == (SNAPSHOT, 3.0)


def test_the_card_shows_the_previous_value_the_change_and_its_source(client, org, months):
    snapshot("deals_won", months["before"], "7")
    client.force_login(org["admin"])
    html = re.sub(r"\s+", " ", client.get("/dashboards/sales/", {"period": "last_month"}).content.decode())
    card = re.search(r'data-kpi="deals_won".*?</div>', html).group(0)
    assert 'data-source="snapshot"' in card and 'data-change="down"' in card
    assert ": 7</span>" in card and 'class="kpi-change bad"' in card and ">-5<" in card
    assert "from KPI snapshot" in card
    from salesops.formats import date_text
    assert date_text(months["before"].start) in card and date_text(months["before"].end) in card
    computed = re.search(r'data-kpi="win_rate".*?</div>', html).group(0)
    assert 'data-source="computed"' in computed and "(computed)" in computed


def test_the_trend_sparkline_plots_the_monthly_snapshots(client, org, months):
    today = months["today"]
    last = (today - timedelta(days=1)).replace(day=1)  # the month holding yesterday
    earlier = (last - timedelta(days=1)).replace(day=1)
    snapshot("deals_won", Period(earlier, earlier + timedelta(days=9)), "2")
    snapshot("deals_won", Period(earlier, (last - timedelta(days=1))), "5")  # the whole month: the latest row wins
    snapshot("deals_won", Period(last, last), "1")
    board = panels.build("sales", Scope(org["admin"]), months["page"], today)
    trend = tile(board, "deals_won")["trend"]
    assert trend["figure"]["data"][0]["y"][-2:] == [5.0, 1.0]
    assert trend["figure"]["data"][0]["x"][-1] == last.strftime("%Y-%m")
    assert f"{earlier:%Y-%m}: 5" in trend["text"]
    assert tile(board, "win_rate")["trend"] is None  # no snapshots, no sparkline
    client.force_login(org["admin"])
    html = client.get("/dashboards/sales/", {"period": "last_month"}).content.decode()
    assert 'data-chart="spark-deals_won"' in html
    script = re.search(r'<script id="spark-deals_won" type="application/json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(script)["data"][0]["y"][-1] == 1.0


def test_all_time_shows_no_comparison(org, months):
    board = panels.build("sales", Scope(org["admin"]), Period.all_time(), months["today"])
    assert tile(board, "deals_won")["previous"] is None


def test_the_demo_leaves_organisation_month_snapshots_once(org, months):
    from dashboards.demo import DEMO_SNAPSHOT_MONTHS, seed_snapshots

    written = seed_snapshots(today=months["today"])
    assert written == KpiSnapshot.objects.count() > 0
    assert set(KpiSnapshot.objects.values_list("scope", "period_kind")) == {("organisation", "month")}
    assert KpiSnapshot.objects.values("period_start").distinct().count() == DEMO_SNAPSHOT_MONTHS
    assert seed_snapshots(today=months["today"]) == 0
    board = panels.build("sales", Scope(org["admin"]), months["page"], months["today"])
    assert tile(board, "deals_won")["previous"].source == SNAPSHOT and tile(board, "deals_won")["previous"].value == 1.0
