"""Rate limits (DRF throttling on the default cache; configure CACHE_URL with Redis when several
processes serve the API, or each process counts on its own)."""
from rest_framework.throttling import SimpleRateThrottle

from .models import IntegrationKey


class IntegrationKeyThrottle(SimpleRateThrottle):
    """Requests per minute per integration key (IntegrationKey.rate_limit_per_minute); 429 with
    Retry-After beyond it. Requests not made with a key are not counted here."""

    scope = "integration_key"

    def get_rate(self):
        return None  # set per request from the key

    def allow_request(self, request, view):
        key = request.auth
        if not isinstance(key, IntegrationKey):
            return True
        self.num_requests, self.duration = key.rate_limit_per_minute, 60
        self.key = self.cache_format % {"scope": self.scope, "ident": key.pk}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def get_cache_key(self, request, view):  # pragma: no cover - allow_request builds the key
        return None
