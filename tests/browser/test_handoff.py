"""On a phone (390 px): a rep fills in the handoff on the deal page, closing won lists what is still
missing, product confirms feasibility on the handoff page, and the deal closes won."""
from datetime import date
from decimal import Decimal

import pytest

from customers.models import Account, Activity
from pipeline import services
from pipeline.models import ChecklistItem, Opportunity
from teams.models import User
from tests.browser.conftest import login
from tests.customers.factories import ContactFactory
from tests.pipeline.factories import log_meeting, make_opportunity, stage
from tests.teams.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def deal(handoff_gate):
    rep = UserFactory(username="rep.handoff", password="pw-for-tests-1", team=TeamFactory(name="East"))
    UserFactory(username="product.handoff", password="pw-for-tests-1", role=User.Role.PRODUCT)
    success = UserFactory(username="success.handoff", role=User.Role.SUCCESS)
    opp = make_opportunity(owner=rep, name="Initech rollout", confirmed_needs="Forecasting",
                           expected_close_date=date(2026, 12, 31), amount=Decimal("50000"))
    for code in ("needs_confirmed", "solution_demo"):
        opp = services.opportunity_transition(opportunity=opp, to_stage=stage(code), by=rep)
    services.checklist_tick(opportunity=opp, item=ChecklistItem.objects.get(code="solution_accepted"), by=rep)
    log_meeting(opp)
    opp = services.opportunity_transition(opportunity=opp, to_stage=stage("negotiation"), by=rep)
    for name in ("Wang Champion", "Li Sponsor", "Zhao Admin"):
        ContactFactory(account=opp.account, name=name)
    Account.objects.filter(pk=opp.account_id).update(success_owner=success)
    return opp


def no_sideways_scroll(page):
    """Nothing in the handoff section reaches past the screen's right edge."""
    return page.evaluate("""Array.from(document.querySelectorAll('#handoff, #handoff *'))
        .every(e => e.getBoundingClientRect().right <= window.innerWidth + 1)""")


def close_won(page, deal):
    page.goto(f"/pipeline/{deal.pk}/")
    page.select_option("#move select[name=stage]", str(stage("closed_won").pk))
    page.click("#move button[type=submit]")
    page.wait_for_load_state()


def test_handoff_on_a_phone_then_close_won(page, deal):
    page.set_viewport_size(PHONE)
    login(page, "rep.handoff", "pw-for-tests-1")
    close_won(page, deal)
    text = page.locator(".messages").inner_text()
    assert "Handoff: name the customer's champion" in text and "Handoff: set the 90-day target." in text

    page.goto(f"/pipeline/{deal.pk}/")
    assert no_sideways_scroll(page)
    form = page.locator("#handoff-form")
    form.locator("select[name=champion]").select_option(label="Wang Champion")
    form.locator("select[name=executive_sponsor]").select_option(label="Li Sponsor")
    form.locator("select[name=admin]").select_option(label="Zhao Admin")
    form.locator("textarea[name=success_criteria]").fill("Forecast within 10%")
    form.locator("textarea[name=target_30]").fill("Pilot team live")
    form.locator("textarea[name=target_60]").fill("All reps live")
    form.locator("textarea[name=target_90]").fill("First forecast review")
    form.locator("textarea[name=promises]").fill("SSO by go-live\nTwo training days")
    form.locator("button[type=submit]").click()
    page.wait_for_selector('#handoff li[data-part="stakeholders"][data-done="1"]')
    assert no_sideways_scroll(page)

    close_won(page, deal)
    assert "Handoff: product feasibility must be confirmed" in page.locator(".messages").inner_text()

    page.context.clear_cookies()
    login(page, "product.handoff", "pw-for-tests-1")
    page.goto(f"/pipeline/{deal.pk}/handoff/")
    assert no_sideways_scroll(page)
    page.fill("#feasibility-form textarea[name=note]", "Standard configuration")
    page.click("#feasibility-form button[type=submit]")
    page.wait_for_selector('#handoff li[data-part="feasibility"][data-done="1"]')

    page.context.clear_cookies()
    login(page, "rep.handoff", "pw-for-tests-1")
    close_won(page, deal)
    assert "moved to “Closed won”" in page.locator(".messages").inner_text()
    assert Opportunity.objects.get(pk=deal.pk).stage.code == "closed_won"
    assert Activity.objects.filter(key__startswith=f"handoff:{deal.pk}:").count() == 3
