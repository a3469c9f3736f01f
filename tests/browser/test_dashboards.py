"""Dashboards in a browser: each role lands on its dashboard and its charts render with no console
error, in English and Chinese (plotly's own toolbar in Chinese too); a click on a funnel stage lists
exactly the deals counted there; the page fits a 390 px wide phone."""
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from pipeline import services
from teams.models import User
from tests.browser.conftest import login, open_page
from tests.dashboards.fake_metrics import fake_metrics
from tests.pipeline.factories import make_opportunity, stage
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def registry():
    with fake_metrics():
        yield


@pytest.fixture
def people():
    east = TeamFactory(name="East")
    manager = UserFactory(username="mgr.dash", role=User.Role.MANAGER, team=east)
    east.manager = manager
    east.save()
    rep = UserFactory(username="rep.dash", team=east)
    for index in range(3):
        make_opportunity(owner=rep, name=f"Open deal {index}", amount=Decimal("1000"))
    moved = make_opportunity(owner=rep, name="Confirmed deal", amount=Decimal("2000"))
    services.opportunity_import_stage(opportunity=moved, to_stage=stage("needs_confirmed"), at=timezone.now())
    won = make_opportunity(owner=manager, name="Won deal", amount=Decimal("5000"))
    services.opportunity_import_stage(opportunity=won, to_stage=stage("closed_won"), at=timezone.now())
    return {
        User.Role.MANAGER: manager,
        User.Role.MARKETING: UserFactory(username="mkt.dash", role=User.Role.MARKETING),
        User.Role.ADMIN: UserFactory(username="admin.dash", role=User.Role.ADMIN),
        User.Role.SUCCESS: UserFactory(username="cs.dash", role=User.Role.SUCCESS),
    }


def open_dashboard(browser, live_server, user, language, **context):
    ctx, page, errors = open_page(browser, live_server, language, **context)
    login(page, user.username, PASSWORD)
    page.wait_for_url(re.compile(r"/dashboards/\w+/"))
    charts = page.locator("[data-chart]")
    for index in range(charts.count()):
        charts.nth(index).locator(".main-svg").first.wait_for()
    return ctx, page, errors


