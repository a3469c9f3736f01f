from unittest import mock

import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["status"] == "ok"


def test_healthz_is_503_when_the_database_fails(client):
    with mock.patch("salesops.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unhealthy", "database": "error: OperationalError",
                               "broker": response.json()["broker"]}


def test_healthz_is_200_degraded_when_the_broker_is_unreachable(client, settings):
    # Writes still succeed without the broker (work is recorded and swept later), so a load
    # balancer keeps the node; monitoring reads "degraded" and the broker's error.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"].startswith("error")
