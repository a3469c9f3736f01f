"""Accounts: login lockout on every door, API tokens that end, the Content-Security-Policy."""
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.salesops.test_settings import run_manage

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # tests.teams.factories.UserFactory
TOKEN_URL = "/api/v1/auth/token/"


def login_page(client, password, username="owner", **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def admin_login(client, password, username="boss"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def token_login(client, password, username="owner", **extra):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


class TestLoginLockout:
    def test_the_login_page_refuses_the_right_password_after_eleven_wrong_ones(self, client, org):
        statuses = [login_page(client, f"wrong-{i}").status_code for i in range(11)]
        assert statuses[:9] == [200] * 9  # the form says "wrong password"
        assert statuses[9:] == [429, 429]
        response = login_page(client, PASSWORD)
        assert response.status_code == 429
        assert "Too many failed login attempts. Try again in 15 minutes." in response.content.decode()
        assert response["Retry-After"] == "900"
        assert "_auth_user_id" not in client.session

    def test_the_admin_login_is_locked_the_same_way(self, client, org):
        for i in range(11):
            admin_login(client, f"wrong-{i}")
        response = admin_login(client, PASSWORD)
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_the_token_endpoint_answers_429_with_a_message(self, api, org):
        statuses = [token_login(api, f"wrong-{i}").status_code for i in range(11)]
        assert statuses[:9] == [400] * 9 and statuses[9:] == [429, 429]
        response = token_login(api, PASSWORD)
        assert response.status_code == 429
        assert response.json() == {"detail": "Too many failed login attempts. Try again in 15 minutes."}
        assert response["Retry-After"] == "900"
        assert not Token.objects.filter(user=org["owner"]).exists()

    def test_fewer_failures_than_the_limit_and_a_success_reset_the_count(self, client, org):
        for i in range(9):
            login_page(client, f"wrong-{i}")
        assert login_page(client, PASSWORD).status_code == 302
        client.logout()
        for i in range(9):
            assert login_page(client, f"wrong-again-{i}").status_code == 200
        assert login_page(client, PASSWORD).status_code == 302

    def test_the_lock_is_per_username_and_address(self, api, org):
        for i in range(10):
            token_login(api, f"wrong-{i}")
        assert token_login(api, PASSWORD).status_code == 429
        assert token_login(api, PASSWORD, username="teammate").status_code == 200
        assert token_login(api, PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 200

    def test_the_lock_ends_after_the_cool_off(self, client, org):
        for i in range(10):
            login_page(client, f"wrong-{i}")
        assert login_page(client, PASSWORD).status_code == 429
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
        assert login_page(client, PASSWORD).status_code == 302

    def test_the_lockout_message_is_translated(self, api, org):
        for i in range(10):
            token_login(api, f"wrong-{i}")
        response = token_login(api, PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 429 and response.json()["detail"]


class TestTokens:
    def auth(self, api, key):
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api.get("/api/v1/users/me/")

    def test_the_revoke_endpoint_ends_the_callers_token(self, api, org):
        client = api.as_user(org["owner"])
        other = Token.objects.create(user=org["teammate"])
        response = client.post("/api/v1/auth/token/revoke/")
        assert response.status_code == 204
        assert client.get("/api/v1/users/me/").status_code == 401
        assert not Token.objects.filter(user=org["owner"]).exists()
        assert Token.objects.filter(pk=other.pk).exists()

    def test_revoking_needs_a_signed_in_caller(self, api, org):
        assert api.post("/api/v1/auth/token/revoke/").status_code == 401

    def test_a_password_change_revokes_the_token(self, api, client, org):
        key = token_login(api, PASSWORD).json()["token"]
        client.force_login(org["owner"])
        response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "N3w-secret-pw!",
                                                        "new_password2": "N3w-secret-pw!"})
        assert response.status_code == 302
        assert self.auth(api, key).status_code == 401
        assert not Token.objects.filter(user=org["owner"]).exists()

    def test_a_password_set_anywhere_revokes_the_token(self, api, org):
        key = token_login(api, PASSWORD).json()["token"]
        org["owner"].set_password("Another-pw-42")
        org["owner"].save()
        assert self.auth(api, key).status_code == 401

    def test_other_saves_keep_the_token(self, api, org):
        key = token_login(api, PASSWORD).json()["token"]
        org["owner"].first_name = "Ada"
        org["owner"].save()
        assert self.auth(api, key).status_code == 200

    def test_logging_out_of_the_pages_revokes_the_token(self, api, client, org):
        key = token_login(api, PASSWORD).json()["token"]
        client.force_login(org["owner"])
        assert client.post("/accounts/logout/").status_code == 302
        assert self.auth(api, key).status_code == 401

    def test_logout_keeps_tokens_when_so_configured(self, api, client, org, settings):
        settings.TOKEN_REVOKE_ON_LOGOUT = False
        key = token_login(api, PASSWORD).json()["token"]
        client.force_login(org["owner"])
        client.post("/accounts/logout/")
        assert self.auth(api, key).status_code == 200

    def test_tokens_do_not_expire_by_default(self, api, org):
        body = token_login(api, PASSWORD).json()
        Token.objects.filter(key=body["token"]).update(created=timezone.now() - timedelta(days=3650))
        assert body["expires_at"] is None
        assert self.auth(api, body["token"]).status_code == 200

    def test_an_expired_token_gets_401_and_a_new_one_is_issued(self, api, org, settings):
        settings.TOKEN_TTL_HOURS = 24
        body = token_login(api, PASSWORD).json()
        assert body["expires_at"]
        assert token_login(api, PASSWORD).json()["token"] == body["token"]  # still valid: the same token
        Token.objects.filter(key=body["token"]).update(created=timezone.now() - timedelta(hours=25))
        response = self.auth(api, body["token"])
        assert response.status_code == 401
        assert response.json()["detail"] == "The token has expired. Ask for a new one at /api/v1/auth/token/."
        fresh = token_login(api, PASSWORD).json()["token"]
        assert fresh != body["token"]
        assert self.auth(api, fresh).status_code == 200


class TestContentSecurityPolicy:
    PAGES = ["/dashboards/sales/", "/dashboards/marketing/", "/dashboards/executive/", "/leads/", "/pipeline/board/",
             "/pipeline/forecast/", "/leads/quality/", "/api/docs/", "/admin/"]

    def test_every_page_sends_a_policy_with_scripts_from_the_app_only(self, client, org):
        client.force_login(org["admin"])
        for path in self.PAGES:
            response = client.get(path)
            assert response.status_code == 200, path
            policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
            assert policy["script-src"] == "'self'", path
            assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"

    def test_pages_have_no_inline_scripts_or_event_handlers(self, client, org):
        client.force_login(org["admin"])
        for path in self.PAGES:
            html = client.get(path).content.decode()
            for tag in re.findall(r"<script\b[^>]*>", html):
                assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
            assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path

    def test_the_api_docs_start_up_script_is_a_separate_file(self, client, org):
        client.force_login(org["admin"])
        response = client.get("/api/docs/?script=")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/javascript")
        assert "SwaggerUIBundle" in response.content.decode()

    def test_the_login_page_has_the_policy_too(self, client):
        assert "script-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]


SHOW_PROXY_HEADER = "from django.conf import settings; print(repr(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)))"
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x8#k2!qv9z" * 6, "ALLOWED_HOSTS": "salesops.example.com"}


def test_the_proxy_https_header_is_not_trusted_unless_configured():
    result = run_manage("shell", "-c", SHOW_PROXY_HEADER, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "None"


def test_the_proxy_https_header_is_trusted_when_configured():
    result = run_manage("shell", "-c", SHOW_PROXY_HEADER, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https')"
