"""The permission layer holds in HTML views and the API alike (owner, teammate, outsider)."""
import pytest
from django.urls import reverse

from leads.models import Lead
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(org):
    return {
        "own": LeadFactory(owner=org["owner"], name="Own lead"),
        "teammate": LeadFactory(owner=org["teammate"], name="Teammate lead"),
        "outsider": LeadFactory(owner=org["outsider"], name="Outsider lead"),
    }


def api_ids(api, user):
    response = api.as_user(user).get("/api/v1/leads/")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


class TestLeadVisibility:
    def test_a_rep_lists_only_own_leads_in_the_api(self, api, org, leads):
        assert api_ids(api, org["owner"]) == {leads["own"].pk}

    def test_a_manager_lists_the_team_and_nothing_else(self, api, org, leads):
        assert api_ids(api, org["mgr"]) == {leads["own"].pk, leads["teammate"].pk}

    def test_marketing_reads_all_leads(self, api, org, leads):
        assert api_ids(api, org["marketing"]) == {lead.pk for lead in leads.values()}

    def test_an_admin_sees_everything(self, api, org, leads):
        assert api_ids(api, org["admin"]) == {lead.pk for lead in leads.values()}

    def test_a_rep_cannot_read_another_reps_lead_in_the_api(self, api, org, leads):
        assert api.as_user(org["owner"]).get(f"/api/v1/leads/{leads['teammate'].pk}/").status_code == 404

    def test_a_rep_cannot_change_or_delete_another_reps_lead_in_the_api(self, api, org, leads):
        client = api.as_user(org["owner"])
        url = f"/api/v1/leads/{leads['teammate'].pk}/"
        assert client.patch(url, {"name": "Hijacked"}, format="json").status_code == 404
        assert client.delete(url).status_code == 404
        leads["teammate"].refresh_from_db()
        assert leads["teammate"].name == "Teammate lead"

    def test_marketing_reads_but_cannot_change_a_reps_lead(self, api, org, leads):
        client = api.as_user(org["marketing"])
        url = f"/api/v1/leads/{leads['own'].pk}/"
        assert client.get(url).status_code == 200
        assert client.patch(url, {"name": "Changed"}, format="json").status_code == 404
        leads["own"].refresh_from_db()
        assert leads["own"].name == "Own lead"

    def test_a_manager_cannot_change_another_teams_lead(self, api, org, leads):
        url = f"/api/v1/leads/{leads['outsider'].pk}/"
        assert api.as_user(org["mgr"]).patch(url, {"name": "x"}, format="json").status_code == 404

    def test_a_manager_can_change_a_team_members_lead(self, api, org, leads):
        url = f"/api/v1/leads/{leads['teammate'].pk}/"
        response = api.as_user(org["mgr"]).patch(url, {"name": "Renamed"}, format="json")
        assert response.status_code == 200, response.json()
        assert Lead.objects.get(pk=leads["teammate"].pk).name == "Renamed"


class TestLeadPagesAccess:
    def test_the_list_page_shows_own_leads_only(self, client, org, leads):
        client.force_login(org["owner"])
        body = client.get(reverse("leads:list")).content.decode()
        assert "Own lead" in body
        assert "Teammate lead" not in body and "Outsider lead" not in body

    def test_the_manager_list_page_shows_the_team(self, client, org, leads):
        client.force_login(org["mgr"])
        body = client.get(reverse("leads:list")).content.decode()
        assert "Own lead" in body and "Teammate lead" in body and "Outsider lead" not in body

    def test_a_rep_cannot_open_another_reps_lead_page(self, client, org, leads):
        client.force_login(org["owner"])
        assert client.get(reverse("leads:detail", args=[leads["teammate"].pk])).status_code == 404
        assert client.get(reverse("leads:edit", args=[leads["teammate"].pk])).status_code == 404

    def test_a_rep_cannot_post_changes_to_another_reps_lead(self, client, org, leads):
        client.force_login(org["owner"])
        response = client.post(reverse("leads:edit", args=[leads["teammate"].pk]),
                               {"name": "Hijacked", "email": "x@example.com", "source": "website", "status": "new"})
        assert response.status_code == 404
        leads["teammate"].refresh_from_db()
        assert leads["teammate"].name == "Teammate lead"

    def test_marketing_can_read_but_not_edit_a_lead_page(self, client, org, leads):
        client.force_login(org["marketing"])
        assert client.get(reverse("leads:detail", args=[leads["own"].pk])).status_code == 200
        assert client.get(reverse("leads:edit", args=[leads["own"].pk])).status_code == 404

    def test_anonymous_users_are_sent_to_the_login_page(self, client, leads):
        response = client.get(reverse("leads:list"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


class TestAssignment:
    def test_a_rep_cannot_create_a_lead_owned_by_someone_else(self, api, org):
        response = api.as_user(org["owner"]).post("/api/v1/leads/", {
            "name": "Sneaky", "email": "sneaky@example.com", "owner": org["teammate"].pk}, format="json")
        assert response.status_code == 400
        assert "owner" in response.json()
        assert not Lead.objects.filter(email="sneaky@example.com").exists()

    def test_a_manager_can_assign_a_lead_to_a_team_member(self, api, org):
        response = api.as_user(org["mgr"]).post("/api/v1/leads/", {
            "name": "Routed", "email": "routed@example.com", "owner": org["teammate"].pk}, format="json")
        assert response.status_code == 201, response.json()
        assert Lead.objects.get(email="routed@example.com").owner == org["teammate"]

    def test_a_manager_cannot_assign_to_another_team(self, api, org):
        response = api.as_user(org["mgr"]).post("/api/v1/leads/", {
            "name": "Routed", "email": "routed@example.com", "owner": org["outsider"].pk}, format="json")
        assert response.status_code == 400
