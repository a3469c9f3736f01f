"""A rep moves a deal across the board through two gates, is refused, fixes what is missing, moves on."""
import pytest

from pipeline.models import Opportunity
from tests.browser.conftest import login, wait_until_settled
from tests.pipeline.factories import make_opportunity
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deal(db):
    team = TeamFactory(name="East")
    rep = UserFactory(username="rep.board", password="pw-for-tests-1", team=team)
    return make_opportunity(owner=rep, name="Initech CRM")


def card(page, deal):
    return page.locator(f'article[data-opportunity="{deal.pk}"]')


def move_next(page, deal):
    """The card's "Move to…" button: sent by the board's script, without a page reload."""
    with page.expect_response(lambda response: "/move/" in response.url):
        card(page, deal).locator("button[data-next]").click()
    wait_until_settled(page)


def test_a_rep_moves_a_deal_through_two_gates(page, deal):
    login(page, "rep.board", "pw-for-tests-1")
    page.goto("/pipeline/board/")
    assert card(page, deal).locator("xpath=ancestor::section").get_attribute("data-stage") == "lead_identified"

    move_next(page, deal)  # no gate between the first two stages
    assert card(page, deal).locator("xpath=ancestor::section").get_attribute("data-stage") == "needs_confirmed"

    move_next(page, deal)  # gate 1: leaving "Needs confirmed" needs the confirmed needs
    refusal = card(page, deal).locator("[data-feedback] .msg-refused")
    assert "cannot move to" in refusal.inner_text()
    assert "“Confirmed needs” must be filled in." in refusal.inner_text()

    page.goto(f"/pipeline/{deal.pk}/edit/")
    page.fill("textarea[name=confirmed_needs]", "One pipeline for 40 reps; replace spreadsheets")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-field=confirmed_needs]")

    page.goto("/pipeline/board/")
    move_next(page, deal)
    assert card(page, deal).locator("xpath=ancestor::section").get_attribute("data-stage") == "solution_demo"

    move_next(page, deal)  # gate 2: leaving the demo needs the customer's acceptance and a meeting
    text = card(page, deal).locator("[data-feedback]").inner_text()
    assert "Customer accepted the solution" in text and "A meeting logged for the opportunity" in text

    page.goto(f"/pipeline/{deal.pk}/")
    page.locator('li[data-item="solution_accepted"] button').click()
    page.wait_for_selector('li[data-item="solution_accepted"][data-ticked="1"]')
    page.click("#activity-form label:has(input[value=meeting])")
    page.click("#activity-form details summary")  # "when" defaults to now; this demo was earlier
    page.fill("#activity-form input[name=occurred_at]", "2026-01-05T10:00")
    page.fill("#activity-form textarea[name=summary]", "Demo with the sales director")
    page.click("#activity-form button[type=submit]")
    page.wait_for_selector('[data-timeline] li[data-kind="meeting"]')

    page.goto("/pipeline/board/")
    move_next(page, deal)
    assert card(page, deal).locator("xpath=ancestor::section").get_attribute("data-stage") == "negotiation"
    assert "moved to “Negotiation”" in page.locator("[data-board-status]").inner_text()
    deal = Opportunity.objects.get(pk=deal.pk)
    assert list(deal.transitions.values_list("to_stage__code", flat=True)) == [
        "lead_identified", "needs_confirmed", "solution_demo", "negotiation"]
