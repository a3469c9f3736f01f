"""Integration keys: Bearer authentication as the key's service user, scopes, expiry, revocation,
rotation, the secret shown once, rate limits with 429 and Retry-After; the login rate limit."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.models import IntegrationKey
from integrations.services import key_create, key_revoke, key_rotate
from leads.models import Lead


@pytest.fixture
def service_user(org):
    from teams.models import User
    from tests.teams.factories import UserFactory

    return UserFactory(username="marketo", role=User.Role.MARKETING)


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _key(org, user, scopes, **kwargs):
    return key_create(by=org["admin"], name="Marketo", user=user, scopes=scopes, **kwargs)


def test_a_key_without_leads_write_cannot_create_a_lead_and_one_with_it_can(org, service_user):
    _row, read_only = _key(org, service_user, ["leads:read"])
    _row, writer = _key(org, service_user, ["leads:read", "leads:write"])
    body = {"name": "Grace", "email": "grace@example.com"}
    refused = _client(read_only).post("/api/v1/leads/", body, format="json")
    assert refused.status_code == 403 and "leads:write" in refused.json()["detail"]
    assert not Lead.objects.exists()
    assert _client(read_only).get("/api/v1/leads/").status_code == 200
    created = _client(writer).post("/api/v1/leads/", body, format="json")
    assert created.status_code == 201, created.content
    assert Lead.objects.get().owner == service_user  # acts as its service user


def test_scopes_per_area_and_unmapped_endpoints_refuse_keys(org, service_user):
    _row, key = _key(org, service_user, ["leads:read", "leads:write"])
    assert _client(key).get("/api/v1/opportunities/").status_code == 403  # deals:read needed
    assert _client(key).get("/api/v1/users/").status_code == 403  # no scope opens people to keys
    assert _client(key).get("/api/v1/integration-keys/").status_code == 403  # keys never manage keys
    events = _client(key).post("/api/v1/lead-events/", [], format="json")
    assert events.status_code == 403 and "events:write" in events.json()["detail"]


def test_only_a_hash_is_stored_and_the_key_is_shown_once(api, org, service_user):
    response = api.as_user(org["admin"]).post("/api/v1/integration-keys/", {
        "name": "BI", "user": service_user.pk, "scopes": ["deals:read"]}, format="json")
    assert response.status_code == 201, response.content
    key = response.json()["key"]
    row = IntegrationKey.objects.get(pk=response.json()["id"])
    assert key not in (row.key_hash, row.prefix) and key.startswith(f"so_{row.prefix}_")
    listed = api.get(f"/api/v1/integration-keys/{row.pk}/").json()
    assert "key" not in listed and key not in str(listed)
    assert api.as_user(org["owner"]).get("/api/v1/integration-keys/").status_code == 403


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown", "malformed"])
def test_expired_revoked_and_wrong_keys_get_401(org, service_user, state):
    row, key = _key(org, service_user, ["leads:read"])
    if state == "expired":
        IntegrationKey.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif state == "revoked":
        key_revoke(key=row, by=org["admin"])
    elif state == "unknown":
        key = key[:-4] + "abcd"
    else:
        key = "so_x"
    response = _client(key).get("/api/v1/leads/")
    assert response.status_code == 401 and response["WWW-Authenticate"]


def test_rotation_gives_a_new_key_and_the_old_one_ends_after_the_grace(org, service_user):
    row, old = _key(org, service_user, ["leads:read"])
    new_row, new = key_rotate(key=row, by=org["admin"], grace_hours=0)
    assert new != old and new_row.scopes == ["leads:read"] and new_row.rotated_from_id == row.pk
    assert _client(old).get("/api/v1/leads/").status_code == 401
    assert _client(new).get("/api/v1/leads/").status_code == 200


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(org, service_user):
    _row, key = _key(org, service_user, ["leads:read"], rate_limit_per_minute=3)
    client = _client(key)
    statuses = [client.get("/api/v1/leads/").status_code for _n in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/leads/")
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60


def test_sixty_wrong_passwords_in_a_row_end_in_429_whatever_the_usernames(org):
    client = APIClient()
    statuses = [client.post("/api/v1/auth/token/", {"username": f"nobody{n}", "password": "wrong"},
                            format="json").status_code for n in range(60)]
    assert statuses[0] == 400 and statuses[-1] == 429
    assert client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")["Retry-After"]
