"""The learnt win probability in a browser on a 390 px phone: the forecast page's Brier-per-quarter and
calibration charts render (English and Chinese) with no console error, and the deal page lists the
factors behind the model probability; neither page scrolls sideways."""
import pytest

from pipeline.services import winprob as winprob_services
from tests.browser.conftest import login, open_page
from tests.pipeline.test_winprob_services import closed_history, open_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_model_figures_and_factors_fit_a_phone(browser, live_server, org, language):
    closed_history(org)
    deal = open_deal(org, 3)
    model = winprob_services.win_model_request(activate="yes")
    winprob_services.win_model_train(model_id=model.pk)
    winprob_services.win_probabilities_score()
    ctx, page, errors = open_page(browser, live_server, language, viewport={"width": 390, "height": 844})
    try:
        login(page, org["mgr"].username, "pw-for-tests-1")
        page.wait_for_load_state()
        page.goto("/pipeline/forecast/#win-model")
        for chart in ("win-brier-data", "win-calibration-data"):
            page.locator(f'[data-chart="{chart}"][data-rendered="1"]').wait_for()
        assert page.locator("#win-model-deciles tbody tr").count() == 10
        assert page.locator("#win-model-quarters tbody tr").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"/pipeline/{deal.pk}/")
        assert page.locator("#win-factors li").count() >= 1
        assert page.locator('#win-factors li[data-feature="activities_meeting"]').count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        ctx.close()
