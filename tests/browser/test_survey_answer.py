"""A contact answers an NPS survey from the personal link on a phone (390 px), signed out."""
import pytest

from customers.models import SurveyResponse
from customers.services import survey_send
from teams.models import User
from tests.customers.factories import AccountFactory, ContactFactory, SurveyFactory
from tests.teams.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contact_answers_on_a_phone(page):
    success = UserFactory(username="cs.ui", role=User.Role.SUCCESS)
    account = AccountFactory(success_owner=success)
    survey = SurveyFactory(extra_questions=["What should we improve first?"])
    invitation = survey_send(survey=survey, contact_ids=[ContactFactory(account=account).pk], by=success,
                             deliver=False).invitations[0]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/s/{invitation.token}/")
    buttons = page.locator("[data-scale] label")
    assert buttons.count() == 11
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    buttons.nth(6).click()  # score 6: a detractor
    page.fill("#id_reason", "Setup took weeks")
    page.fill("#id_q0", "Onboarding")
    page.click("[data-survey-answer] button[type=submit]")
    page.wait_for_selector("[data-survey-thanks]")
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.reason, answer.answers) == (6, "Setup took weeks",
                                                             {"What should we improve first?": "Onboarding"})
    page.goto(f"/s/{invitation.token}/")
    assert "already answered" in page.locator("[data-survey-closed]").inner_text()
