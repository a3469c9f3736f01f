"""The knowledge base on a phone-sized screen (en, zh-hans): an editor writes a Chinese talk track,
a rep finds it by a two-character word and reads it."""
import pytest

from teams.models import Article, User
from tests.browser.conftest import login
from tests.teams.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways ({width}px)"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_editor_writes_and_a_rep_finds_a_chinese_talk_track_at_390px(browser, live_server, language):
    UserFactory(username="kb.editor", password="pw-for-tests-1", role=User.Role.MARKETING)
    UserFactory(username="kb.rep", password="pw-for-tests-1", role=User.Role.REP)
    for username in ("kb.editor", "kb.rep"):
        ctx = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844})
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        login(page, username, "pw-for-tests-1")
        if language != "en":
            with page.expect_navigation():
                page.select_option("#language-select", language)
        if username == "kb.editor":
            page.goto("/org/kb/new/")
            page.select_option("select[name=kind]", "talk_track")
            page.fill("input[name=title]", "客户预算有限时的话术")
            page.select_option("form.card select[name=language]", "zh-hans")  # not the language menu
            page.fill("textarea[name=body]", "先确认预算范围和审批流程，再按价值拆分方案。")
            page.fill("input[name=tags]", "预算, 谈判")
            page.check("input[name=is_published]")
            page.click("form.card button[type=submit]")
            page.wait_for_url("**/org/kb/*/")
            _no_sideways_scroll(page)
        else:
            page.goto("/org/kb/")
            page.fill("input[name=q]", "预算")
            with page.expect_navigation():
                page.click("form.filters button[type=submit]")
            results = page.locator("#kb-results li[data-article]")
            assert results.count() == 1
            _no_sideways_scroll(page)
            with page.expect_navigation():
                results.first.locator("a").click()
            assert "审批流程" in page.inner_text(".kb-body")
            assert page.inner_text("[data-figure=views]").strip() == "2"  # the editor saw it after saving
            _no_sideways_scroll(page)
        ctx.close()
    assert Article.objects.get().tags.count() == 2
