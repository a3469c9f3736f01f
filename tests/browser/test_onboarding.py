"""A new hire opens their onboarding plan (English and Chinese, desktop and a 390 px phone), logs their
first meeting on their deal's page, and finds the "first logged meeting" milestone ticked by itself."""
from datetime import timedelta

import pytest
from django.utils import timezone

from teams.models import User
from teams.services.onboarding import onboarding_plan_create
from tests.browser.conftest import login, open_page
from tests.pipeline.factories import make_opportunity
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"
MEETING = 'li[data-milestone="meetings_logged"]'


@pytest.fixture
def hire(db):
    team = TeamFactory(name="East")
    manager = UserFactory(username="mgr.onb", password=PASSWORD, role=User.Role.MANAGER, team=team)
    team.manager = manager
    team.save()
    mentor = UserFactory(username="mentor.onb", password=PASSWORD, team=team, first_name="Li", last_name="Wei")
    hire = UserFactory(username="new.onb", password=PASSWORD, team=team, first_name="Xu", last_name="Ming")
    onboarding_plan_create(by=manager, hire=hire, mentor=mentor,
                           start_date=timezone.localdate() - timedelta(days=5))
    hire.deal = make_opportunity(owner=hire, name="Contoso – first pilot for the new hire's small account")
    return hire


@pytest.mark.parametrize("language, width", [("en", 1280), ("zh-hans", 1280), ("en", 390), ("zh-hans", 390)])
def test_a_new_hire_sees_the_plan_and_the_first_meeting_ticks_its_milestone(browser, live_server, hire, language,
                                                                              width):
    ctx, page, errors = open_page(browser, live_server, language, viewport={"width": width, "height": 844})
    try:
        login(page, "new.onb", PASSWORD)
        page.goto("/org/onboarding/")
        assert page.locator("html").get_attribute("lang") == language
        page.wait_for_selector("#plan-summary")
        assert page.locator("#plan-mentor").inner_text() == "Li Wei"
        assert page.locator(".onboarding-phase").count() == 3
        assert page.locator(MEETING).get_attribute("data-done") == "0"
        assert page.locator(f"{MEETING} form").count() == 0  # a milestone is not ticked by hand
        product = page.locator("li[data-task]", has_text="Product training") if language == "en" else None
        if product is not None:
            product.locator("button").click()
            page.wait_for_selector('li[data-done="1"]')
        overflow = page.evaluate("document.querySelector('main').scrollWidth - window.innerWidth")
        assert overflow <= 0

        page.goto(f"/pipeline/{hire.deal.pk}/")
        form = page.locator("form#activity-form[data-quick-log]")  # the deal page's quick log
        form.locator("label.kind-button:has(input[value=meeting])").click()
        form.locator("textarea[name=summary]").fill("First meeting with Contoso's operations lead")
        form.locator("button[data-action=quick-log-save]").click()
        page.wait_for_selector('[data-kind="meeting"]')

        page.goto("/org/onboarding/")
        page.wait_for_selector("#plan-summary")
        assert page.locator(MEETING).get_attribute("data-done") == "1"
        assert page.locator(f"{MEETING} .badge-milestone-reached").count() == 1
        assert int(page.locator("#plan-progress").get_attribute("data-progress")) > 0
        overflow = page.evaluate("document.querySelector('main').scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert errors == []
    finally:
        ctx.close()
