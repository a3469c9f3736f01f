"""The unread count of notifications in the header (issue 12, item 10)."""
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from teams.services import notify


def test_the_header_counts_only_my_unread_notifications(client, org):
    for _ in range(3):
        notify(recipient=org["owner"], kind="test", text="Hello")
    read = notify(recipient=org["owner"], kind="test", text="Old")
    read.read_at = timezone.now()
    read.save()
    notify(recipient=org["teammate"], kind="test", text="Not yours")
    client.force_login(org["owner"])
    html = client.get(reverse("leads:list")).content.decode()
    assert 'data-unread="3"' in html
    client.post(reverse("teams:notifications-read"))
    assert "data-unread" not in client.get(reverse("leads:list")).content.decode()


def test_the_count_is_one_query(client, org):
    notify(recipient=org["owner"], kind="test", text="Hello")
    client.force_login(org["owner"])
    client.get(reverse("teams:people"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("teams:people"))
    counts = [q["sql"] for q in ctx.captured_queries if "notification" in q["sql"].lower()]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()
