import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/leads/", "/api/v1/users/", "/api/v1/teams/", "/api/v1/quotas/"])
def test_unauthenticated_calls_get_401_and_no_data(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "results" not in response.json()
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_is_issued_for_a_username_and_password(api, org):
    response = api.post("/api/v1/auth/token/", {"username": "owner", "password": "pw-for-tests-1"}, format="json")
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/users/me/").json()["username"] == "owner"


def test_a_wrong_password_gets_a_400_with_a_message(api, org):
    response = api.post("/api/v1/auth/token/", {"username": "owner", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_lists_are_paginated(api, org):
    body = api.as_user(org["admin"]).get("/api/v1/users/?page_size=2").json()
    assert list(body) == ["count", "count_is_estimate", "next", "previous", "results"]
    assert len(body["results"]) == 2 and body["next"] and body["count_is_estimate"] is False


def test_the_openapi_schema_is_valid_openapi_3(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/leads/" in schema["paths"]
    from openapi_spec_validator import validate
    validate(schema)


def test_the_api_docs_page_uses_no_cdn(client):
    response = client.get("/api/docs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui" in body
    assert "cdn." not in body and "unpkg" not in body and "jsdelivr" not in body


def test_malformed_json_gets_a_400_not_a_500(api, org):
    response = api.as_user(org["owner"]).post("/api/v1/leads/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_errors_are_translated_for_chinese_clients(api, org):
    client = api.as_user(org["owner"])
    response = client.post("/api/v1/leads/", {"name": "", "email": "bad"}, format="json",
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "name" in response.json() and "email" in response.json()
    assert response.json()["name"] != ["This field may not be blank."]
