"""A success manager records a renewal from the renewals due list on a phone-sized screen (en, zh-hans)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from teams.models import User
from tests.browser.conftest import login
from tests.customers.contract_factories import ContractFactory
from tests.customers.factories import AccountFactory
from tests.teams.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_success_manager_records_an_expansion_at_390px(page, language):
    success = UserFactory(username="csm.ui", password="pw-for-tests-1", role=User.Role.SUCCESS)
    account = AccountFactory(owner=UserFactory(), success_owner=success, name="Initech")
    today = timezone.localdate()
    contract = ContractFactory(account=account, start=today - timedelta(300), end=today + timedelta(25),
                               mrr=Decimal("1000"))
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "csm.ui", "pw-for-tests-1")
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language-select", language)
    page.goto("/customers/contracts/renewals/")
    row = page.locator(f"tr[data-contract='{contract.pk}']")
    assert "Initech" in row.inner_text()
    row.locator("summary").click()
    row.locator("select[name=outcome]").select_option("expanded")
    row.locator("input[name=mrr]").fill("1500")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".msg-success")
    contract.refresh_from_db()
    assert contract.outcome == "expanded" and contract.renewed_by.mrr == Decimal("1500")
    assert page.locator(f"tr[data-contract='{contract.pk}']").count() == 0  # no longer due
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways ({width}px)"
