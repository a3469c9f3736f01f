"""Settings of the test suite: salesops.settings plus test-only values.

pytest uses it (DJANGO_SETTINGS_MODULE in pyproject.toml), and so do the processes the suite starts
(the Celery worker of the integration tests) unless they set their own. The environment still
chooses the database and broker (DATABASE_URL, CELERY_BROKER_URL; none means SQLite and eager tasks).
"""
import os

_TEST_SECRET_KEY = "django-insecure-test-suite-only-key-never-use-in-production-0123456789"

# settings.py refuses to load without SECRET_KEY when DEBUG is off: lend it one while it loads,
# without leaving it in the environment of processes the tests start (they test that refusal).
_lent_key = "SECRET_KEY" not in os.environ
if _lent_key:
    os.environ["SECRET_KEY"] = _TEST_SECRET_KEY
try:
    from .settings import *  # noqa: F403
    from .settings import STORAGES
finally:
    if _lent_key:
        del os.environ["SECRET_KEY"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; test users only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # outbox in memory (mail.outbox)

# Static files straight from the finders: no collectstatic, no manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True

# The suite talks plain HTTP to its own servers (test client, live server, worker): no HTTPS redirect,
# cookies not limited to HTTPS. Production keeps its defaults (settings.py, `check --deploy`).
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
# A "replica" alias (DATABASE_REPLICA_URL) is a TEST MIRROR of default; reads stay on default in tests, where
# a mirror's second connection would not see rows written inside the test's transaction (salesops/db_router.py).
READ_REPLICA_ROUTING = False
# Webhook receivers in the suite are local servers or mocks (tests/integrations/test_targets.py turns
# the private-network check back on).
INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = True
# tests sync right after writing; tests/salesops/test_sync_horizon.py sets a margin where it checks one
SALESOPS_SYNC_SETTLE_SECONDS = 0
