"""A customer-success manager opens an account's customer-360 page in English and Chinese, and on a
390 px phone, with no console errors."""
import pytest

from teams.models import User
from tests.browser.conftest import login, nav_link, open_page
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
        nav_link(page, "customers").click()
        assert nav_link(page, "customers").inner_text() == ("客户" if language == "zh-hans" else "Customers")
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


@pytest.fixture
def critical_account(db):
    """An account whose health the recompute puts in the critical band: urgent tickets piling up, a
    detractor's answer, no product usage."""
    from datetime import timedelta

    from django.utils import timezone

    from customers.models import AccountHealth, Survey, SurveyResponse, Ticket
    from customers.services.health import health_recompute_accounts

    rep = UserFactory(username="rep.crit", password=PASSWORD)
    success = UserFactory(username="cs.crit", password=PASSWORD, role=User.Role.SUCCESS)
    account = AccountFactory(owner=rep, success_owner=success, name="Contoso Freight",
                             created_at=timezone.now() - timedelta(days=400))
    now = timezone.now()
    for n in range(12):
        Ticket.objects.create(account=account, external_id=f"t-{n}", subject="Outage", priority="urgent",
                              opened_at=now - timedelta(days=n + 1))
    survey = Survey.objects.create(name="NPS", kind="nps", question="Would you recommend us?")
    SurveyResponse.objects.create(survey=survey, account=account, kind="nps", score=1, reason="Too many outages",
                                  responded_at=now - timedelta(days=3))
    health_recompute_accounts(account_ids=[account.pk])
    health = AccountHealth.objects.get(account=account)
    assert health.band == "critical", (health.score, health.components)
    return account


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_success_manager_reads_why_an_account_is_critical(browser, live_server, critical_account, language):
    ctx, page, errors = open_page(browser, live_server, language)
    try:
        login(page, "cs.crit", PASSWORD)
        page.goto(f"{live_server.url}{critical_account.get_absolute_url()}")
        panel = page.locator("[data-health-panel]")
        assert panel.locator("[data-health-band]").get_attribute("data-health-band") == "critical"
        assert panel.locator("[data-health-band]").inner_text() == ("危急" if language == "zh-hans" else "Critical")
        rows = panel.locator("[data-component]:not([data-left-out])")
        assert rows.count() >= 2  # the components that explain the score, each with its contribution
        codes = {rows.nth(i).get_attribute("data-component") for i in range(rows.count())}
        assert {"support_load", "nps"} <= codes
        total = panel.locator("[data-contribution-total]").inner_text()
        assert total.endswith(panel.locator("[data-health-score]").inner_text())
        assert errors == []
    finally:
        ctx.close()
