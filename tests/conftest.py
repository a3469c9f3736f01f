"""Shared fixtures: three-user access set-up (owner, teammate, outsider) as Healthchecks does."""
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


# Data installed by data migrations. A transactional test (browser, integration) empties the
# database when it ends, so these are installed again before each such test.
DEFAULT_DATA = [
    ("leads.migrations.0003_default_scoring", "install"),
    ("leads.migrations.0004_x_education_mapping", "install"),
    ("pipeline.migrations.0002_default_stages", "create_defaults"),
]
DEFAULT_DATA += [("customers.migrations.0006_h4_health", "install")]


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
