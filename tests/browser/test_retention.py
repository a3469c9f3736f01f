"""The retention page in a browser (h6): its charts render with no console error in English and Chinese,
and it fits a 390 px wide phone."""
import pytest

from tests.browser.conftest import login
from tests.customers.retention_fixture import build
from tests.teams.factories import TeamFactory, UserFactory
from teams.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"
QUERY = "?period=custom&start=2026-01-01&end=2026-01-31"


@pytest.fixture
def org_world():
    east, west = TeamFactory(name="East"), TeamFactory(name="West")
    org = {"owner": UserFactory(username="owner.ret", team=east), "outsider": UserFactory(username="out.ret", team=west),
           "admin": UserFactory(username="admin.ret", role=User.Role.ADMIN)}
    build(org)
    return org


def open_page(browser, live_server, user, language, **context):
    ctx = browser.new_context(base_url=live_server.url, locale="en-US", **context)
    if language != "en":
        ctx.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, user.username, PASSWORD)
    page.wait_for_load_state()
    page.goto("/customers/retention/" + QUERY)
    charts = page.locator("[data-chart]")
    for index in range(charts.count()):
        charts.nth(index).locator(".main-svg").first.wait_for()
    return ctx, page, errors


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_charts_render(browser, live_server, org_world, language):
    ctx, page, errors = open_page(browser, live_server, org_world["admin"], language)
    try:
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("[data-chart]").count() == 3
        assert page.locator("[data-chart][data-rendered]").count() == 3
        assert page.locator('[data-kpi="logo_churn_rate"] .kpi-value').inner_text() == "40.0 %"
        assert errors == []
    finally:
        ctx.close()


def test_it_fits_a_390_px_phone(browser, live_server, org_world):
    ctx, page, errors = open_page(browser, live_server, org_world["owner"], "en", viewport={"width": 390, "height": 844})
    try:
        overflow = page.evaluate("document.querySelector('main').scrollWidth - window.innerWidth")
        assert overflow <= 0
        width = page.locator("#section-contract_type [data-chart]").first.bounding_box()["width"]
        assert 200 < width <= 390
        page.click("#section-contract_type [data-toggle-table]")
        assert page.locator("#table-contract_type").bounding_box()["width"] > 100
        assert errors == []
    finally:
        ctx.close()
