import pytest
from django.urls import reverse

from tests.teams.factories import QuotaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quotas(org):
    return {name: QuotaFactory(user=org[name]) for name in ("owner", "teammate", "outsider")}


def test_a_rep_reads_only_own_quota_in_the_api(api, org, quotas):
    response = api.as_user(org["owner"]).get("/api/v1/quotas/")
    assert [row["id"] for row in response.json()["results"]] == [quotas["owner"].pk]
    assert api.as_user(org["owner"]).get(f"/api/v1/quotas/{quotas['teammate'].pk}/").status_code == 404


def test_a_manager_reads_the_team_quotas_only(api, org, quotas):
    ids = {row["id"] for row in api.as_user(org["mgr"]).get("/api/v1/quotas/").json()["results"]}
    assert ids == {quotas["owner"].pk, quotas["teammate"].pk}


def test_the_quota_page_is_scoped_the_same_way(client, org, quotas):
    client.force_login(org["owner"])
    body = client.get(reverse("teams:quotas")).content.decode()
    assert f'data-quota="{quotas["owner"].pk}"' in body
    assert f'data-quota="{quotas["teammate"].pk}"' not in body
    assert f'data-quota="{quotas["outsider"].pk}"' not in body


def test_every_signed_in_user_reads_the_people_directory(api, org):
    response = api.as_user(org["outsider"]).get("/api/v1/users/")
    assert response.status_code == 200
    assert {"owner", "mgr", "outsider"} <= {row["username"] for row in response.json()["results"]}


def test_only_admins_create_teams(api, org):
    assert api.as_user(org["mgr"]).post("/api/v1/teams/", {"name": "New"}, format="json").status_code == 403
    response = api.as_user(org["admin"]).post("/api/v1/teams/", {"name": "New"}, format="json")
    assert response.status_code == 201
    assert response.json()["name"] == "New"


def test_me_returns_the_caller(api, org):
    assert api.as_user(org["mgr"]).get("/api/v1/users/me/").json()["username"] == "mgr"
