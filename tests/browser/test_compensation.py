"""A manager reviews a rep's payout statement and approves it, in English and in Chinese, on a phone."""
import re

import pytest

from teams.models import Payout, User
from teams.services import compensation as comp
from tests.browser.conftest import login
from tests.teams.compensation_fixtures import compute_q3, fake_metrics, seed_plan  # noqa: F401
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-1"


@pytest.mark.parametrize("language, approve_label, approved_label", [
    ("en", "Approve", "Approved"), ("zh-hans", "批准", "已批准")])
def test_a_manager_reviews_and_approves_a_statement(browser, live_server, fake_metrics, language,  # noqa: F811
                                                    approve_label, approved_label):
    team = TeamFactory(name="Pay team")
    manager = UserFactory(username="mgr.pay", role=User.Role.MANAGER, team=team)
    team.manager = manager
    team.save()
    rep = UserFactory(username="rep.pay", first_name="Li", last_name="Wei", team=team)
    admin = UserFactory(username="admin.pay", role=User.Role.ADMIN, is_superuser=True)
    plan = seed_plan(admin)
    comp.plan_assign(by=admin, plan=plan, user=rep, starts_on=plan.effective_from)
    for code, value in (("quota_attainment", 110), ("csat", 90), ("data_completeness", 80)):
        fake_metrics.set(code, rep, value)
    payout = compute_q3(plan, rep)

    ctx = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844})
    if language != "en":
        ctx.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        login(page, manager.username, PASSWORD)
        page.wait_for_url(re.compile(r"/dashboards/"))
        page.goto("/org/payouts/")
        assert page.locator("html").get_attribute("lang") == language
        row = page.locator(f"[data-payout='{payout.pk}']")
        assert "10000.00" in row.inner_text().replace(",", "")  # zh-hans writes no thousands separator
        row.locator("a").last.click()
        page.wait_for_url(f"**/org/pay/{payout.pk}/")
        lines = page.locator("[data-table=payout-lines] tr[data-line]")
        assert lines.count() == 3
        assert [lines.nth(i).locator("[data-contribution]").inner_text().replace(",", "") for i in range(3)] == [
            "6600.00", "1800.00", "1600.00"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        assert page.locator("[data-approve] button").inner_text() == approve_label
        page.locator("[data-approve] button").click()
        page.wait_for_selector("[data-status=approved]")
        assert page.locator("[data-status]").inner_text() == approved_label
        assert page.locator("[data-approve]").count() == 0
    finally:
        ctx.close()
    assert Payout.objects.get(pk=payout.pk).status == "approved"
