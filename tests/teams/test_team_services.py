"""Teams are written through teams.services from every entry: API create/update/destroy, the admin
change form and the admin delete action. Administrators only; each write leaves an audit row."""
import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from teams.models import Team
from teams.services import team_create, team_delete, team_update

pytestmark = pytest.mark.django_db
URL = "/api/v1/teams/"


def audit(team_pk, flag=None):
    rows = LogEntry.objects.filter(content_type__model="team", object_id=str(team_pk))
    return rows.filter(action_flag=flag) if flag else rows


def inline_management(prefix="members", total=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(total),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


class TestServices:
    def test_only_administrators_write_teams(self, org):
        for user in (org["mgr"], org["marketing"], org["owner"]):
            with pytest.raises(PermissionDenied):
                team_create(by=user, name="North")
            with pytest.raises(PermissionDenied):
                team_update(team=org["east"], by=user, name="X")
            with pytest.raises(PermissionDenied):
                team_delete(team=org["east"], by=user)
        assert not Team.objects.filter(name__in=["North", "X"]).exists()

    def test_a_manager_must_be_an_active_manager_or_admin(self, org):
        with pytest.raises(ValidationError) as caught:
            team_create(by=org["admin"], name="North", manager=org["owner"])
        assert "manager" in caught.value.message_dict
        org["other_mgr"].is_active = False
        with pytest.raises(ValidationError):
            team_update(team=org["east"], by=org["admin"], manager=org["other_mgr"])
        assert Team.objects.get(pk=org["east"].pk).manager == org["mgr"]

    def test_unknown_fields_are_refused(self, org):
        with pytest.raises(ValidationError):
            team_update(team=org["east"], by=org["admin"], territory="x")

    def test_an_update_audits_only_changed_fields(self, org):
        team_update(team=org["east"], by=org["admin"], name="East", manager=org["mgr"])
        assert not audit(org["east"].pk).exists()
        team_update(team=org["east"], by=org["admin"], name="East One", manager=org["mgr"])
        (entry,) = audit(org["east"].pk, CHANGE)
        assert entry.get_change_message() == "Changed Name."


class TestApi:
    def test_create_update_and_delete_go_through_the_services(self, api, org):
        client = api.as_user(org["admin"])
        created = client.post(URL, {"name": "North", "manager": org["other_mgr"].pk}, format="json")
        assert created.status_code == 201
        pk = created.json()["id"]
        assert audit(pk, ADDITION).count() == 1
        assert client.patch(f"{URL}{pk}/", {"name": "North Key"}, format="json").status_code == 200
        assert audit(pk, CHANGE).get().user == org["admin"]
        assert client.delete(f"{URL}{pk}/").status_code == 204
        assert not Team.objects.filter(pk=pk).exists()
        entry = audit(pk, DELETION).get()
        assert (entry.object_repr, entry.user) == ("North Key", org["admin"])

    def test_a_team_with_members_is_not_deleted(self, api, org):
        response = api.as_user(org["admin"]).delete(f"{URL}{org['east'].pk}/")
        assert response.status_code == 400
        assert "members" in response.json()["non_field_errors"][0]
        assert Team.objects.filter(pk=org["east"].pk).exists() and not audit(org["east"].pk).exists()

    def test_managers_may_not_write_teams(self, api, org):
        client = api.as_user(org["mgr"])
        assert client.patch(f"{URL}{org['east'].pk}/", {"name": "Mine"}, format="json").status_code == 403
        assert client.delete(f"{URL}{org['east'].pk}/").status_code == 403
        assert Team.objects.get(pk=org["east"].pk).name == "East"

    def test_a_rep_cannot_be_made_a_manager(self, api, org):
        response = api.as_user(org["admin"]).patch(f"{URL}{org['east'].pk}/", {"manager": org["owner"].pk},
                                                   format="json")
        assert response.status_code == 400 and "manager" in response.json()


class TestAdmin:
    def test_the_add_and_change_forms_call_the_services(self, client, org):
        client.force_login(org["admin"])
        response = client.post(reverse("admin:teams_team_add"),
                               {"name": "North", "manager": org["other_mgr"].pk, **inline_management()})
        assert response.status_code == 302
        team = Team.objects.get(name="North")
        assert audit(team.pk, ADDITION).count() == 1  # the service's row, not a second one by the admin
        response = client.post(reverse("admin:teams_team_change", args=[team.pk]),
                               {"name": "North Key", "manager": org["other_mgr"].pk, **inline_management()})
        assert response.status_code == 302
        assert audit(team.pk, CHANGE).get().get_change_message() == "Changed Name."
        assert audit(team.pk).count() == 2

    def test_the_change_form_shows_the_services_manager_rule(self, client, org):
        client.force_login(org["admin"])
        team = Team.objects.create(name="North")
        response = client.post(reverse("admin:teams_team_change", args=[team.pk]),
                               {"name": "North", "manager": org["owner"].pk, **inline_management()})
        assert response.status_code == 200
        assert "Only an active manager or administrator can lead a team." in response.content.decode()
        assert Team.objects.get(pk=team.pk).manager is None and not audit(team.pk).exists()

    def test_the_delete_action_deletes_empty_teams_and_refuses_teams_with_members(self, client, org):
        client.force_login(org["admin"])
        empty = Team.objects.create(name="Empty")
        changelist = reverse("admin:teams_team_changelist")
        refused = client.post(changelist, {"action": "delete_selected", "_selected_action": [empty.pk, org["east"].pk],
                                           "post": "yes"})
        assert refused.status_code == 200 and "East: 3 members" in refused.content.decode()
        assert Team.objects.filter(pk__in=[empty.pk, org["east"].pk]).count() == 2
        done = client.post(changelist, {"action": "delete_selected", "_selected_action": [empty.pk], "post": "yes"})
        assert done.status_code == 302 and not Team.objects.filter(pk=empty.pk).exists()
        assert audit(empty.pk, DELETION).count() == 1

    def test_the_delete_page_refuses_a_team_with_members(self, client, org):
        client.force_login(org["admin"])
        response = client.post(reverse("admin:teams_team_delete", args=[org["east"].pk]), {"post": "yes"})
        assert response.status_code == 200 and "East: 3 members" in response.content.decode()
        assert Team.objects.filter(pk=org["east"].pk).exists()
