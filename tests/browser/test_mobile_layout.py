"""At a phone's width (390 px) the main pages have no horizontal page scroll, in both languages: the
navigation folds into a menu and wide tables and the board scroll inside their own box. The board and
a deal are photographed (screenshot_dir(), see tests/conftest.py) at desktop and phone width."""
import re
from decimal import Decimal

import pytest

from leads.models import Lead
from teams.models import User
from tests.browser.conftest import login, open_page
from tests.customers.factories import AccountFactory
from tests.pipeline.factories import make_opportunity
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"
NO_PAGE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def records(db):
    """Demo-like records with long names and big amounts, so wide tables would push the page."""
    team = TeamFactory(name="East")
    manager = UserFactory(username="mgr.mobile", password=PASSWORD, role=User.Role.MANAGER, team=team)
    team.manager = manager
    team.save()
    rep = UserFactory(username="rep.mobile", password=PASSWORD, team=team, first_name="Wei", last_name="Li")
    account = AccountFactory(owner=rep, name="Shanghai Finlink Technology Holdings Co.")
    deal = make_opportunity(owner=rep, account=account, name="Shanghai Finlink – Analytics Add-on, three-year",
                            amount=Decimal("1185000"))
    for n in range(3):
        make_opportunity(owner=rep, account=account, amount=Decimal(250000 + n), name=f"Expansion {n}")
    for n in range(12):
        Lead.objects.create(owner=rep, name=f"Zhang Xiaoming {n}", email=f"zhang.xiaoming.{n}@finlink-holdings.example.com",
                            company="Shanghai Finlink Technology Holdings Co.", industry="finance", company_size=1200 + n)
    return {"rep": rep, "manager": manager, "account": account, "deal": deal}


def _pages(records):
    return {
        "deal": f"/pipeline/{records['deal'].pk}/",
        "leads": "/leads/",
        "board": "/pipeline/board/",
        "account": f"/customers/accounts/{records['account'].pk}/",
        "dashboard": "/",
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_main_pages_have_no_horizontal_scroll_at_390_px(browser, live_server, records, language, screenshots):
    ctx, page, errors = open_page(browser, live_server, language, viewport={"width": 390, "height": 844})
    try:
        login(page, "mgr.mobile", PASSWORD)
        wide = {}
        for name, path in _pages(records).items():
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == language
            if not page.evaluate(NO_PAGE_SCROLL):
                wide[name] = page.evaluate("document.documentElement.scrollWidth")
            if name in ("board", "deal"):
                screenshots(page, name, language, width=390)
        assert wide == {}, f"pages wider than 390 px: {wide}"
        # the navigation is folded into the menu: its links are hidden until the menu opens
        page.goto("/leads/")
        assert not page.locator("[data-nav=pipeline]").is_visible()
        page.click(".navmenu-toggle")
        page.click("details[data-navgroup=pipeline] > summary")
        page.click("[data-nav=board]")
        page.wait_for_url("**/pipeline/board/")
        assert page.evaluate(NO_PAGE_SCROLL)
        board = page.locator(".board, [data-board]").first
        assert board.evaluate("el => getComputedStyle(el).overflowX") in ("auto", "scroll")
        assert errors == []
    finally:
        ctx.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_screenshots_of_the_board_and_a_deal(browser, live_server, records, language, screenshots):
    ctx, page, errors = open_page(browser, live_server, language, viewport={"width": 1280, "height": 900})
    try:
        login(page, "rep.mobile", PASSWORD)
        page.goto("/pipeline/board/")
        page.wait_for_selector(f'article[data-opportunity="{records["deal"].pk}"]')
        board = screenshots(page, "board", language)
        page.goto(f"/pipeline/{records['deal'].pk}/")
        amount = page.locator("main").inner_text()
        assert "1,185,000 CNY" in amount  # grouped by thousands in both languages
        deal = screenshots(page, "deal", language)
        assert board.stat().st_size > 10_000 and deal.stat().st_size > 10_000
        assert errors == []
    finally:
        ctx.close()


def test_plotly_toolbar_speaks_chinese_on_chinese_pages(browser, live_server, records):
    """The lead quality chart's toolbar: every tooltip in Chinese, and no button that uploads to Plotly's cloud."""
    ctx, page, errors = open_page(browser, live_server, "zh-hans")
    try:
        login(page, "mgr.mobile", PASSWORD)
        page.goto("/leads/quality/")
        page.wait_for_selector("[data-chart][data-rendered]")
        titles = page.eval_on_selector_all(".modebar-btn", "buttons => buttons.map(b => b.dataset.title)")
        assert titles and all(re.search(r"[\u4e00-\u9fff]", title or "") for title in titles), titles
        assert errors == []
    finally:
        ctx.close()
