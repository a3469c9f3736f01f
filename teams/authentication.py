"""How people sign in: API tokens that may expire, and the answer to a locked-out login.

Failed logins on every door (the login page, the admin login, POST /api/v1/auth/token/) are
counted by django-axes (settings "security"); after AXES_FAILURE_LIMIT failures for one username
from one address, every attempt is refused for the cool-off period, even with the right password.
"""
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expires_at(token) -> datetime | None:
    """When `token` stops working: TOKEN_TTL_HOURS after it was issued, or never (TTL 0)."""
    hours = getattr(settings, "TOKEN_TTL_HOURS", 0)
    return token.created + timedelta(hours=hours) if hours else None


def token_is_expired(token, *, now: datetime | None = None) -> bool:
    expires_at = token_expires_at(token)
    return expires_at is not None and expires_at <= (now or timezone.now())


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused with 401 once the token is older than TOKEN_TTL_HOURS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            raise exceptions.AuthenticationFailed(
                _("The token has expired. Ask for a new one at /api/v1/auth/token/."))
        return user, token


def _cool_off() -> timedelta:
    return settings.AXES_COOLOFF_TIME


def lockout_message() -> str:
    minutes = max(1, round(_cool_off().total_seconds() / 60))
    return ngettext(
        "Too many failed login attempts. Try again in %(minutes)s minute.",
        "Too many failed login attempts. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: JSON for API clients, the login page's look for people; 429 either way."""
    retry_after = str(int(_cool_off().total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": lockout_message()}, status=429)
    response["Retry-After"] = retry_after
    return response