LANDING = {User.Role.MANAGER: "sales", User.Role.MARKETING: "marketing", User.Role.ADMIN: "executive",
           User.Role.SUCCESS: "success"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", list(LANDING))
def test_each_role_lands_on_its_dashboard_and_its_charts_render(browser, live_server, people, role, language):
    ctx, page, errors = open_dashboard(browser, live_server, people[role], language)
    try:
        assert page.url.endswith(f"/dashboards/{LANDING[role]}/")
        assert page.locator("html").get_attribute("lang") == language
        charts = page.locator("[data-chart]")
        if role in (User.Role.MANAGER, User.Role.ADMIN):
            assert charts.count() >= 1
        assert page.locator("[data-chart][data-rendered]").count() == charts.count()
        if charts.count():
            tooltip = charts.first.locator(".modebar-btn").first.get_attribute("data-title")
            assert bool(re.search(r"[\u4e00-\u9fff]", tooltip or "")) == (language == "zh-hans"), tooltip
        assert errors == []
    finally:
        ctx.close()


def test_a_click_on_a_funnel_stage_lists_exactly_the_deals_counted(browser, live_server, people):
    ctx, page, errors = open_dashboard(browser, live_server, people[User.Role.MANAGER], "en")
    try:
        funnel = page.locator("#section-funnel [data-chart]").first
        rows = page.locator("#section-funnel tbody tr")
        counted = {}
        for index in range(rows.count()):
            cells = rows.nth(index).locator("td")
            counted[cells.nth(0).inner_text()] = int(cells.nth(1).inner_text())
        assert counted["Needs confirmed"] == 1 and sum(counted.values()) == 5
        first_stage = next(iter(counted))  # the widest bar: 3 open deals
        funnel.scroll_into_view_if_needed()  # below the KPI cards on a short window
        box = funnel.locator(".point").first.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_url(re.compile(r"/pipeline/\?.*\bstage=\d+"))
        listed = page.locator("tr[data-opportunity]")
        assert listed.count() == counted[first_stage] == 3
        assert sorted(listed.locator("td:first-child a").all_inner_texts()) == [f"Open deal {i}" for i in range(3)]
        assert errors == []
    finally:
        ctx.close()


def test_the_sales_dashboard_fits_a_390_px_phone(browser, live_server, people):
    ctx, page, errors = open_dashboard(browser, live_server, people[User.Role.MANAGER], "en",
                                       viewport={"width": 390, "height": 844})
    try:
        overflow = page.evaluate("document.querySelector('main').scrollWidth - window.innerWidth")
        assert overflow <= 0
        width = page.locator("#section-funnel [data-chart]").first.bounding_box()["width"]
        assert 200 < width <= 390
        page.click("#section-funnel [data-toggle-table]")
        assert page.locator("#table-funnel").bounding_box()["width"] > 100
        assert errors == []
    finally:
        ctx.close()


def test_screenshots_for_the_notes(browser, live_server, people):
    """Not an assertion of looks: keeps a picture of each dashboard in test-artifacts/ for review."""
    from pathlib import Path

    artifacts = Path("test-artifacts")
    artifacts.mkdir(exist_ok=True)
    for role, language, width in ((User.Role.MANAGER, "zh-hans", 390), (User.Role.MANAGER, "en", 1280),
                                  (User.Role.MARKETING, "en", 1280), (User.Role.ADMIN, "en", 1280)):
        ctx, page, errors = open_dashboard(browser, live_server, people[role], language,
                                           viewport={"width": width, "height": 900})
        try:
            page.screenshot(path=str(artifacts / f"dashboard-{LANDING[role]}-{language}-{width}.png"), full_page=True)
            assert errors == []
        finally:
            ctx.close()


def test_goal_lines_and_snapshot_sparklines_render(browser, live_server, people):
    """A goal on a charted metric draws its lines in the chart's legend; a KPI card with monthly
    snapshots draws its sparkline; the cards say where the previous period's value comes from."""
    from datetime import timedelta

    from dashboards.models import Goal, KpiSnapshot
    from tests.leads.factories import LeadFactory

    today = timezone.localdate()
    LeadFactory.create_batch(2, owner=people[User.Role.MANAGER], mql_at=timezone.now())
    Goal.objects.create(metric="mql_to_opportunity", baseline=Decimal("15"), target=Decimal("25"), better="up",
                        start=today - timedelta(days=30), deadline=today + timedelta(days=60))
    last = (today - timedelta(days=1)).replace(day=1)
    for months_back, value in ((2, "40"), (1, "55"), (0, "60")):
        start = last
        for _ in range(months_back):
            start = (start - timedelta(days=1)).replace(day=1)
        KpiSnapshot.objects.create(metric="win_rate", scope="organisation", scope_id=0, period_kind="month",
                                   period_start=start, period_end=start, value=Decimal(value), count=1,
                                   computed_at=timezone.now())
    for language in ("en", "zh-hans"):
        ctx, page, errors = open_dashboard(browser, live_server, people[User.Role.ADMIN], language)
        try:
            spark = page.locator('[data-kpi="win_rate"] [data-trend]')
            assert spark.get_attribute("data-rendered") == "1"
            assert page.locator('[data-kpi="win_rate"] [data-compare]').count() == 1
            page.goto(f"{live_server.url}/dashboards/marketing/")
            chart = page.locator("#section-mql-to-opportunity [data-chart]").first
            chart.locator(".main-svg").first.wait_for()
            legend = chart.locator(".legend").first.text_content()
            assert "25.0" in legend and "18.3" in legend  # the target and the pro-rated target today
            assert page.locator("#section-mql-to-opportunity [data-goal-line]").count() == 1
            assert errors == []
        finally:
            ctx.close()
