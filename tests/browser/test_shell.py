import re

import pytest

from tests.browser.conftest import login, nav_link
from tests.conftest import screenshot_dir
from tests.teams.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_logs_in_and_switches_the_ui_to_chinese(page):
    UserFactory(username="rep.ui", password="pw-for-tests-1", first_name="Li", last_name="Wei")
    login(page, "rep.ui", "pw-for-tests-1")
    assert nav_link(page, "leads").inner_text() == "Leads"
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert nav_link(page, "leads").inner_text() == "线索"
    assert nav_link(page, "dashboards").inner_text() == "仪表盘"
    assert page.url.endswith("/dashboards/sales/") and page.title().startswith("销售仪表盘")  # a rep lands on the sales dashboard
    page.screenshot(path=str(screenshot_dir() / "dashboard-zh-hans.png"), full_page=True)


def test_a_wrong_password_shows_a_clear_error(page):
    UserFactory(username="rep.ui2", password="pw-for-tests-1")
    login(page, "rep.ui2", "wrong-password")
    assert re.search(r"correct username and password", page.locator("main").inner_text())
    assert page.url.endswith("/accounts/login/")


def test_a_rep_creates_a_lead_and_sees_its_completeness(page):
    UserFactory(username="rep.ui3", password="pw-for-tests-1")
    login(page, "rep.ui3", "pw-for-tests-1")
    nav_link(page, "leads").click()
    page.click("main >> text=New lead")  # not the header's "+ New" menu (issue 12)
    page.fill("#id_name", "Ada Lovelace")
    page.fill("#id_email", "not-an-email")
    page.click("main button[type=submit]")
    assert "valid email" in page.locator(".field-errors").inner_text()
    page.fill("#id_email", "ada@example.com")
    page.fill("#id_company", "Analytical Engines")
    page.select_option("#id_industry", "technology")
    page.fill("#id_company_size", "1200")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Lead saved.")
    # 6 of 9 profile fields: name, email, company, industry, company size, source
    assert page.locator("[data-field=completeness]").inner_text() == "66%"
