"""Rate limits per client address (DRF throttling on the default cache: set CACHE_URL to a shared
Redis when several processes serve the API, or each process counts on its own). Answers 429 with
Retry-After. The rates are settings: REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]."""
from rest_framework.throttling import SimpleRateThrottle


class AddressThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(AddressThrottle):
    """POST /api/v1/auth/token/: attempts per address whatever the usernames (axes locks per username)."""

    scope = "login"


class PublicFormThrottle(AddressThrottle):
    """Web-to-lead submissions per address."""

    scope = "public_form"
