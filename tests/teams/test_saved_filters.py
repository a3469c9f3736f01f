"""Saved filters of the lists and the pickers' type-ahead lookups (issue 12, item 3)."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from teams.models import SavedFilter
from teams.services.saved_filters import saved_filter_create, saved_filter_delete


class TestSavedFilterService:
    def test_it_saves_the_query_without_the_page(self, org):
        saved = saved_filter_create(user=org["owner"], list_key="deals", name=" Closing soon ",
                                    query="?is_open=true&page=3&owner=5")
        assert (saved.name, saved.query) == ("Closing soon", "is_open=true&owner=5")

    @pytest.mark.parametrize("list_key,name,query,field", [
        ("nowhere", "x", "", "list_key"), ("deals", "  ", "", "name"), ("deals", "x" * 101, "", "name"),
        ("deals", "x", "q=" + "a" * 1200, "query"), ("deals", "a\x00b", "", "name"), ("deals", "x", "q=\x00", "query")])
    def test_bad_input_is_refused_and_nothing_is_saved(self, org, list_key, name, query, field):
        with pytest.raises(ValidationError) as exc:
            saved_filter_create(user=org["owner"], list_key=list_key, name=name, query=query)
        assert field in exc.value.message_dict
        assert not SavedFilter.objects.exists()

    def test_a_name_is_unique_per_user_and_list(self, org):
        saved_filter_create(user=org["owner"], list_key="deals", name="Mine", query="")
        with pytest.raises(ValidationError):
            saved_filter_create(user=org["owner"], list_key="deals", name="Mine", query="a=1")
        saved_filter_create(user=org["owner"], list_key="leads", name="Mine", query="")  # another list
        saved_filter_create(user=org["teammate"], list_key="deals", name="Mine", query="")  # another person
        assert SavedFilter.objects.count() == 3

    def test_nobody_deletes_anybody_elses(self, org):
        saved = saved_filter_create(user=org["owner"], list_key="deals", name="Mine", query="")
        with pytest.raises(ValidationError):
            saved_filter_delete(user=org["mgr"], saved_filter=saved)
        saved_filter_delete(user=org["owner"], saved_filter=saved)
        assert not SavedFilter.objects.exists()


class TestSavedFilterPages:
    def test_a_user_saves_sees_and_deletes_a_filter_on_the_list(self, client, org):
        client.force_login(org["owner"])
        response = client.post(reverse("teams:saved-filter-create"),
                               {"list_key": "leads", "name": "Hot", "query": "status=new&page=2"})
        assert response.status_code == 302 and response["Location"] == reverse("leads:list") + "?status=new"
        saved = SavedFilter.objects.get()
        page = client.get(reverse("leads:list")).content.decode()
        assert f'data-saved-filter="{saved.pk}"' in page and "?status=new" in page
        assert client.post(reverse("teams:saved-filter-delete", args=[saved.pk])).status_code == 302
        assert not SavedFilter.objects.exists()

    def test_another_users_filter_is_not_found(self, client, org):
        saved = saved_filter_create(user=org["owner"], list_key="leads", name="Hot", query="")
        client.force_login(org["teammate"])
        assert client.post(reverse("teams:saved-filter-delete", args=[saved.pk])).status_code == 404
        assert SavedFilter.objects.filter(pk=saved.pk).exists()
        assert f'data-saved-filter="{saved.pk}"' not in client.get(reverse("leads:list")).content.decode()

    def test_a_bad_save_shows_a_message_and_saves_nothing(self, client, org):
        client.force_login(org["owner"])
        response = client.post(reverse("teams:saved-filter-create"), {"list_key": "leads", "name": ""}, follow=True)
        assert response.status_code == 200 and "Give the filter a name." in response.content.decode()
        assert not SavedFilter.objects.exists()

    def test_the_presets_are_links_for_the_user(self, client, org):
        client.force_login(org["owner"])
        page = client.get(reverse("pipeline:list")).content.decode()
        assert 'data-preset="my_open_closing_this_month"' in page
        assert f"owner={org['owner'].pk}&amp;is_open=true" in page

    def test_the_presets_names_are_translatable(self):
        from django.utils.functional import Promise

        from salesops.list_filters import saved_list, saved_list_keys

        assert saved_list_keys() == ["accounts", "activities", "deals", "leads"]
        for key in saved_list_keys():
            assert saved_list(key).presets and all(isinstance(p.name, Promise) for p in saved_list(key).presets)


class TestSavedFilterApi:
    def test_it_lists_creates_and_deletes_own_filters(self, api, org):
        client = api.as_user(org["owner"])
        created = client.post("/api/v1/saved-filters/", {"list_key": "accounts", "name": "Mine", "query": "mine=on"},
                              format="json")
        assert created.status_code == 201 and created.json()["query"] == "mine=on"
        assert [f["name"] for f in client.get("/api/v1/saved-filters/").json()["results"]] == ["Mine"]
        assert client.delete(f"/api/v1/saved-filters/{created.json()['id']}/").status_code == 204
        assert not SavedFilter.objects.exists()

    def test_another_users_filter_answers_404(self, api, org):
        saved = saved_filter_create(user=org["owner"], list_key="leads", name="Hot", query="")
        client = api.as_user(org["admin"])
        assert client.get(f"/api/v1/saved-filters/{saved.pk}/").status_code == 404
        assert client.delete(f"/api/v1/saved-filters/{saved.pk}/").status_code == 404
        assert client.get("/api/v1/saved-filters/").json()["results"] == []
        assert SavedFilter.objects.filter(pk=saved.pk).exists()

    def test_bad_input_is_a_400(self, api, org):
        client = api.as_user(org["owner"])
        assert client.post("/api/v1/saved-filters/", {"list_key": "nowhere", "name": "x"}, format="json").status_code == 400
        assert client.post("/api/v1/saved-filters/", {"list_key": "leads"}, format="json").status_code == 400
        assert not SavedFilter.objects.exists()


class TestLookups:
    def _labels(self, client, name, q):
        response = client.get(reverse(name), {"q": q})
        assert response.status_code == 200
        return [row["label"] for row in response.json()["results"]]

    def test_a_rep_finds_only_themselves(self, client, org):
        client.force_login(org["owner"])
        ids = [r["id"] for r in client.get(reverse("teams:people-lookup"), {"q": ""}).json()["results"]]
        assert ids == [org["owner"].pk]
        assert self._labels(client, "teams:people-lookup", org["outsider"].first_name) in ([], [str(org["owner"])])

    def test_a_manager_finds_their_teams_people_by_name(self, client, org):
        client.force_login(org["mgr"])
        ids = {r["id"] for r in client.get(reverse("teams:people-lookup"), {"q": ""}).json()["results"]}
        assert ids == {org["mgr"].pk, org["owner"].pk, org["teammate"].pk}
        found = client.get(reverse("teams:people-lookup"), {"q": org["teammate"].last_name}).json()["results"]
        assert org["teammate"].pk in [r["id"] for r in found] and org["outsider"].pk not in [r["id"] for r in found]

    def test_an_admin_finds_anyone_and_teams(self, client, org):
        client.force_login(org["admin"])
        found = client.get(reverse("teams:people-lookup"), {"q": "outsider"}).json()["results"]
        assert [r["id"] for r in found] == [org["outsider"].pk]
        assert self._labels(client, "teams:teams-lookup", "we") == ["West"]

    def test_a_rep_finds_only_their_own_team(self, client, org):
        client.force_login(org["owner"])
        assert self._labels(client, "teams:teams-lookup", "") == ["East"]

    @pytest.mark.parametrize("q", ["x" * 101, "'; drop table", "%", "\x00"])
    def test_bad_input_never_fails(self, client, org, q):
        client.force_login(org["mgr"])
        response = client.get(reverse("teams:people-lookup"), {"q": q})
        assert response.status_code in (200, 400)
        if len(q) > 100:
            assert response.status_code == 400 and response.json()["error"]

    def test_it_needs_a_sign_in(self, client, org):
        assert client.get(reverse("teams:people-lookup"), {"q": "a"}).status_code == 302


def test_every_preset_is_a_valid_filter_of_its_list(client, org):
    from django.utils import timezone

    from salesops.list_filters import saved_list, saved_list_keys
    from teams.selectors.saved_filters import list_presets_for

    client.force_login(org["owner"])
    for key in saved_list_keys():
        for preset in list_presets_for(user=org["owner"], list_key=key, today=timezone.localdate()):
            response = client.get(f"{reverse(saved_list(key).url_name)}?{preset['query']}")
            assert response.status_code == 200, preset
            assert response.context["filter"].is_valid(), (preset, response.context["filter"].errors)
