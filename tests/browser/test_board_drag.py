"""Issue 12: the board moves deals by drag and drop and from the keyboard, without a page reload."""

import pytest

from pipeline.models import Opportunity
from tests.browser.conftest import login, open_page, wait_until_settled
from tests.conftest import screenshot_dir
from tests.pipeline.factories import make_opportunity
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deal(db):
    rep = UserFactory(username="rep.drag", password="pw-for-tests-1", team=TeamFactory(name="East"))
    return make_opportunity(owner=rep, name="Initech CRM")


def card(page, deal):
    return page.locator(f'article[data-opportunity="{deal.pk}"]')


def column_of(page, deal):
    return card(page, deal).locator("xpath=ancestor::section").get_attribute("data-stage")


def drag(page, deal, code):
    with page.expect_response(lambda response: "/move/" in response.url):
        card(page, deal).drag_to(page.locator(f'section[data-stage="{code}"]'))
    wait_until_settled(page)


def stage_of(deal):
    return Opportunity.objects.select_related("stage").get(pk=deal.pk).stage.code


def test_dragging_a_deal_to_the_next_stage_moves_it_without_a_reload(page, deal):
    login(page, "rep.drag", "pw-for-tests-1")
    page.goto("/pipeline/board/")
    page.evaluate("window.scrollTo(0, 0); window.boardMarker = 'still here'")
    drag(page, deal, "needs_confirmed")
    assert column_of(page, deal) == "needs_confirmed"
    assert page.evaluate("window.boardMarker") == "still here"  # no reload
    totals = page.locator('section[data-stage="needs_confirmed"] [data-count]')
    assert totals.get_attribute("data-count") == "1"
    assert page.locator('section[data-stage="lead_identified"] [data-count]').get_attribute("data-count") == "0"
    assert stage_of(deal) == "needs_confirmed"
    page.reload()
    assert column_of(page, deal) == "needs_confirmed"  # it persisted


@pytest.mark.parametrize("language, criterion", [("en", "“Confirmed needs” must be filled in."),
                                                  ("zh-hans", "必须填写“已确认需求”。")])
def test_a_refused_drop_snaps_back_and_names_the_criteria_in_red(browser, live_server, deal, language, criterion):
    ctx, page, errors = open_page(browser, live_server, language, viewport={"width": 1400, "height": 900})
    try:
        login(page, "rep.drag", "pw-for-tests-1")
        page.goto("/pipeline/board/")
        drag(page, deal, "needs_confirmed")
        drag(page, deal, "solution_demo")  # gate: the confirmed needs are missing
        assert column_of(page, deal) == "needs_confirmed"
        refusal = card(page, deal).locator("[data-feedback] .msg-refused")
        assert criterion in refusal.inner_text()
        assert refusal.evaluate("element => getComputedStyle(element).color") == "rgb(185, 28, 28)"
        assert stage_of(deal) == "needs_confirmed"
        page.screenshot(path=str(screenshot_dir() / f"board-refused-{language}.png"), full_page=True)
        assert [error for error in errors if "400" not in error] == []  # the refusal's 400 is logged
    finally:
        ctx.close()


def test_a_stale_card_says_the_deal_changed_and_offers_a_reload(page, deal):
    login(page, "rep.drag", "pw-for-tests-1")
    page.goto("/pipeline/board/")
    from pipeline import services
    from tests.pipeline.factories import stage
    services.opportunity_transition(opportunity=deal, to_stage=stage("needs_confirmed"), by=deal.owner)
    drag(page, deal, "closed_lost")
    assert column_of(page, deal) == "lead_identified"
    feedback = card(page, deal).locator("[data-feedback] .msg-conflict")
    assert "changed by someone else" in feedback.inner_text()
    with page.expect_navigation():
        feedback.locator("button").click()
    assert column_of(page, deal) == "needs_confirmed"


def test_a_focused_card_moves_with_the_arrow_keys_and_enter(page, deal):
    login(page, "rep.drag", "pw-for-tests-1")
    page.goto("/pipeline/board/")
    card(page, deal).focus()
    page.keyboard.press("ArrowRight")
    assert "Needs confirmed" in page.locator("[data-board-status]").inner_text()
    with page.expect_response(lambda response: "/move/" in response.url):
        page.keyboard.press("Enter")
    wait_until_settled(page)
    assert column_of(page, deal) == "needs_confirmed"
    assert page.evaluate("document.activeElement.dataset.opportunity") == str(deal.pk)  # focus stays on it
    assert "moved to" in page.locator("[data-board-status]").inner_text()
    assert stage_of(deal) == "needs_confirmed"
