"""People, teams and quota pages and endpoints: filters, bad input, account pages."""
from datetime import date

import pytest
from django.urls import reverse

from teams.models import Team
from tests.teams.factories import QuotaFactory

pytestmark = pytest.mark.django_db


def test_the_user_list_filters_by_role_and_team(api, org):
    client = api.as_user(org["owner"])
    managers = {r["username"] for r in client.get("/api/v1/users/?role=manager").json()["results"]}
    assert managers == {"mgr", "other_mgr"}
    east = {r["username"] for r in client.get(f"/api/v1/users/?team={org['east'].pk}").json()["results"]}
    assert east == {"mgr", "owner", "teammate"}


def test_bad_user_filters_are_a_400(api, org):
    client = api.as_user(org["owner"])
    assert client.get("/api/v1/users/?role=astronaut").status_code == 400
    assert client.get("/api/v1/users/?team=999999").status_code == 400


def test_quotas_filter_by_period(api, org):
    old = QuotaFactory(user=org["owner"], period_start=date(2026, 1, 1), period_end=date(2026, 1, 31))
    new = QuotaFactory(user=org["owner"], period_start=date(2026, 11, 1), period_end=date(2026, 11, 30))
    ids = [r["id"] for r in api.as_user(org["owner"]).get("/api/v1/quotas/?period_from=2026-06-01").json()["results"]]
    assert ids == [new.pk] and old.pk not in ids
    assert api.as_user(org["owner"]).get("/api/v1/quotas/?period_from=June").status_code == 400


def test_an_admin_renames_a_team_and_bad_input_changes_nothing(api, org):
    client = api.as_user(org["admin"])
    url = f"/api/v1/teams/{org['east'].pk}/"
    assert client.patch(url, {"name": "East Enterprise"}, format="json").status_code == 200
    response = client.patch(url, {"name": "", "manager": 999999}, format="json")
    assert response.status_code == 400 and {"name", "manager"} <= set(response.json())
    assert Team.objects.get(pk=org["east"].pk).name == "East Enterprise"


def test_the_people_and_team_pages_list_the_organisation(client, org):
    client.force_login(org["owner"])
    people = client.get(reverse("teams:people"), {"role": "manager"}).content.decode()
    assert "other_mgr" in people and ">owner<" not in people
    teams = client.get(reverse("teams:teams")).content.decode()
    assert "East" in teams and "West" in teams


def test_a_user_changes_their_password_and_logs_out(client, org):
    client.force_login(org["owner"])
    response = client.post(reverse("password_change"), {
        "old_password": "pw-for-tests-1", "new_password1": "a-Much-better-pw-42", "new_password2": "a-Much-better-pw-42"})
    assert response.status_code == 302
    org["owner"].refresh_from_db()
    assert org["owner"].check_password("a-Much-better-pw-42")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("leads:list")).status_code == 302


def test_a_wrong_old_password_is_refused_with_a_message(client, org):
    client.force_login(org["owner"])
    response = client.post(reverse("password_change"), {
        "old_password": "nope", "new_password1": "a-Much-better-pw-42", "new_password2": "a-Much-better-pw-42"})
    assert response.status_code == 200 and "old_password" in response.context["form"].errors
    org["owner"].refresh_from_db()
    assert org["owner"].check_password("pw-for-tests-1")
