"""Webhooks never go into the server's own network (SSRF): a subscription's URL is refused when its
host is or resolves to a loopback, private, link-local (cloud metadata) or otherwise non-public
address, through the API, the admin and in the service, and checked again before each delivery."""
import socket
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from integrations.events import publish
from integrations.models import Delivery, Subscription
from integrations.services import subscription_create, subscription_update
from integrations.targets import _blocked, check_target

pytestmark = pytest.mark.usefixtures("private_networks_refused")


@pytest.fixture
def private_networks_refused(settings):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = False


def resolving_to(*addresses):
    """socket.getaddrinfo answering the given addresses for every host."""
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]
    return mock.patch("integrations.targets.socket.getaddrinfo", side_effect=fake)


@pytest.mark.parametrize("address, blocked", [
    ("127.0.0.1", True), ("10.1.2.3", True), ("172.16.0.9", True), ("192.168.1.1", True),
    ("169.254.169.254", True), ("100.64.0.1", True), ("0.0.0.0", True), ("224.0.0.1", True),
    ("::1", True), ("fc00::1", True), ("fe80::1%eth0", True), ("::ffff:127.0.0.1", True),
    ("64:ff9b::a9fe:a9fe", True), ("64:ff9b::808:808", True), ("::a9fe:a9fe", True),
    ("2002:a9fe:a9fe::1", True), ("2002:808:808::1", False),
    ("93.184.215.14", False), ("8.8.8.8", False), ("2606:4700:4700::1111", False), ("::ffff:8.8.8.8", False),
])
def test_which_addresses_are_refused(address, blocked):
    assert _blocked(address) is blocked


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "https:///nohost", ""])
def test_only_http_and_https_addresses_with_a_host(url):
    with pytest.raises(ValidationError) as error:
        check_target(url)
    assert "http" in str(error.value)


def test_a_host_resolving_to_any_private_address_is_refused():
    with resolving_to("93.184.215.14", "10.0.0.5"), pytest.raises(ValidationError) as error:
        check_target("https://hooks.example.com/in")
    assert "private or local network" in error.value.message_dict["url"][0]
    with resolving_to("93.184.215.14"):
        check_target("https://hooks.example.com/in")  # public: allowed


def test_an_unresolvable_host_is_refused():
    with mock.patch("integrations.targets.socket.getaddrinfo", side_effect=socket.gaierror("no such host")):
        with pytest.raises(ValidationError) as error:
            check_target("https://nowhere.invalid/in")
    assert "cannot be resolved" in error.value.message_dict["url"][0]


def test_the_service_refuses_loopback_and_metadata_addresses_and_saves_nothing(org):
    for url in ("http://127.0.0.1:8000/admin/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"):
        with pytest.raises(ValidationError):
            subscription_create(by=org["admin"], name="x", url=url, event_types=["lead.created"])
    assert not Subscription.objects.exists()


def test_changing_the_url_to_a_private_one_is_refused(org):
    with resolving_to("93.184.215.14"):
        subscription = subscription_create(by=org["admin"], name="x", url="https://hooks.example.com/in",
                                           event_types=["lead.created"])
    with pytest.raises(ValidationError):
        subscription_update(subscription=subscription, by=org["admin"], url="http://localhost:6379/")
    assert Subscription.objects.get().url == "https://hooks.example.com/in"


def test_the_api_answers_400_on_the_url_field(api, org):
    body = {"name": "x", "url": "http://10.0.0.8/hook", "event_types": ["lead.created"]}
    response = api.as_user(org["admin"]).post("/api/v1/webhooks/subscriptions/", body, format="json")
    assert response.status_code == 400 and "url" in response.json()
    assert not Subscription.objects.exists()


def test_a_host_that_turns_private_later_gets_no_delivery(org, django_capture_on_commit_callbacks):
    with resolving_to("93.184.215.14"):
        subscription_create(by=org["admin"], name="x", url="https://hooks.example.com/in",
                            event_types=["lead.created"])
    with resolving_to("127.0.0.1"), mock.patch("integrations.services.requests.post") as post:
        with django_capture_on_commit_callbacks(execute=True):
            publish("lead.created", object_id=1, owner_id=org["owner"].pk, payload={"id": 1})
    post.assert_not_called()
    attempts = list(Delivery.objects.get().attempt_log.all())
    assert attempts and all(a.status_code is None and "private or local network" in a.error for a in attempts)


def test_the_admin_shows_the_refusal_on_the_url_field(client, org):
    org["admin"].is_staff = org["admin"].is_superuser = True
    org["admin"].save()
    client.force_login(org["admin"])
    response = client.post("/admin/integrations/subscription/add/", {
        "name": "x", "url": "http://169.254.169.254/latest/", "event_types": ["lead.created"],
        "is_active": "on", "max_attempts": 6})
    assert response.status_code == 200
    assert "private or local network" in str(response.context["adminform"].form.errors["url"])
    assert not Subscription.objects.exists()
