"""Suggest weights in a browser, on a 390 px phone, in English and Chinese: from the rule set's
backtest to the suggestion (the eager job runs on submit), its lift chart, and its draft's editor."""
import pytest

from leads.models import RuleSet
from teams.models import User
from tests.browser.conftest import login, open_page
from tests.conftest import screenshot_dir
from tests.leads.suggest_data import make_history
from tests.teams.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_suggest_weights_from_the_rule_set_page_on_a_phone(browser, live_server, language):
    marketer = UserFactory(username=f"mkt.suggest.{language}", role=User.Role.MARKETING)
    make_history(UserFactory(username=f"rep.suggest.{language}"), n=200)
    rule_set = RuleSet.objects.get(status=RuleSet.Status.PUBLISHED)
    ctx, page, errors = open_page(browser, live_server, language, viewport={"width": 390, "height": 844})
    try:
        login(page, marketer.username, "pw-for-tests-1")
        page.wait_for_load_state()
        page.goto(f"/leads/scoring/{rule_set.pk}/")
        page.click('[data-action="suggest-weights"]')
        page.fill('input[name="held_out_percent"]', "30")
        page.click('[data-action="start-suggestion"]')
        page.locator('[data-suggestion-status="done"]').wait_for()
        page.locator('[data-chart="suggestion-lift-data"][data-rendered="1"]').wait_for()
        assert page.locator("#suggestion-deciles tbody tr").count() == 10
        assert float(page.locator("[data-auc-suggested]").inner_text()) > float(
            page.locator("[data-auc-base]").inner_text())
        assert page.locator("[data-rule-points]").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(screenshot_dir() / f"suggest-weights-390-{language}.png"), full_page=True)
        page.click('[data-action="edit-draft"]')
        page.wait_for_url("**/edit/")
        assert page.locator("html").get_attribute("lang") == language
        assert errors == []
    finally:
        ctx.close()
