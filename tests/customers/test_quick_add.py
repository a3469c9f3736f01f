"""Quick add of an activity from the header (issue 12, item 4)."""
from unittest import mock

from django.urls import reverse

from customers import services
from customers.models import Activity
from tests.customers.factories import AccountFactory
from tests.leads.factories import LeadFactory

QUICK = {"HTTP_X_QUICK_ADD": "1"}


def test_it_logs_an_activity_on_a_lead_through_the_service(client, org):
    lead = LeadFactory(owner=org["owner"], name="Ada")
    client.force_login(org["owner"])
    data = {"kind": "call", "subject": "Intro call", "related": f"lead:{lead.pk}", "note": "Wants a demo"}
    with mock.patch("customers.views.activities.services.activity_log", wraps=services.activity_log) as log:
        response = client.post(reverse("customers:quick-add"), data, **QUICK)
    assert log.call_count == 1
    activity = Activity.objects.get()
    assert (activity.lead, activity.kind, activity.owner) == (lead, "call", org["owner"])
    assert activity.summary == "Intro call\n\nWants a demo"
    assert response.json() == {"url": reverse("leads:detail", args=[lead.pk])}


def test_a_task_on_an_account_needs_its_due_date(client, org):
    account = AccountFactory(owner=org["owner"])
    client.force_login(org["owner"])
    response = client.post(reverse("customers:quick-add"), {"kind": "task", "subject": "Send quote",
                                                            "related": f"account:{account.pk}"}, **QUICK)
    html = response.content.decode()
    assert response.status_code == 400 and 'value="Send quote"' in html and 'class="errorlist"' in html
    assert f'value="account:{account.pk}"' in html and account.name in html  # the chosen record is kept, by name
    assert not Activity.objects.exists()
    ok = client.post(reverse("customers:quick-add"), {"kind": "task", "subject": "Send quote", "due_at": "2030-01-02T10:00",
                                                      "related": f"account:{account.pk}"}, **QUICK)
    assert ok.status_code == 200 and Activity.objects.get().account == account


def test_a_record_out_of_scope_or_malformed_is_refused(client, org):
    theirs = LeadFactory(owner=org["outsider"])
    client.force_login(org["owner"])
    for related in (f"lead:{theirs.pk}", "lead:abc", "contract:1", "", "account:" + "9" * 30):
        response = client.post(reverse("customers:quick-add"), {"kind": "call", "subject": "x", "related": related},
                               **QUICK)
        assert response.status_code == 400, related
    assert not Activity.objects.exists()


def test_the_record_lookup_is_scoped(client, org):
    mine = LeadFactory(owner=org["owner"], name="Findme Mine")
    LeadFactory(owner=org["outsider"], name="Findme Theirs")
    AccountFactory(owner=org["owner"], name="Findme Account")
    client.force_login(org["owner"])
    ids = [row["id"] for row in client.get(reverse("customers:record-lookup"), {"q": "findme"}).json()["results"]]
    assert f"lead:{mine.pk}" in ids and len(ids) == 2 and any(i.startswith("account:") for i in ids)
    assert client.get(reverse("customers:account-lookup"), {"q": "x" * 101}).status_code == 400
