"""A webhook delivered by a real Celery worker: the first attempt fails (HTTP 500), the worker
retries after its back-off (1 s here), the receiver gets the signed event and the log shows both."""
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from integrations import signing
from integrations.models import Delivery
from integrations.services import subscription_create
from leads.services import lead_create
from teams.models import User
from tests.integration.test_worker import worker  # noqa: F401  (the worker fixture, started for this module)

os.environ.setdefault("INTEGRATIONS_WEBHOOK_BACKOFF_BASE", "1")  # read by the worker process it starts
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((body, dict(self.headers)))
        self.send_response(500 if len(Receiver.received) == 1 else 200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_the_worker_delivers_a_signed_webhook_and_retries_after_a_failure(worker, receiver):  # noqa: F811
    admin = User.objects.create_user("hook-admin", password="x-pw-123456", role=User.Role.ADMIN)
    subscription = subscription_create(by=admin, name="local", url=receiver, event_types=["lead.created"])
    lead = lead_create(by=admin, name="Ada", email="ada-hook@example.com")
    deadline = time.monotonic() + 60
    while not Delivery.objects.filter(status=Delivery.Status.SUCCEEDED).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 2
    assert list(delivery.attempt_log.order_by("number").values_list("status_code", flat=True)) == [500, 200]
    body, headers = Receiver.received[-1]
    assert json.loads(body)["data"]["id"] == lead.pk
    assert signing.verify(subscription.secret, body, headers["X-SalesOps-Signature"])
