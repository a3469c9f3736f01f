"""/api/v1/scoring/suggestions/: start (202), list and read; auth, permissions, bad input, shape."""
from unittest import mock

import pytest

from leads.models import ScoringSuggestion
from leads.services import scoring_suggest as services
from leads.services.scoring import published_rule_set
from tests.leads.suggest_data import make_history

pytestmark = pytest.mark.django_db
URL = "/api/v1/scoring/suggestions/"


@pytest.fixture(autouse=True)
def no_queue():
    with mock.patch("leads.services.scoring_suggest.enqueue_on_commit") as queued:
        yield queued


def post(client, **body):
    return client.post(URL, {"base_rule_set": published_rule_set().pk, **body}, format="json")


class TestStart:
    def test_it_needs_a_signed_in_user(self, api):
        assert post(api).status_code in (401, 403)
        assert api.get(URL).status_code in (401, 403)

    def test_only_marketing_and_admins_start_and_read(self, api, org):
        for name in ("owner", "mgr"):
            client = api.as_user(org[name])
            response = post(client)
            assert response.status_code == 403 and response.json()["code"] == "permission_denied"
            assert client.get(URL).status_code == 403
        assert not ScoringSuggestion.objects.exists()

    def test_marketing_starts_one_and_gets_202_with_the_queued_record(self, api, org, no_queue):
        response = post(api.as_user(org["marketing"]), start="2026-01-01", end="2026-06-30", held_out_percent=30,
                        source=["website"])
        assert response.status_code == 202, response.json()
        body = response.json()
        assert (body["status"], body["held_out_percent"], body["start"], body["end"]) == (
            "queued", 30, "2026-01-01", "2026-06-30")
        assert body["filters"]["source"] == ["website"] and body["draft_rule_set"] is None
        no_queue.assert_called_once()

    @pytest.mark.parametrize("body, field, code", [
        ({"start": "2026-13-01"}, "start", "invalid"),
        ({"end": "yesterday"}, "end", "invalid"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "non_field_errors", "start_after_end"),
        ({"held_out_percent": 90}, "held_out_percent", "max_value"),
        ({"held_out_percent": "25"}, "held_out_percent", "invalid"),
        ({"source": ["nowhere"]}, "source", "invalid_choice"),
        ({"targets": [0.5]}, "targets", "invalid"),
    ])
    def test_bad_input_is_a_400_naming_the_field(self, api, org, body, field, code):
        response = post(api.as_user(org["marketing"]), **body)
        assert response.status_code == 400, response.json()
        data = response.json()
        assert field in data and field in data["codes"]
        assert code in str(data["codes"][field])
        assert not ScoringSuggestion.objects.exists()

    def test_an_unknown_rule_set_is_a_400(self, api, org):
        response = api.as_user(org["marketing"]).post(URL, {"base_rule_set": 99999}, format="json")
        assert response.status_code == 400
        assert response.json()["codes"]["base_rule_set"] == ["does_not_exist"]
        missing = api.as_user(org["marketing"]).post(URL, {}, format="json")
        assert missing.status_code == 400 and missing.json()["codes"]["base_rule_set"] == ["required"]


class TestRead:
    def test_the_result_has_figures_rules_with_points_and_why_and_the_draft(self, api, org):
        make_history(org["owner"])
        client = api.as_user(org["marketing"])
        started = post(client).json()
        services.suggestion_run(suggestion_id=started["id"])
        body = client.get(f"{URL}{started['id']}/").json()
        assert body["status"] == "done" and body["error"] == ""
        assert body["draft_rule_set"] and body["library_versions"]["scikit-learn"]
        rule = body["rules"][0]
        assert isinstance(rule["points"], int) and {"coefficient", "support", "conversion_with"} <= set(rule["why"])
        assert body["figures"]["suggested"]["auc"] > body["figures"]["base"]["auc"]
        assert len(body["figures"]["base"]["deciles"]) == 10
        assert body["train_size"] + body["held_out_size"] == body["leads_used"]
        draft = client.get(f"/api/v1/scoring/rule-sets/{body['draft_rule_set']}/").json()
        assert draft["status"] == "draft"
        assert sorted(r["points"] for r in draft["attribute_rules"] + draft["behaviour_rules"]) == sorted(
            r["points"] for r in body["rules"])
        listed = client.get(URL).json()
        assert listed["count"] == 1 and "figures" not in listed["results"][0]

    def test_a_failed_one_says_why_in_the_users_language(self, api, org):
        client = api.as_user(org["marketing"])
        started = post(client).json()
        services.suggestion_run(suggestion_id=started["id"])
        body = client.get(f"{URL}{started['id']}/", HTTP_ACCEPT_LANGUAGE="en").json()
        assert (body["status"], body["error_code"]) == ("failed", "no_leads")
        assert body["error"] == "No leads in this period and segment."

    def test_unknown_ids_are_404_and_rerun_gives_202(self, api, org, no_queue):
        client = api.as_user(org["admin"])
        assert client.get(f"{URL}424242/").status_code == 404
        started = post(client).json()
        again = client.post(f"{URL}{started['id']}/rerun/")
        assert again.status_code == 202 and again.json()["rerun_of"] == started["id"]
        assert again.json()["as_of"] == started["as_of"]

    def test_the_schema_documents_the_endpoint(self, client):
        paths = client.get("/api/schema/?format=json").json()["paths"]
        post_op = paths["/api/v1/scoring/suggestions/"]["post"]
        assert {"202", "400", "401", "403"} <= set(post_op["responses"])
        assert {"200", "404"} <= set(paths["/api/v1/scoring/suggestions/{id}/"]["get"]["responses"])
        assert "202" in paths["/api/v1/scoring/suggestions/{id}/rerun/"]["post"]["responses"]
