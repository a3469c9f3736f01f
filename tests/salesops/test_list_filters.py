"""Filters a person can use (issue 12, item 3): sortable headers, whitelisted orderings with an id
tie-breaker, chips, "Any", translated sort labels and people pickers on the lists."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from leads.filters import LeadFilterSet
from tests.customers.factories import AccountFactory, ActivityFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import make_opportunity


def _lead_ids(response):
    return [int(pk) for pk in re.findall(r'data-lead="(\d+)"', response.content.decode())]


class TestSortableHeaders:
    def test_a_header_sorts_and_a_second_click_reverses_with_an_arrow(self, client, org):
        for name, score in (("Bea", 20), ("Al", 50), ("Cy", 20)):
            LeadFactory(owner=org["owner"], name=name, score=score)
        client.force_login(org["owner"])
        page = client.get(reverse("leads:list")).content.decode()
        assert 'href="?ordering=score" data-sort="score" data-state="none"' in page
        ascending = client.get(reverse("leads:list"), {"ordering": "score"})
        html = ascending.content.decode()
        assert 'href="?ordering=-score" data-sort="score" data-state="ascending"' in html and "▲" in html
        scores = [lead.score for lead in ascending.context["object_list"]]
        assert scores == sorted(scores)
        descending = client.get(reverse("leads:list"), {"ordering": "-score"})
        assert 'data-state="descending"' in descending.content.decode() and "▼" in descending.content.decode()
        rows = list(descending.context["object_list"])
        assert [lead.score for lead in rows] == [50, 20, 20]
        assert rows[1].pk > rows[2].pk  # the id breaks the tie, in the same direction

    def test_the_sort_keeps_the_filters_and_drops_the_page(self, client, org):
        LeadFactory(owner=org["owner"], status="new")
        client.force_login(org["owner"])
        html = client.get(reverse("leads:list"), {"status": "new", "page": "1", "ordering": "name"}).content.decode()
        assert 'href="?status=new&amp;ordering=-name"' in html

    def test_only_whitelisted_columns_are_links(self, client, org):
        client.force_login(org["owner"])
        html = client.get(reverse("leads:list")).content.decode()
        assert 'data-sort="owner"' not in html and 'data-sort="name"' in html

    @pytest.mark.parametrize("ordering", ["password", "-owner__password", "name,secret", "", "-", "a" * 500])
    def test_a_bad_sort_answers_the_default_order_on_the_page_and_a_400_in_the_api(self, client, api, org, ordering):
        leads = [LeadFactory(owner=org["owner"]) for _ in range(3)]
        client.force_login(org["owner"])
        response = client.get(reverse("leads:list"), {"ordering": ordering})
        assert response.status_code == 200
        assert sorted(_lead_ids(response)) == sorted(lead.pk for lead in leads)
        if ordering.strip("-"):
            assert api.as_user(org["owner"]).get("/api/v1/leads/", {"ordering": ordering}).status_code == 400

    def test_the_api_sorts_with_the_same_keys(self, api, org):
        LeadFactory(owner=org["owner"], name="B")
        LeadFactory(owner=org["owner"], name="A")
        names = [r["name"] for r in api.as_user(org["owner"]).get("/api/v1/leads/?ordering=name").json()["results"]]
        assert names == ["A", "B"]

    @pytest.mark.parametrize("url,ordering", [("pipeline:list", "-account"), ("customers:account-list", "owner"),
                                              ("customers:activity-list", "-occurred_at")])
    def test_other_lists_sort_by_header(self, client, org, url, ordering):
        ActivityFactory(owner=org["owner"], account=AccountFactory(owner=org["owner"]))
        client.force_login(org["owner"])
        response = client.get(reverse(url), {"ordering": ordering})
        assert response.status_code == 200 and 'data-state="' in response.content.decode()

    @pytest.mark.parametrize("rows", [2, 25])
    def test_a_sorted_deal_list_uses_a_constant_number_of_queries(self, client, org, rows):
        for i in range(rows):
            make_opportunity(owner=org["owner"], account=AccountFactory(owner=org["owner"], name=f"Acc {i}"))
        client.force_login(org["owner"])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("pipeline:list"), {"ordering": "-account", "owner": org["owner"].pk}).status_code == 200
        assert len(ctx.captured_queries) <= 12, [q["sql"] for q in ctx.captured_queries]


class TestUsableFilters:
    def test_statuses_are_checkboxes_and_the_empty_choice_is_any(self, client, org):
        client.force_login(org["owner"])
        html = client.get(reverse("pipeline:list")).content.decode()
        assert re.search(r'<input type="checkbox" name="stage"', html)
        assert '<option value="" selected>Any</option>' in html and "Unknown" not in html
        html = client.get(reverse("leads:list")).content.decode()
        assert re.search(r'<input type="checkbox" name="status" value="new"', html)
        assert "<select name=\"status\" multiple" not in html

    def test_the_owner_is_picked_by_name_and_shown_back(self, client, org):
        LeadFactory(owner=org["teammate"], name="Team lead")
        LeadFactory(owner=org["owner"], name="Own lead")
        client.force_login(org["mgr"])
        response = client.get(reverse("leads:list"), {"owner": org["teammate"].pk})
        html = response.content.decode()
        assert [lead.name for lead in response.context["object_list"]] == ["Team lead"]
        assert f'name="owner" value="{org["teammate"].pk}" class="picker-value"' in html
        assert f'value="{org["teammate"]}"' in html and 'data-lookup="/org/people/lookup/"' in html

    def test_a_bad_owner_id_changes_nothing_and_never_fails(self, client, org):
        client.force_login(org["owner"])
        for value in ("abc", "-1", "9" * 30):
            assert client.get(reverse("leads:list"), {"owner": value}).status_code == 200

    def test_the_sort_labels_are_translated(self):
        with translation.override("zh-hans"):
            labels = {key: str(label) for key, label in LeadFilterSet().form.fields["ordering"].choices}
        assert labels["name"] != "Name" and labels["score"] != "Score" and labels["-score"].startswith(labels["score"])
