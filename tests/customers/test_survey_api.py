"""/api/v1/surveys/ and /api/v1/survey-responses/: auth, permissions, bad input, idempotency, scope;
/api/v1/metrics/nps/ answers with counts and the response rate."""
import pytest
from django.core import mail

from customers.models import Survey, SurveyInvitation, SurveyResponse
from tests.customers.factories import AccountFactory, ContactFactory, SurveyFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db



class TestSurveysApi:
    def test_signed_out_is_401(self, api):
        assert api.get("/api/v1/surveys/").status_code == 401
        assert api.post("/api/v1/survey-responses/", {}, format="json").status_code == 401

    def test_success_creates_and_changes_a_survey(self, api, success):
        client = api.as_user(success)
        created = client.post("/api/v1/surveys/", {"name": "NPS", "kind": "nps", "question": "Recommend us?",
                                                   "extra_questions": ["Why?"]}, format="json")
        assert created.status_code == 201, created.json()
        pk = created.json()["id"]
        changed = client.patch(f"/api/v1/surveys/{pk}/", {"is_active": False}, format="json")
        assert changed.status_code == 200 and changed.json()["is_active"] is False
        assert client.delete(f"/api/v1/surveys/{pk}/").status_code == 204

    def test_a_rep_reads_but_does_not_write(self, api, org):
        survey = SurveyFactory()
        client = api.as_user(org["owner"])
        assert client.get(f"/api/v1/surveys/{survey.pk}/").status_code == 200
        assert client.post("/api/v1/surveys/", {"name": "x", "kind": "nps", "question": "q"},
                           format="json").status_code == 403
        assert client.post(f"/api/v1/surveys/{survey.pk}/send/", {"contacts": [1]}, format="json").status_code == 403

    @pytest.mark.parametrize("body", [
        {"name": "x", "kind": "weird", "question": "q"},
        {"name": "x", "kind": "nps", "question": "q", "extra_questions": "Why?"},
        {"name": "x", "kind": "nps", "question": "q", "extra_questions": [""]},
        {"name": "x", "kind": "nps", "question": "q", "extra_questions": ["a"] * 11},
        {"name": "", "kind": "nps", "question": "q"},
    ])
    def test_bad_input_is_400_and_changes_nothing(self, api, success, body):
        response = api.as_user(success).post("/api/v1/surveys/", body, format="json")
        assert response.status_code == 400 and not Survey.objects.exists()

    def test_send_invites_contacts_and_reports_the_skipped(self, api, success, account,
                                                           django_capture_on_commit_callbacks):
        survey = SurveyFactory()
        a, b = ContactFactory(account=account), ContactFactory(account=account, email="")
        with django_capture_on_commit_callbacks(execute=True):
            response = api.as_user(success).post(f"/api/v1/surveys/{survey.pk}/send/", {"contacts": [a.pk, b.pk]},
                                                 format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["invited"] == 1 and body["no_email"] == [b.pk] and body["already_invited"] == []
        assert body["invitations"] == [SurveyInvitation.objects.get().pk] and len(mail.outbox) == 1

    @pytest.mark.parametrize("contacts", [[], "1", [0], ["a"], list(range(1, 202))])
    def test_send_refuses_bad_contact_lists(self, api, success, contacts):
        response = api.as_user(success).post(f"/api/v1/surveys/{SurveyFactory().pk}/send/", {"contacts": contacts},
                                             format="json")
        assert response.status_code == 400 and not SurveyInvitation.objects.exists()

    def test_send_to_someone_elses_contact_is_400(self, api, success, org):
        other = ContactFactory(account=AccountFactory(owner=org["outsider"]))
        response = api.as_user(success).post(f"/api/v1/surveys/{SurveyFactory().pk}/send/", {"contacts": [other.pk]},
                                             format="json")
        assert response.status_code == 400 and "contacts" in response.json()


class TestSurveyResponsesApi:
    def test_an_integration_records_an_answer_once(self, api, success, account):
        survey = SurveyFactory()
        body = {"survey": survey.pk, "account": account.pk, "score": 4, "reason": "Slow", "external_id": "crm-1",
                "answers": {"Why?": "Because"}}
        client = api.as_user(success)
        first = client.post("/api/v1/survey-responses/", body, format="json")
        again = client.post("/api/v1/survey-responses/", {**body, "score": 10}, format="json")
        assert first.status_code == 201 and again.status_code == 200, (first.json(), again.json())
        assert again.json() == first.json() and first.json()["score"] == 4 and first.json()["kind"] == "nps"
        assert SurveyResponse.objects.count() == 1

    @pytest.mark.parametrize("change", [
        {"score": 11}, {"score": -1}, {"score": "9"}, {"score": None}, {"answers": ["x"]},
        {"answers": {"q": 1}}, {"responded_at": "2999-01-01T00:00:00Z"}, {"external_id": "x" * 101},
        {"account": 10**9}, {"survey": 10**9},
    ])
    def test_bad_input_is_400(self, api, success, account, change):
        body = {"survey": SurveyFactory().pk, "account": account.pk, "score": 9, **change}
        response = api.as_user(success).post("/api/v1/survey-responses/", body, format="json")
        assert response.status_code == 400, response.content
        assert not SurveyResponse.objects.exists()

    def test_a_csat_score_outside_one_to_five_is_400(self, api, success, account):
        body = {"survey": SurveyFactory(kind="csat").pk, "account": account.pk, "score": 7}
        response = api.as_user(success).post("/api/v1/survey-responses/", body, format="json")
        assert response.status_code == 400 and "score" in response.json()

    def test_another_reps_account_is_not_usable(self, api, org, account):
        body = {"survey": SurveyFactory().pk, "account": account.pk, "score": 9}
        response = api.as_user(org["other_mgr"]).post("/api/v1/survey-responses/", body, format="json")
        assert response.status_code == 400 and "account" in response.json()

    def test_a_rep_may_not_record(self, api, org, account):
        body = {"survey": SurveyFactory().pk, "account": account.pk, "score": 9}
        assert api.as_user(org["owner"]).post("/api/v1/survey-responses/", body, format="json").status_code == 403

    def test_a_rep_lists_only_its_accounts_answers(self, api, org, account, django_assert_max_num_queries):
        mine = [SurveyResponseFactory(account=account) for _ in range(3)]
        SurveyResponseFactory(account=AccountFactory(owner=org["outsider"]))
        client = api.as_user(org["owner"])
        with django_assert_max_num_queries(8):
            body = client.get("/api/v1/survey-responses/").json()
        assert sorted(r["id"] for r in body["results"]) == sorted(r.pk for r in mine)
        detractors = client.get("/api/v1/survey-responses/?category=detractor").json()
        assert detractors["count"] == 0


class TestNpsMetricApi:
    def test_nps_answers_with_counts_and_response_rate(self, api, success, account,
                                                       django_capture_on_commit_callbacks):
        survey = SurveyFactory()
        for score in (10, 9, 8, 3):
            SurveyResponseFactory(survey=survey, account=account, score=score)
        SurveyResponseFactory(survey=SurveyFactory(kind="csat"), account=account, score=5)
        contacts = [ContactFactory(account=account) for _ in range(4)]
        with django_capture_on_commit_callbacks(execute=True):
            api.as_user(success).post(f"/api/v1/surveys/{survey.pk}/send/", {"contacts": [c.pk for c in contacts]},
                                      format="json")
        invitation = SurveyInvitation.objects.first()
        from customers.services import survey_answer
        survey_answer(token=invitation.token, score=9)

        body = api.as_user(success).get("/api/v1/metrics/nps/").json()
        assert body["value"] == 40.0 and body["count"] == 5  # 3 promoters, 1 passive, 1 detractor
        assert body["extra"]["promoters"] == 3 and body["extra"]["passives"] == 1 and body["extra"]["detractors"] == 1
        assert body["extra"]["invitations_sent"] == 4 and body["extra"]["response_rate"] == 25.0
        assert body["drilldown"].startswith("/customers/surveys/responses/?kind=nps")
        csat = api.as_user(success).get("/api/v1/metrics/csat/").json()
        assert csat["value"] == 100.0 and csat["count"] == 1
        rate = api.as_user(success).get("/api/v1/metrics/survey_response_rate/").json()
        assert rate["value"] == 25.0 and rate["count"] == 4

    def test_a_rep_sees_only_its_accounts_in_the_metric(self, api, org, account):
        SurveyResponseFactory(account=account, score=10)
        SurveyResponseFactory(account=AccountFactory(owner=org["outsider"]), score=0)
        assert api.as_user(org["owner"]).get("/api/v1/metrics/nps/").json()["value"] == 100.0
        assert api.as_user(org["outsider"]).get("/api/v1/metrics/nps/").json()["value"] == -100.0
        rows = api.as_user(org["admin"]).get("/api/v1/metrics/nps/?group_by=owner").json()["rows"]
        assert sorted(r["value"] for r in rows) == [-100.0, 100.0]
