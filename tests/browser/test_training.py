"""On a phone (390 px), in English and Chinese: a rep takes the Solution selling exam and sees the
certificate; the manager's team matrix and the awards page fit the screen (h11)."""
import pytest

from teams.models import CertificationGrant, User
from tests.browser.conftest import login, open_page
from tests.teams.factories import TeamFactory, UserFactory
from tests.teams.training_fixtures import make_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


def main_overflow(page) -> int:
    return page.evaluate("document.querySelector('main').scrollWidth - window.innerWidth")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_rep_takes_the_exam_on_a_phone(browser, live_server, language):
    team = TeamFactory(name="East")
    manager = UserFactory(username="mgr.ui", role=User.Role.MANAGER, team=team)
    team.manager = manager
    team.save()
    rep = UserFactory(username="rep.ui", team=team)
    course, exam, cert = make_course()
    ctx, page, errors = open_page(browser, live_server, language, viewport={"width": 390, "height": 844})
    try:
        login(page, "rep.ui", PASSWORD)
        page.goto(f"/org/courses/{course.pk}/")
        page.click(f"[data-take='{exam.pk}']")
        assert main_overflow(page) <= 0
        for name, value in (("q0", "0"), ("q1", "1"), ("q2", "0"), ("q2", "2"), ("q3", "1"), ("q4", "0")):
            page.check(f"input[name={name}][value='{value}']")
        page.click(".exam-form button[type=submit]")
        page.wait_for_selector(".messages")
        assert CertificationGrant.objects.filter(user=rep, certification=cert).exists()
        page.goto("/org/certifications/")
        assert page.locator("[data-status=valid]").count() == 1
        assert main_overflow(page) <= 0
        page.context.clear_cookies()
        if language != "en":
            page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        login(page, "mgr.ui", PASSWORD)
        page.goto("/org/certifications/team/")
        assert page.locator("[data-figure=certified-share]").inner_text().count("100") >= 1
        assert main_overflow(page) <= 0
        page.goto("/org/awards/")
        assert main_overflow(page) <= 0
        assert errors == []
    finally:
        ctx.close()
