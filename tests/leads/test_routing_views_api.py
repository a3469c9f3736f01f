"""Routing screens and API: managers' queue, assign, touch, assignment log, notifications.

Permissions hold identically in HTML and the API: reps cannot assign or see the queue; managers
assign only to their own team; other people's leads answer 404.
"""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.models import Assignment, Lead
from leads.services.routing import lead_assign
from teams.models import Notification
from teams.services import notify
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(org):
    """A top-grade lead nobody owns (e.g. no routing rule matched)."""
    lead = LeadFactory(owner=None, name="Queued Lead", mql_at=timezone.now())
    Assignment.objects.create(lead=lead, rep=None, reason="No active routing rule matched (region east)")
    return lead


def login(client, user):
    client.force_login(user)
    return client


class TestQueuePage:
    def test_a_manager_sees_the_queue_with_the_reason_and_own_reps_only(self, client, org, queued):
        response = login(client, org["mgr"]).get(reverse("leads:queue"))
        body = response.content.decode()
        assert response.status_code == 200
        assert "Queued Lead" in body and "No active routing rule matched" in body
        assert f'value="{org["owner"].pk}"' in body and f'value="{org["outsider"].pk}"' not in body

    def test_the_navigation_and_the_lead_links_follow_the_predicates_and_the_scope(self, client, org, queued):
        link = f'href="{reverse("leads:detail", args=[queued.pk])}"'
        manager_page = login(client, org["mgr"]).get(reverse("leads:queue")).content.decode()
        assert 'data-nav="queue"' in manager_page and link not in manager_page  # unowned: outside a manager's scope
        admin_page = login(client, org["admin"]).get(reverse("leads:queue")).content.decode()
        assert link in admin_page
        rep_page = login(client, org["owner"]).get(reverse("leads:list")).content.decode()
        assert 'data-nav="queue"' not in rep_page

    def test_a_rep_cannot_see_the_queue(self, client, org, queued):
        assert login(client, org["owner"]).get(reverse("leads:queue")).status_code == 403

    def test_anonymous_users_are_sent_to_log_in(self, client, queued):
        assert client.get(reverse("leads:queue")).status_code == 302

    def test_the_queue_uses_a_constant_number_of_queries(self, client, org, queued):
        login(client, org["mgr"])
        client.get(reverse("leads:queue"))
        with CaptureQueriesContext(connection) as one:
            client.get(reverse("leads:queue"))
        for _ in range(5):
            LeadFactory(owner=None, mql_at=timezone.now())
        with CaptureQueriesContext(connection) as six:
            client.get(reverse("leads:queue"))
        assert len(six) == len(one)

    def test_the_nav_links_the_queue_for_managers_only(self, client, org):
        assert 'data-nav="queue"' in login(client, org["mgr"]).get(reverse("leads:list")).content.decode()
        assert 'data-nav="queue"' not in login(client, org["owner"]).get(reverse("leads:list")).content.decode()


class TestAssignView:
    def test_a_manager_assigns_a_queued_lead(self, client, org, queued):
        response = login(client, org["mgr"]).post(reverse("leads:assign", args=[queued.pk]),
                                                  {"rep": org["teammate"].pk, "reason": "Knows them"})
        assert response.status_code == 302 and response.url == reverse("leads:queue")
        queued.refresh_from_db()
        assert queued.owner == org["teammate"]
        assert Assignment.objects.filter(lead=queued, assigned_by=org["mgr"], reason__endswith="Knows them").exists()

    @pytest.mark.parametrize("rep", ["abc", "", "99999999", "-1"])
    def test_a_bad_rep_id_is_a_400_with_a_message(self, client, org, queued, rep):
        response = login(client, org["mgr"]).post(reverse("leads:assign", args=[queued.pk]), {"rep": rep})
        assert response.status_code == 400
        assert 'class="errorlist' in response.content.decode()
        assert Lead.objects.get(pk=queued.pk).owner is None

    def test_a_rep_outside_the_team_is_a_400(self, client, org, queued):
        response = login(client, org["mgr"]).post(reverse("leads:assign", args=[queued.pk]),
                                                  {"rep": org["outsider"].pk})
        assert response.status_code == 400
        assert "You cannot assign leads to this user." in response.content.decode()

    def test_a_rep_cannot_assign(self, client, org, queued):
        response = login(client, org["owner"]).post(reverse("leads:assign", args=[queued.pk]),
                                                    {"rep": org["owner"].pk})
        assert response.status_code == 403
        assert Lead.objects.get(pk=queued.pk).owner is None

    def test_another_teams_lead_is_a_404(self, client, org):
        lead = LeadFactory(owner=org["outsider"])
        response = login(client, org["mgr"]).post(reverse("leads:assign", args=[lead.pk]), {"rep": org["owner"].pk})
        assert response.status_code == 404

    def test_get_is_not_allowed(self, client, org, queued):
        assert login(client, org["mgr"]).get(reverse("leads:assign", args=[queued.pk])).status_code == 405


