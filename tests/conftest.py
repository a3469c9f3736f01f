"""Shared fixtures: three-user access set-up (owner, teammate, outsider) as Healthchecks does."""
import unittest

import pytest
from rest_framework.test import APIClient

from salesops.celery import app as celery_app
from teams.models import User
from tests.teams.factories import TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Unit/API tests run tasks in-process; tests marked `integration` use a real worker."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _dashboard_cache_off(request, settings):
    """Every test starts with an empty cache (no rate-limit counters, backtests or dashboards of an
    earlier test), and dashboards are built live (a test changes data and
    looks again); tests of dashboards.board_cache ask for the `dashboard_cache` fixture."""
    from django.core.cache import cache

    cache.clear()
    if "dashboard_cache" not in request.fixturenames:
        settings.SALESOPS_DASHBOARD_CACHE_SECONDS = 0
    yield


@pytest.fixture
def dashboard_cache(settings):
    """Dashboards served from the cache (dashboards.board_cache), ten minutes, as in production."""
    settings.SALESOPS_DASHBOARD_CACHE_SECONDS = 600
    return settings


# Data installed by data migrations. A transactional test (browser, integration) empties the
# database when it ends, so these are installed again before each such test.
DEFAULT_DATA = [
    ("leads.migrations.0003_default_scoring", "install"),
    ("leads.migrations.0004_x_education_mapping", "install"),
    ("pipeline.migrations.0002_default_stages", "create_defaults"),
    ("pipeline.migrations.0012_h7_handoff_gate", "install"),
    ("customers.migrations.0009_h6_telco_mapping", "install"),
]
DEFAULT_DATA += [("customers.migrations.0011_h4_health", "install")]
DEFAULT_DATA += [("leads.migrations.0013_w6_source_detail_date_unknown", "keep_source_verbatim")]
DEFAULT_DATA += [("leads.migrations.0017_w5_web_forms_utm", "install")]


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _default_data(request):
    if _is_transactional(request):
        import importlib

        from django.apps import apps

        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            for module, function in DEFAULT_DATA:
                getattr(importlib.import_module(module), function)(apps, None)
    yield


@pytest.fixture
def org(db):
    """Two teams. East: manager `mgr` with reps `owner` and `teammate`. West: manager `other_mgr`, rep `outsider`."""
    east, west = TeamFactory(name="East"), TeamFactory(name="West")
    mgr = UserFactory(username="mgr", role=User.Role.MANAGER, team=east)
    other_mgr = UserFactory(username="other_mgr", role=User.Role.MANAGER, team=west)
    east.manager, west.manager = mgr, other_mgr
    east.save()
    west.save()
    return {
        "east": east, "west": west, "mgr": mgr, "other_mgr": other_mgr,
        "owner": UserFactory(username="owner", team=east),
        "teammate": UserFactory(username="teammate", team=east),
        "outsider": UserFactory(username="outsider", team=west),
        "marketing": UserFactory(username="mkt", role=User.Role.MARKETING),
        "admin": UserFactory(username="boss", role=User.Role.ADMIN, is_staff=True, is_superuser=True),
    }


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it with a token like an integration would."""
    client = APIClient()

    def as_user(user):
        from rest_framework.authtoken.models import Token
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client


# --- the handoff gate (h7) ---------------------------------------------------------------------
# Closing won requires the handoff checklist by default (pipeline migration 0012_h7_handoff_gate).
# It is configuration, like every gate criterion: tests about other behaviour (figures, the ledger,
# approvals, currencies) close deals won under the configuration they were written for, so here the
# handoff criteria are switched off (is_active, as an administrator would) unless a test asks for
# the `handoff_gate` fixture (tests/pipeline/test_handoff*.py), which keeps them as installed.
def _uses_db(request) -> bool:
    return bool(request.node.get_closest_marker("django_db")) or bool(
        {"db", "transactional_db", "live_server", "django_db_setup"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _handoff_gate_off(request, _default_data):
    unittest_case = isinstance(request.instance, unittest.TestCase)  # their own transactions: left alone
    if "handoff_gate" not in request.fixturenames and _uses_db(request) and not unittest_case:
        from pipeline.models import GateCriterion

        request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
        GateCriterion.objects.filter(kind=GateCriterion.Kind.HANDOFF).update(is_active=False)
    yield


@pytest.fixture
def handoff_gate(request):
    """The handoff criteria as the data migration installs them (every default part, active)."""
    import importlib

    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from django.apps import apps

    from pipeline.models import GateCriterion

    importlib.import_module("pipeline.migrations.0012_h7_handoff_gate").install(apps, None)
    GateCriterion.objects.filter(kind=GateCriterion.Kind.HANDOFF).update(is_active=True)
    return list(GateCriterion.objects.filter(kind=GateCriterion.Kind.HANDOFF))


# --- screenshots (browser tests) -----------------------------------------------------------------
def screenshot_dir():
    """Where browser tests write screenshots: $SALESOPS_SCREENSHOT_DIR, else test-artifacts/screenshots
    (git-ignored). Names: `<page>-<language>.png`, `<page>-390-<language>.png` at phone width."""
    import os
    from pathlib import Path

    folder = Path(os.environ.get("SALESOPS_SCREENSHOT_DIR", "test-artifacts/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshots():
    """`screenshots(page, "board", "zh-hans", width=390)` saves a full-page shot as board-390-zh-hans.png
    in screenshot_dir() and returns its path."""
    def take(page, name, language="en", *, width=None, full_page=True):
        stem = f"{name}-{width}-{language}" if width else f"{name}-{language}"
        path = screenshot_dir() / f"{stem}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture(autouse=True)
def _rule_set_cache_forgets_rolled_back_rules():
    """leads.selectors keeps published rule sets per process (they never change in production);
    a test that edits one and rolls back must not leave its edit cached for the next test."""
    yield
    from leads.selectors import rule_set_cache_clear

    rule_set_cache_clear()
