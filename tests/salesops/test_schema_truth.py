"""The OpenAPI schema says what the API answers (schemathesis checks the same against a live server)."""
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def component(schema, name):
    return schema["components"]["schemas"][name]


def test_every_operation_documents_the_errors_the_base_layer_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path != "/api/v1/auth/token/" and not path.startswith("/api/v1/public/"):  # public: no 401
                assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"400", "409"} <= codes, (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= codes, (method, path)


def test_names_of_optional_relations_are_nullable(schema):
    assert component(schema, "User")["properties"]["team_name"]["nullable"] is True
    assert component(schema, "User")["properties"]["territory_name"]["nullable"] is True
    assert component(schema, "Assignment")["properties"]["rule_name"]["nullable"] is True


def test_a_deals_history_is_a_plain_list_without_filters(schema, api, org):
    operation = schema["paths"]["/api/v1/opportunities/{id}/history/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert [p["name"] for p in operation.get("parameters", [])] == ["id"]
    from tests.pipeline.factories import make_opportunity

    deal = make_opportunity(owner=org["owner"])
    body = api.as_user(org["owner"]).get(f"/api/v1/opportunities/{deal.pk}/history/?page_size=1").json()
    assert isinstance(body, list) and body[0]["to_stage"]


def test_lead_quality_months_are_months_not_dates(schema):
    month = component(schema, "LeadQualityRow")["properties"]["month"]
    assert month["type"] == "string" and "format" not in month
    assert month["pattern"] == r"^\d{4}-(0[1-9]|1[0-2])$"


@pytest.mark.parametrize("path, method, own", [
    ("/api/v1/opportunities/{id}/transition/", "post", "TransitionRefused"),
])
def test_a_documented_400_body_may_also_be_the_generic_error(schema, path, method, own):
    body = schema["paths"][path][method]["responses"]["400"]["content"]["application/json"]["schema"]
    assert body == {"anyOf": [{"$ref": f"#/components/schemas/{own}"}, {"$ref": "#/components/schemas/Error"}]}


FILE_UPLOADS = {"/api/v1/leads/import/", "/api/v1/opportunity-import-jobs/"}


def test_bodies_are_documented_as_json_except_file_uploads(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                expected = ["multipart/form-data"] if path in FILE_UPLOADS else ["application/json"]
                assert list(operation["requestBody"]["content"]) == expected, (method, path)


def test_paging_parameters_state_their_range(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/leads/"]["get"]["parameters"]}
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}


def test_publish_and_copy_document_their_status_codes(schema):
    assert "202" in schema["paths"]["/api/v1/scoring/rule-sets/{id}/publish/"]["post"]["responses"]
    assert "201" in schema["paths"]["/api/v1/scoring/rule-sets/{id}/copy/"]["post"]["responses"]


def test_integer_filters_state_their_own_range_not_the_model_fields(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/leads/"]["get"]["parameters"]}
    assert parameters["min_company_size"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    assert parameters["owner"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def test_a_formatted_text_field_that_may_be_blank_says_so(schema, api, org):
    link = component(schema, "NurtureStepRequest")["properties"]["link_url"]
    assert "format" not in link and re.match(link["pattern"], "") and re.match(link["pattern"], "https://x.org/a")
    assert not re.match(link["pattern"], "not a link")
    response = api.as_user(org["marketing"]).post("/api/v1/nurture/tracks/", {
        "name": "Drip", "steps": [{"order": 1, "subject": "Hi", "body": "x", "link_url": ""}]}, format="json")
    assert response.status_code == 201 and response.json()["steps"][0]["link_url"] == ""


# found by schemathesis (all checks) once the goals and snapshots API were merged
def test_a_decimal_may_be_sent_as_a_json_number_and_the_schema_says_so(schema, api, org):
    baseline = component(schema, "GoalRequest")["properties"]["baseline"]
    assert [option["type"] for option in baseline["oneOf"]] == ["string", "number"]
    assert component(schema, "Goal")["properties"]["baseline"]["type"] == "string"  # answers stay exact
    response = api.as_user(org["admin"]).post("/api/v1/goals/", {
        "metric": "data_completeness", "scope": "organisation", "baseline": 80, "target": "95.0000",
        "start": "2026-12-01", "deadline": "2027-11-30"}, format="json")
    assert response.status_code == 201 and response.json()["baseline"] == "80.0000"


def test_an_unmeasured_goal_has_a_blank_pace_and_the_schema_allows_it(schema):
    options = component(schema, "Goal")["properties"]["pace"]["oneOf"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in options


def test_a_snapshot_scope_id_is_a_whole_number(api, org):
    client = api.as_user(org["admin"])
    assert client.get("/api/v1/kpi-snapshots/?scope_id=0.5").status_code == 400
    assert client.get("/api/v1/kpi-snapshots/?scope_id=3").status_code == 200