class TestLeadDetailAndTouch:
    @pytest.fixture
    def routed(self, org, queued):
        lead_assign(lead=queued, rep=org["owner"], by=org["mgr"], reason="Best fit")
        return Lead.objects.get(pk=queued.pk)

    def test_the_owner_sees_history_sla_and_the_touch_button(self, client, org, routed):
        body = login(client, org["owner"]).get(reverse("leads:detail", args=[routed.pk])).content.decode()
        assert "Best fit" in body and "No active routing rule matched" in body
        assert 'data-sla="due"' in body and 'data-action="touch"' in body

    def test_the_manager_sees_the_history_but_no_touch_button(self, client, org, routed):
        body = login(client, org["mgr"]).get(reverse("leads:detail", args=[routed.pk])).content.decode()
        assert "Best fit" in body and 'data-action="touch"' not in body

    def test_a_breached_sla_is_shown(self, client, org, routed):
        Lead.objects.filter(pk=routed.pk).update(first_touch_due_at=timezone.now() - timedelta(hours=1),
                                                 sla_breached_at=timezone.now())
        body = login(client, org["owner"]).get(reverse("leads:detail", args=[routed.pk])).content.decode()
        assert 'data-sla="breached"' in body

    def test_the_owner_marks_the_lead_contacted(self, client, org, routed):
        response = login(client, org["owner"]).post(reverse("leads:touch", args=[routed.pk]))
        assert response.status_code == 302
        routed.refresh_from_db()
        assert routed.first_touched_at is not None and routed.status == Lead.Status.WORKING
        body = client.get(reverse("leads:detail", args=[routed.pk])).content.decode()
        assert 'data-sla="touched"' in body and 'data-action="touch"' not in body

    def test_only_the_owner_can_mark_contacted(self, client, org, routed):
        assert login(client, org["mgr"]).post(reverse("leads:touch", args=[routed.pk])).status_code == 403
        assert login(client, org["teammate"]).post(reverse("leads:touch", args=[routed.pk])).status_code == 404
        assert Lead.objects.get(pk=routed.pk).first_touched_at is None


