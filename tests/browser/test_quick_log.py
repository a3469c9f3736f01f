"""A rep logs a call on a lead in three clicks (kind, summary, Save), in English and in Chinese, and
the quick log is usable at phone width (390 px)."""
import pytest

from customers.models import Activity
from tests.browser.conftest import login
from tests.leads.factories import LeadFactory
from tests.teams.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def three_clicks(page, summary: str) -> None:
    form = page.locator("#activity-timeline form[data-quick-log]")
    form.locator("label.kind-button:has(input[value=call])").click()      # 1: the kind
    form.locator("textarea[name=summary]").click()                        # 2: the summary
    page.keyboard.type(summary)
    form.locator("button[data-action=quick-log-save]").click()            # 3: Save
    page.wait_for_selector(f'[data-timeline] li[data-kind="call"]:has-text("{summary}")')


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_rep_logs_a_call_on_a_lead_in_three_clicks(page, language):
    rep = UserFactory(username=f"rep.ql.{language}", password="pw-for-tests-1")
    lead = LeadFactory(owner=rep, name="Ada Lovelace")
    login(page, rep.username, "pw-for-tests-1")
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language-select", language)
    page.goto(f"/leads/{lead.pk}/")
    assert page.locator("html").get_attribute("lang") == language
    three_clicks(page, "Intro call: wants a demo")
    call = Activity.objects.get(lead=lead)
    assert (call.kind, call.owner_id, call.summary) == ("call", rep.pk, "Intro call: wants a demo")
    label = page.locator("label.kind-button:has(input[value=call])").inner_text().strip()
    assert label == {"en": "Call", "zh-hans": "电话"}[language]
    assert page.locator(".messages").count() == 1


def test_the_quick_log_is_usable_at_390_px(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        rep = UserFactory(username="rep.ql.phone", password="pw-for-tests-1")
        lead = LeadFactory(owner=rep)
        login(page, rep.username, "pw-for-tests-1")
        page.goto(f"/leads/{lead.pk}/")
        form = page.locator("#activity-timeline form[data-quick-log]")
        form.scroll_into_view_if_needed()
        box = form.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        for kind in ("call", "meeting", "email", "note", "task"):
            button = form.locator(f"label.kind-button:has(input[value={kind}])").bounding_box()
            assert button["x"] >= 0 and button["x"] + button["width"] <= 390, kind
        widest = page.evaluate("Math.max(...Array.from(document.querySelectorAll('#activity-timeline, "
                               "#activity-timeline *')).map(e => e.getBoundingClientRect().right))")
        assert widest <= 390  # nothing of the timeline card sticks out
        three_clicks(page, "Called from the phone")
        assert Activity.objects.filter(lead=lead, kind="call").count() == 1
    finally:
        context.close()
