"""The quick log on lead, deal and account pages, the shared timeline (late flag) and the activity list."""
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Activity
from customers.registry import _timeline_panel
from pipeline.models import OpportunityActivity
from salesops import panels, timeline
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import make_opportunity

from .factories import AccountFactory, ActivityFactory

pytestmark = pytest.mark.django_db


def quick_log(client, about, pk, **data):
    return client.post(reverse("customers:activity-log"), {
        "subject": about, "subject_id": pk, "kind": "call", "summary": "Intro call", "occurred_at": "",
        "next": f"/leads/{pk}/" if about == "lead" else "/customers/tasks/", **data})


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_call_logged_on_a_lead_returns_to_the_lead_page(client, org):
    lead = LeadFactory(owner=org["owner"])
    client.force_login(org["owner"])
    response = quick_log(client, "lead", lead.pk)
    assert response.status_code == 302 and response["Location"] == f"/leads/{lead.pk}/"
    assert messages_of(response) == ["Activity logged."]
    call = Activity.objects.get()
    assert (call.lead_id, call.kind, call.owner_id) == (lead.pk, "call", org["owner"].pk)


def test_a_late_entry_is_saved_and_says_so(client, org):
    lead = LeadFactory(owner=org["owner"])
    client.force_login(org["owner"])
    when = timezone.localtime() - timedelta(days=2)
    response = quick_log(client, "lead", lead.pk, occurred_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert "logged late" in messages_of(response)[0] and Activity.objects.count() == 1


def test_a_future_entry_is_refused_and_nothing_is_saved(client, org):
    lead = LeadFactory(owner=org["owner"])
    client.force_login(org["owner"])
    when = timezone.localtime() + timedelta(days=1)
    response = quick_log(client, "lead", lead.pk, occurred_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 302 and "future" in messages_of(response)[0]
    assert not Activity.objects.exists()


def test_a_task_with_a_due_date_from_the_account_quick_log(client, org):
    account = AccountFactory(owner=org["owner"])
    client.force_login(org["owner"])
    due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = quick_log(client, "account", account.pk, kind="task", summary="Send the proposal", due_at=due)
    assert messages_of(response) == ["Task added."]
    task = Activity.objects.get()
    assert (task.kind, task.account_id, task.due_at is not None) == ("task", account.pk, True)


def test_bad_input_changes_nothing(client, org):
    lead = LeadFactory(owner=org["owner"])
    client.force_login(org["owner"])
    for bad in ({"kind": "dance"}, {"summary": ""}, {"subject_id": "x"}, {"subject": "deal"},
                {"occurred_at": "yesterday"}, {"kind": "task"}):
        response = quick_log(client, "lead", lead.pk, **bad)
        assert response.status_code == 302 and messages_of(response), bad
    assert not Activity.objects.exists()


def test_someone_elses_lead_or_account_is_not_found(client, org):
    client.force_login(org["outsider"])
    assert quick_log(client, "lead", LeadFactory(owner=org["owner"]).pk).status_code == 404
    assert quick_log(client, "account", AccountFactory(owner=org["owner"]).pk).status_code == 404
    assert not Activity.objects.exists()


def test_the_quick_log_redirects_only_to_this_site(client, org):
    lead = LeadFactory(owner=org["owner"])
    client.force_login(org["owner"])
    response = quick_log(client, "lead", lead.pk, next="https://evil.example/")
    assert response["Location"] == f"/leads/{lead.pk}/"  # the lead's page instead


def test_the_lead_page_shows_the_timeline_with_the_late_flag_and_the_quick_log(client, org):
    lead = LeadFactory(owner=org["owner"])
    ActivityFactory(account=None, lead=lead, owner=org["owner"], summary="Old call",
                    occurred_at=timezone.now() - timedelta(days=3))
    client.force_login(org["owner"])
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Old call" in page and 'data-flag="late"' in page and "logged late" in page
    assert reverse("customers:activity-log") in page and 'name="subject" value="lead"' in page


def test_the_deal_page_quick_log_links_the_activity_to_the_deal(client, org):
    deal = make_opportunity(owner=org["owner"])
    client.force_login(org["owner"])
    response = client.post(reverse("pipeline:activity-log", args=[deal.pk]), {"kind": "email", "summary": "Sent terms"})
    assert response.status_code == 302 and messages_of(response) == ["Activity logged."]
    link = OpportunityActivity.objects.get(opportunity=deal)
    assert link.activity.account_id == deal.account_id
    page = client.get(reverse("pipeline:detail", args=[deal.pk])).content.decode()
    assert "Sent terms" in page and 'data-kind="email"' in page and 'id="activity-form"' in page


def test_the_account_panel_renders_the_timeline_and_the_quick_log(rf, org):
    account = AccountFactory(owner=org["owner"])
    ActivityFactory(account=account, owner=org["owner"], summary="Quarterly review")
    assert "timeline" in {panel.code for panel in panels.account_panels()}
    content = _timeline_panel(account, org["owner"])
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = org["owner"]
    html = render_to_string(content.template, content.context, request=request)
    assert "Quarterly review" in html and 'name="subject" value="account"' in html


@pytest.mark.parametrize("subject", ["lead", "account", "contact", "opportunity"])
def test_each_timeline_source_costs_the_same_queries_whatever_it_holds(org, subject):
    account = AccountFactory(owner=org["owner"])
    lead = LeadFactory(owner=org["owner"])
    deal = make_opportunity(owner=org["owner"], account=account)
    from tests.customers.factories import ContactFactory

    contact = ContactFactory(account=account)
    obj = {"lead": lead, "account": account, "contact": contact, "opportunity": deal}[subject]

    def add(n):
        from customers.services import activity_log
        from pipeline.services import opportunity_activity_log
        for i in range(n):
            if subject == "opportunity":
                opportunity_activity_log(opportunity=deal, by=org["owner"], kind="call", summary=f"c{i}")
            elif subject == "lead":
                activity_log(by=org["owner"], lead=lead, kind="call", summary=f"c{i}")
            else:
                activity_log(by=org["owner"], account=account, contact=contact, kind="call", summary=f"c{i}")

    def cost():
        with CaptureQueriesContext(connection) as queries:
            items = timeline.timeline(subject, obj, org["owner"])
        return len(queries), len(items)

    add(1)
    one = cost()
    add(9)
    ten = cost()
    assert (one[1], ten[1]) == (1, 10) and one[0] == ten[0] <= 2


def test_the_activity_list_filters_late_entries_in_constant_queries(client, org, django_assert_max_num_queries):
    account = AccountFactory(owner=org["owner"])
    for days in (0, 2, 3):
        ActivityFactory(account=account, owner=org["owner"], occurred_at=timezone.now() - timedelta(days=days))
    client.force_login(org["owner"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("customers:activity-list") + "?late=true").content.decode()
    assert page.count('data-flag="late"') == 2


def test_the_admin_logs_on_a_lead_through_the_service_and_refuses_the_future(admin_client, org):
    lead = LeadFactory(owner=org["owner"])
    url = reverse("admin:customers_activity_add")

    def post(when):
        local = timezone.localtime(when)
        return admin_client.post(url, {"lead": lead.pk, "account": "", "contact": "", "kind": "note",
                                       "occurred_at_0": local.date().isoformat(),
                                       "occurred_at_1": local.strftime("%H:%M:%S"), "summary": "From the admin"})

    assert post(timezone.now() + timedelta(days=1)).status_code == 302
    assert not Activity.objects.exists()  # refused by the service, shown as a message
    assert post(timezone.now() - timedelta(days=2)).status_code == 302
    note = Activity.objects.get()
    assert (note.lead_id, note.owner.is_superuser) == (lead.pk, True)  # logged by the admin user
    assert admin_client.get(reverse("admin:customers_activity_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:customers_activity_change", args=[note.pk])).status_code == 200


def test_the_lead_and_deal_pages_cost_the_same_queries_with_1_or_10_activities(client, org):
    from customers.services import activity_log
    from pipeline.services import opportunity_activity_log

    lead, deal = LeadFactory(owner=org["owner"]), make_opportunity(owner=org["owner"])
    client.force_login(org["owner"])

    def add(n):
        for i in range(n):
            activity_log(by=org["owner"], lead=lead, kind="call", summary=f"c{i}",
                         occurred_at=timezone.now() - timedelta(hours=30 * (i % 2)))
            opportunity_activity_log(opportunity=deal, by=org["owner"], kind="note", summary=f"n{i}")

    def cost(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    pages = [reverse("leads:detail", args=[lead.pk]), reverse("pipeline:detail", args=[deal.pk])]
    add(1)
    before = [cost(url) for url in pages]
    add(9)
    assert [cost(url) for url in pages] == before
