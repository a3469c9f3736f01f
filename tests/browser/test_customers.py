"""A customer-success manager opens an account's customer-360 page in English and Chinese, and on a
390 px phone, with no console errors."""
import pytest

from teams.models import User
from tests.browser.conftest import login, open_page
from tests.customers.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import make_opportunity
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def account(db):
    rep = UserFactory(username="rep.cust", password=PASSWORD, team=TeamFactory(name="East"))
    success = UserFactory(username="cs.cust", password=PASSWORD, role=User.Role.SUCCESS, first_name="Hao",
                          last_name="Guo")
    account = AccountFactory(owner=rep, success_owner=success, name="Northwind Logistics International Holdings",
                             domain="northwind-logistics-international.example.com")
    ContactFactory.create_batch(3, account=account, title="Head of Operations and Continuous Improvement")
    make_opportunity(owner=rep, account=account, name="Northwind – fleet telemetry rollout, phase two")
    return account


@pytest.mark.parametrize("language, width", [("en", 1280), ("zh-hans", 1280), ("en", 390), ("zh-hans", 390)])
def test_a_success_manager_opens_an_accounts_360_page(browser, live_server, account, language, width):
    ctx, page, errors = open_page(browser, live_server, language, viewport={"width": width, "height": 844})
    try:
        login(page, "cs.cust", PASSWORD)
        page.click("[data-nav=customers]")
        assert page.locator("[data-nav=customers]").inner_text() == ("客户" if language == "zh-hans" else "Customers")
        page.click(f'tr[data-account="{account.pk}"] a')
        page.wait_for_selector('[data-panel="contacts"]')
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").first.inner_text() == account.name
        assert page.locator('[data-panel="contacts"] [data-contact]').count() == 3
        assert page.locator('[data-panel="deals"]').count() == 1
        assert page.locator("[data-field=success_owner]").inner_text() == "Hao Guo"
        overflow = page.evaluate("document.querySelector('main').scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert errors == []
    finally:
        ctx.close()
