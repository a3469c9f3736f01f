"""The integrations settings page: administrators create a key (shown once), rotate and revoke it,
and redeliver a webhook delivery; nobody else opens it."""
from unittest import mock

from integrations.events import publish
from integrations.models import Delivery, IntegrationKey
from integrations.services import subscription_create


def test_an_admin_creates_a_key_on_the_page_and_sees_it_once(client, org):
    client.force_login(org["admin"])
    assert client.get("/org/integrations/").status_code == 200
    response = client.post("/org/integrations/", {"name": "Website", "user": org["marketing"].pk,
                                                  "scopes": ["leads:write", "events:write"],
                                                  "rate_limit_per_minute": 100})
    assert response.status_code == 200
    key = IntegrationKey.objects.get()
    html = response.content.decode()
    assert f"so_{key.prefix}_" in html and key.scopes == ["events:write", "leads:write"]
    assert f"so_{key.prefix}_" not in client.get("/org/integrations/").content.decode()
    rotated = client.post(f"/org/integrations/keys/{key.pk}/rotate/")
    assert rotated.status_code == 200 and IntegrationKey.objects.count() == 2
    client.post(f"/org/integrations/keys/{key.pk}/revoke/")
    assert IntegrationKey.objects.get(pk=key.pk).revoked_at is not None


def test_bad_key_input_changes_nothing(client, org):
    client.force_login(org["admin"])
    response = client.post("/org/integrations/", {"name": "x", "user": org["marketing"].pk, "scopes": ["nope"],
                                                  "rate_limit_per_minute": 1})
    assert response.status_code == 200 and not IntegrationKey.objects.exists()


def test_others_cannot_open_the_page(client, org):
    client.force_login(org["mgr"])
    assert client.get("/org/integrations/").status_code == 403


def test_redelivery_from_the_page(client, org, django_capture_on_commit_callbacks):
    subscription_create(by=org["admin"], name="s", url="https://example.com/h", event_types=["lead.created"])
    publish("lead.created", object_id=1, payload={})
    delivery = Delivery.objects.get()
    client.force_login(org["admin"])
    ok = mock.Mock(status_code=200, text="ok")
    with mock.patch("integrations.services.requests.post", return_value=ok) as post:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/org/integrations/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 302 and post.call_count == 1
    assert Delivery.objects.filter(redelivery_of=delivery, status=Delivery.Status.SUCCEEDED).exists()
