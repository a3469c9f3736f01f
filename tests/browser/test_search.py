"""Issue 12: the header search box finds a deal by its account's name, in English and in Chinese."""
import pytest

from tests.browser.conftest import login, open_page
from tests.customers.factories import AccountFactory
from tests.pipeline.factories import make_opportunity
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deal(db):
    team = TeamFactory(name="East")
    rep = UserFactory(username="rep.search", password="pw-for-tests-1", team=team)
    other = UserFactory(username="rep.other", password="pw-for-tests-1", team=TeamFactory(name="West"))
    make_opportunity(owner=other, account=AccountFactory(name="Quokka Holdings", owner=other), name="Hidden deal")
    return make_opportunity(owner=rep, account=AccountFactory(name="Quokka Freight", owner=rep), name="Fleet CRM")


@pytest.mark.parametrize("language, heading", [("en", "Opportunities"), ("zh-hans", "商机")])
def test_global_search_finds_a_deal_by_its_accounts_name(browser, live_server, deal, language, heading):
    ctx, page, errors = open_page(browser, live_server, language)
    try:
        login(page, "rep.search", "pw-for-tests-1")
        page.goto("/pipeline/board/")
        page.keyboard.press("/")  # focuses the header search box
        assert page.evaluate("document.activeElement.id") == "global-search"
        page.keyboard.type("quokka")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        group = page.locator('section[data-kind="deal"]')
        assert heading in group.locator("h2").inner_text()
        group.get_by_role("link", name="Fleet CRM").click()
        page.wait_for_url(f"**/pipeline/{deal.pk}/")
        page.go_back()
        assert "Hidden deal" not in page.content()  # another rep's deal on a same-named account
        assert page.locator("#global-search").input_value() == "quokka"
        assert not errors
    finally:
        ctx.close()