class TestNotificationsPage:
    def test_a_user_sees_own_notifications_and_the_unread_badge(self, client, org):
        notify(recipient=org["owner"], kind="test", text="Lead %(lead)s was assigned to you.", params={"lead": "Ada"})
        notify(recipient=org["teammate"], kind="test", text="Secret for %(lead)s", params={"lead": "Bob"})
        body = login(client, org["owner"]).get(reverse("teams:notifications")).content.decode()
        assert "Lead Ada was assigned to you." in body and "Secret" not in body
        assert 'data-unread="1"' in body

    def test_mark_one_and_all_as_read(self, client, org):
        first = notify(recipient=org["owner"], kind="test", text="One")
        notify(recipient=org["owner"], kind="test", text="Two")
        other = notify(recipient=org["teammate"], kind="test", text="Other")
        login(client, org["owner"])
        assert client.post(reverse("teams:notifications-read"), {"id": [first.pk, other.pk, "x"]}).status_code == 302
        assert Notification.objects.filter(read_at__isnull=True).count() == 2
        client.post(reverse("teams:notifications-read"))
        assert list(Notification.objects.filter(read_at__isnull=True)) == [other]
        assert "data-unread" not in client.get(reverse("teams:notifications")).content.decode()

    def test_the_badge_costs_one_count_query(self, client, org):
        login(client, org["owner"])
        client.get(reverse("teams:people"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("teams:people"))
        assert sum('FROM "teams_notification"' in q["sql"] for q in queries.captured_queries) == 1


class TestRoutingApi:
    def url(self, lead, name):
        return f"/api/v1/leads/{lead.pk}/{name}/"

    def test_a_manager_assigns_through_the_api(self, api, org, queued):
        response = api.as_user(org["mgr"]).post(self.url(queued, "assign"), {"rep": org["owner"].pk,
                                                                             "reason": "API"}, format="json")
        assert response.status_code == 200 and response.json()["owner"] == org["owner"].pk
        assert Assignment.objects.filter(lead=queued, rep=org["owner"], assigned_by=org["mgr"]).exists()

    @pytest.mark.parametrize("body", [{}, {"rep": "x"}, {"rep": None}, {"rep": 10**30}, {"rep": [1]}])
    def test_malformed_input_is_a_400(self, api, org, queued, body):
        response = api.as_user(org["mgr"]).post(self.url(queued, "assign"), body, format="json")
        assert response.status_code == 400

    def test_a_too_long_reason_is_a_400(self, api, org, queued):
        response = api.as_user(org["mgr"]).post(self.url(queued, "assign"),
                                                {"rep": org["owner"].pk, "reason": "x" * 1001}, format="json")
        assert response.status_code == 400 and "reason" in response.json()
        assert Lead.objects.get(pk=queued.pk).owner is None

    def test_a_rep_outside_the_team_is_a_400_with_a_message(self, api, org, queued):
        response = api.as_user(org["mgr"]).post(self.url(queued, "assign"), {"rep": org["outsider"].pk},
                                                format="json")
        assert response.status_code == 400
        assert response.json()["rep"] == ["You cannot assign leads to this user."]

    def test_a_rep_cannot_assign_through_the_api(self, api, org, queued):
        own = LeadFactory(owner=org["owner"])
        client = api.as_user(org["owner"])
        assert client.post(self.url(queued, "assign"), {"rep": org["owner"].pk}, format="json").status_code == 403
        assert client.post(self.url(own, "assign"), {"rep": org["owner"].pk}, format="json").status_code == 403

    def test_another_teams_lead_is_a_404(self, api, org):
        lead = LeadFactory(owner=org["outsider"])
        response = api.as_user(org["mgr"]).post(self.url(lead, "assign"), {"rep": org["owner"].pk}, format="json")
        assert response.status_code == 404

    def test_the_owner_touches_through_the_api(self, api, org):
        lead = LeadFactory(owner=org["owner"])
        response = api.as_user(org["owner"]).post(self.url(lead, "touch"))
        assert response.status_code == 200 and response.json()["status"] == "working"
        assert api.as_user(org["teammate"]).post(self.url(lead, "touch")).status_code == 404
        assert api.as_user(org["mgr"]).post(self.url(lead, "touch")).status_code == 403

    def test_the_assignment_log_is_scoped_to_visible_leads(self, api, org, queued):
        lead_assign(lead=queued, rep=org["owner"], by=org["mgr"])
        other = LeadFactory(owner=org["outsider"])
        Assignment.objects.create(lead=other, rep=org["outsider"], reason="x")
        mine = api.as_user(org["owner"]).get("/api/v1/assignments/").json()
        assert {row["lead"] for row in mine["results"]} == {queued.pk}
        assert mine["results"][0]["rep_name"] == str(org["owner"])
        assert api.as_user(org["teammate"]).get("/api/v1/assignments/").json()["count"] == 0
        assert api.as_user(org["admin"]).get("/api/v1/assignments/").json()["count"] == 3
        assert api.as_user(org["admin"]).get(f"/api/v1/assignments/?lead={other.pk}").json()["count"] == 1

    def test_notifications_are_own_only_and_can_be_marked_read(self, api, org):
        mine = notify(recipient=org["owner"], kind="lead_assigned", text="Lead %(lead)s", params={"lead": "Ada"})
        theirs = notify(recipient=org["teammate"], kind="lead_assigned", text="Other")
        client = api.as_user(org["owner"])
        body = client.get("/api/v1/notifications/").json()
        assert [row["id"] for row in body["results"]] == [mine.pk] and body["results"][0]["message"] == "Lead Ada"
        assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
        response = client.post(f"/api/v1/notifications/{mine.pk}/read/")
        assert response.status_code == 200 and response.json()["read_at"]
        assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0
        assert client.get("/api/v1/notifications/?unread=maybe").status_code in (200, 400)
        assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
        assert Notification.objects.get(pk=theirs.pk).read_at is None

    def test_unauthenticated_calls_get_401(self, client):
        for path in ("/api/v1/assignments/", "/api/v1/notifications/"):
            assert client.get(path).status_code == 401
