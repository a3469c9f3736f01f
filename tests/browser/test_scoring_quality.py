"""The backtest page's quality-on-history charts render in a browser, in English and Chinese (plotly's
toolbar in Chinese too), with no console error, and the page fits a 390 px wide phone."""
import pytest
from django.utils import timezone

from leads.models import RuleSet
from teams.models import User
from tests.browser.conftest import login, open_page
from tests.leads.factories import LeadFactory
from tests.teams.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_quality_charts_render_on_a_phone(browser, live_server, language):
    marketer = UserFactory(username="mkt.quality", role=User.Role.MARKETING)
    for index in range(12):
        LeadFactory(industry="technology" if index % 2 else "retail", company_size=5000 if index % 3 else 10,
                    converted_at=timezone.now() if index % 4 == 1 else None)
    rule_set = RuleSet.objects.get(status=RuleSet.Status.PUBLISHED)
    ctx, page, errors = open_page(browser, live_server, language, viewport={"width": 390, "height": 844})
    try:
        login(page, marketer.username, "pw-for-tests-1")
        page.wait_for_load_state()
        page.goto(f"/leads/scoring/{rule_set.pk}/?backtest=1#quality")
        for chart in ("quality-grades-data", "quality-lift-data"):
            page.locator(f'[data-chart="{chart}"][data-rendered="1"]').wait_for()
        assert page.locator("#quality-grades tbody tr").count() == 3
        assert page.locator("#quality-deciles tbody tr").count() == 10
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if language == "zh-hans":
            assert page.locator("[data-plotly-locale]").get_attribute("data-plotly-locale") == "zh-CN"
        assert errors == []
    finally:
        ctx.close()
