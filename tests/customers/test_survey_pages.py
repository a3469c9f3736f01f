"""Survey pages: who may manage and send, results with counts and trend, the answers list (constant query
count, scoped), the public answer page (en and zh-hans; used and expired links), the 360 panel, the demo."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from customers.models import Activity, Survey, SurveyInvitation, SurveyResponse
from customers.services import survey_send
from salesops import panels
from teams.models import User
from tests.customers.factories import AccountFactory, ContactFactory, SurveyFactory, SurveyResponseFactory
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db



def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invitation_for(success, account, **survey) -> SurveyInvitation:
    contact = ContactFactory(account=account, name="Ann")
    return survey_send(survey=SurveyFactory(**survey), contact_ids=[contact.pk], by=success,
                       deliver=False).invitations[0]


class TestManagingSurveys:
    def test_success_creates_a_survey_from_the_page(self, success):
        response = signed_in(success).post("/customers/surveys/new/", {
            "name": "Q1 NPS", "kind": "nps", "question": "Recommend us?", "extra_questions": "Why?\n\nWhat next?",
            "is_active": "on"})
        survey = Survey.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/customers/surveys/{survey.pk}/"
        assert survey.extra_questions == ["Why?", "What next?"]

    def test_a_rep_may_not_create_or_edit_or_send(self, org):
        survey = SurveyFactory()
        client = signed_in(org["owner"])
        assert client.get("/customers/surveys/new/").status_code == 403
        assert client.get(f"/customers/surveys/{survey.pk}/edit/").status_code == 403
        assert client.get(f"/customers/surveys/{survey.pk}/send/").status_code == 403
        assert client.get("/customers/surveys/").status_code == 200

    def test_the_edit_form_refuses_bad_questions_clearly(self, success):
        survey = SurveyFactory()
        response = signed_in(success).post(f"/customers/surveys/{survey.pk}/edit/", {
            "name": "x", "kind": "nps", "question": "q", "extra_questions": "\n".join(f"q{i}" for i in range(11))})
        assert response.status_code == 200 and "At most 10 further questions" in response.content.decode()

    def test_the_send_page_lists_only_visible_contacts_and_sends(self, success, account, org,
                                                                 django_capture_on_commit_callbacks):
        mine = ContactFactory(account=account, name="Mine")
        ContactFactory(account=AccountFactory(owner=org["outsider"]), name="Theirs")
        survey = SurveyFactory()
        client = signed_in(success)
        page = client.get(f"/customers/surveys/{survey.pk}/send/").content.decode()
        assert "Mine" in page and "Theirs" not in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/customers/surveys/{survey.pk}/send/", {"contacts": [str(mine.pk)]})
        assert response.status_code == 302 and SurveyInvitation.objects.get().contact == mine

    def test_sending_a_hidden_contact_is_a_form_error(self, success, org):
        theirs = ContactFactory(account=AccountFactory(owner=org["outsider"]))
        response = signed_in(success).post(f"/customers/surveys/{SurveyFactory().pk}/send/",
                                           {"contacts": [str(theirs.pk)]})
        assert response.status_code == 200 and not SurveyInvitation.objects.exists()


class TestResults:
    def test_the_results_show_nps_counts_response_rate_trend_and_reasons(self, success, account):
        invitation = invitation_for(success, account)
        survey = invitation.survey
        for score, reason in ((10, "Love it"), (9, ""), (7, ""), (2, "Outages")):
            SurveyResponseFactory(survey=survey, account=account, score=score, reason=reason)
        page = signed_in(success).get(f"/customers/surveys/{survey.pk}/").content.decode()
        assert 'data-figure="nps"' in page and "25.0" in page  # (2 − 1) / 4
        assert "2 promoters · 1 passives · 1 detractors (of 4)" in page
        assert "0 of 1 invitations answered" in page
        assert "Outages" in page and 'data-chart="survey-trend-data"' in page
        assert f'data-month="{timezone.localdate():%Y-%m}"' in page

    def test_a_rep_sees_only_its_accounts_answers(self, org, account):
        survey = SurveyFactory()
        SurveyResponseFactory(survey=survey, account=account, score=10, reason="Mine")
        SurveyResponseFactory(survey=survey, account=AccountFactory(owner=org["outsider"]), score=0, reason="Theirs")
        page = signed_in(org["owner"]).get(f"/customers/surveys/{survey.pk}/").content.decode()
        assert "Mine" in page and "Theirs" not in page and "100.0" in page
        listing = signed_in(org["owner"]).get("/customers/surveys/responses/").content.decode()
        assert "Mine" in listing and "Theirs" not in listing

    def test_pages_cost_a_constant_number_of_queries(self, success, account, django_assert_max_num_queries):
        survey = SurveyFactory()
        client = signed_in(success)
        for _ in range(3):
            SurveyResponseFactory(survey=survey, account=account, contact=ContactFactory(account=account))
        with django_assert_max_num_queries(20) as few:
            client.get(f"/customers/surveys/{survey.pk}/")
            client.get("/customers/surveys/responses/")
        for _ in range(30):
            SurveyResponseFactory(survey=survey, account=AccountFactory(success_owner=success),
                                  contact=ContactFactory(account=account))
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(f"/customers/surveys/{survey.pk}/")
            client.get("/customers/surveys/responses/")

    def test_the_answers_list_filters_like_the_metric_drilldown(self, success, account):
        SurveyResponseFactory(account=account, score=3, reason="Low one")
        SurveyResponseFactory(account=account, score=10, reason="High one")
        page = signed_in(success).get("/customers/surveys/responses/?kind=nps&category=detractor").content.decode()
        assert "Low one" in page and "High one" not in page
        bad = signed_in(success).get("/customers/surveys/responses/?responded_after=notadate")
        assert bad.status_code == 200 and "Some filters are invalid" in bad.content.decode()


class TestPublicAnswerPage:
    def test_it_shows_the_question_as_buttons_and_records_the_answer(self, success, account):
        invitation = invitation_for(success, account, extra_questions=["What should we improve?"])
        page = Client().get(f"/s/{invitation.token}/").content.decode()
        assert invitation.survey.question in page and page.count('type="radio"') == 11
        assert "What should we improve?" in page and 'lang="en"' in page
        response = Client().post(f"/s/{invitation.token}/", {"score": "3", "reason": "Slow", "q0": "Speed"})
        assert response.status_code == 200 and "data-survey-thanks" in response.content.decode()
        answer = SurveyResponse.objects.get()
        assert (answer.score, answer.reason, answer.answers) == (3, "Slow", {"What should we improve?": "Speed"})
        assert Activity.objects.filter(account=account, kind="task", owner=success).count() == 1

    def test_a_csat_link_offers_one_to_five(self, success, account):
        invitation = invitation_for(success, account, kind="csat")
        page = Client().get(f"/s/{invitation.token}/").content.decode()
        assert page.count('type="radio"') == 5 and 'value="0"' not in page
        response = Client().post(f"/s/{invitation.token}/", {"score": "0"})
        assert response.status_code == 200 and not SurveyResponse.objects.exists()

    def test_it_speaks_the_invitations_language(self, success, account):
        invitation = invitation_for(success, account)
        invitation.language = "zh-hans"
        invitation.save()
        page = Client().get(f"/s/{invitation.token}/").content.decode()
        assert 'lang="zh-hans"' in page
        thanks = Client().post(f"/s/{invitation.token}/", {"score": "10"}).content.decode()
        assert "谢谢" in thanks  # "Thank you", already in the catalogue

    def test_a_reader_who_chose_a_language_gets_it(self, success, account):
        invitation = invitation_for(success, account)
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        assert 'lang="zh-hans"' in client.get(f"/s/{invitation.token}/").content.decode()

    def test_a_used_link_says_so(self, success, account):
        with translation.override("en"):  # the invitation keeps the language it was sent in
            invitation = invitation_for(success, account)
        Client().post(f"/s/{invitation.token}/", {"score": "9"})
        again = Client().post(f"/s/{invitation.token}/", {"score": "0"})
        assert again.status_code == 200 and "already answered" in again.content.decode()
        assert SurveyResponse.objects.count() == 1

    def test_an_expired_link_says_so(self, success, account):
        invitation = invitation_for(success, account)
        SurveyInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        response = Client().get(f"/s/{invitation.token}/")
        assert response.status_code == 410 and "expired" in response.content.decode()

    def test_an_unknown_or_closed_link_is_a_page_not_an_error(self, success, account):
        response = Client().get("/s/not-a-token/")
        assert response.status_code == 404 and "not valid" in response.content.decode()
        invitation = invitation_for(success, account)
        Survey.objects.filter(pk=invitation.survey_id).update(is_active=False)
        assert "closed" in Client().get(f"/s/{invitation.token}/").content.decode()

    def test_garbage_input_is_a_form_error(self, success, account):
        invitation = invitation_for(success, account)
        for body in ({"score": "eleven"}, {"score": "11"}, {}, {"score": "5", "reason": "x" * 2001}):
            response = Client().post(f"/s/{invitation.token}/", body)
            assert response.status_code == 200 and "data-survey-answer" in response.content.decode()
        assert not SurveyResponse.objects.exists()


class TestVoicePanel:
    def _render(self, account, user):
        from django.template.loader import render_to_string
        panel = next(p for p in panels.account_panels() if p.code == "voice")
        content = panel.render(account, user, None)
        return render_to_string(content.template, content.context)

    def test_it_shows_the_latest_answers_with_reasons_and_the_accounts_nps(self, success, account,
                                                                            django_assert_max_num_queries):
        SurveyResponseFactory(account=account, score=10, reason="Fast support")
        SurveyResponseFactory(account=account, score=4, reason="Too slow", contact=ContactFactory(account=account))
        with django_assert_max_num_queries(2):
            html = self._render(account, success)
        assert "Fast support" in html and "Too slow" in html and "0.0" in html  # 1 promoter, 1 detractor

    def test_someone_who_cannot_see_the_account_gets_nothing(self, org, account):
        SurveyResponseFactory(account=account, score=10, reason="Secret")
        assert "Secret" not in self._render(account, org["outsider"])


class TestDemo:
    def test_it_loads_surveys_with_answers_and_open_followups_once(self, org):
        from customers.demo.surveys import seed_surveys
        UserFactory(username="admin", role=User.Role.ADMIN)
        for index in range(4):
            AccountFactory(external_ref=f"demo:account:{index}")
        seed_surveys(today=timezone.localdate())
        responses = SurveyResponse.objects.count()
        assert Survey.objects.count() == 2 and responses > 10
        months = {r.responded_at.strftime("%Y-%m") for r in SurveyResponse.objects.all()}
        assert len(months) >= 5
        seed_surveys(today=timezone.localdate())
        assert SurveyResponse.objects.count() == responses
        assert SurveyInvitation.objects.filter(answered_at__isnull=True).exists()
