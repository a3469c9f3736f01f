"""Health over the API: models as data (success and admins change them), an account's explained health."""
from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import HealthModel, Survey, SurveyResponse, UsageEvent
from customers.services.health import health_recompute_accounts
from teams.models import User
from tests.teams.factories import UserFactory

from .factories import AccountFactory

pytestmark = pytest.mark.django_db

COMPONENTS = [{"code": "usage_frequency", "weight": 3, "parameters": {"window_days": 14, "target_days": 7}},
              {"code": "nps", "weight": 1}]
BANDS = [{"code": "healthy", "min": 70, "max": 100}, {"code": "at_risk", "min": 40, "max": 69},
         {"code": "critical", "min": 0, "max": 39}]


@pytest.fixture
def success(org):
    return UserFactory(username="cs", role=User.Role.SUCCESS, team=org["owner"].team)


class TestHealthModels:
    def test_nobody_reads_them_without_signing_in(self, client):
        assert client.get("/api/v1/health-models/").status_code in (401, 403)

    def test_everyone_reads_them(self, api, org):
        body = api.as_user(org["owner"]).get("/api/v1/health-models/").json()
        assert {m["segment"] for m in body["results"]} == {"default", "onboarding"}

    def test_success_creates_and_changes_one(self, api, success):
        client = api.as_user(success)
        response = client.post("/api/v1/health-models/", {"name": "Enterprise", "components": COMPONENTS,
                                                          "bands": BANDS}, format="json")
        assert response.status_code == 201, response.json()
        model = HealthModel.objects.get(pk=response.json()["id"])
        assert model.components.count() == 2 and model.bands.get(code="healthy").min == 70
        response = client.patch(f"/api/v1/health-models/{model.pk}/", {"is_active": False}, format="json")
        assert response.status_code == 200
        model.refresh_from_db()
        assert not model.is_active and model.components.count() == 2

    def test_a_rep_cannot_change_them(self, api, org):
        client = api.as_user(org["owner"])
        assert client.post("/api/v1/health-models/", {"name": "X", "components": COMPONENTS, "bands": BANDS},
                           format="json").status_code == 403
        model = HealthModel.objects.first()
        assert client.delete(f"/api/v1/health-models/{model.pk}/").status_code == 403

    @pytest.mark.parametrize(("components", "bands"), [
        ([{"code": "nps", "weight": 0}], BANDS),
        ([{"code": "usage_frequency", "weight": 1, "parameters": {"window_days": 9999}}], BANDS),
        ([{"code": "usage_frequency", "weight": 1, "parameters": {"colour": 1}}], BANDS),
        ([{"code": "nps", "weight": 1}, {"code": "nps", "weight": 2}], BANDS),
        ([{"code": "nps", "weight": 1}], [{"code": "healthy", "min": 60, "max": 100},
                                          {"code": "critical", "min": 0, "max": 50}]),
    ])
    def test_bad_models_are_refused_and_nothing_is_saved(self, api, org, components, bands):
        before = HealthModel.objects.count()
        response = api.as_user(org["admin"]).post("/api/v1/health-models/", {
            "name": "Bad", "components": components, "bands": bands}, format="json")
        assert response.status_code == 400
        assert HealthModel.objects.count() == before


class TestAccountHealth:
    def scored_account(self, owner):
        account = AccountFactory(owner=owner, created_at=timezone.now() - timedelta(days=400))
        now = timezone.now()
        UsageEvent.objects.bulk_create([UsageEvent(account=account, external_id=f"e{i}", feature="x",
                                                   occurred_at=now - timedelta(days=i)) for i in range(6)])
        survey = Survey.objects.create(name="NPS", kind="nps", question="?")
        SurveyResponse.objects.create(survey=survey, account=account, kind="nps", score=3, responded_at=now)
        health_recompute_accounts(account_ids=[account.pk])
        return account

    def test_it_explains_the_score(self, api, org):
        account = self.scored_account(org["owner"])
        response = api.as_user(org["owner"]).get(f"/api/v1/accounts/{account.pk}/health/")
        assert response.status_code == 200
        body = response.json()
        present = [c for c in body["components"] if not c["left_out"]]
        assert {c["code"] for c in present} == {"usage_frequency", "nps"}
        assert abs(sum(c["contribution"] for c in body["components"]) - body["score"]) <= 0.5
        assert body["model"]["name"] == "Default"
        assert len(body["history"]) == 1 and body["trend"] == ""

    def test_an_account_you_may_not_see_is_404(self, api, org):
        account = self.scored_account(org["owner"])
        assert api.as_user(org["outsider"]).get(f"/api/v1/accounts/{account.pk}/health/").status_code == 404

    def test_an_account_never_scored_is_404(self, api, org):
        account = AccountFactory(owner=org["owner"])
        assert api.as_user(org["owner"]).get(f"/api/v1/accounts/{account.pk}/health/").status_code == 404
