"""MQL routing services: automatic routing, manual assignment, first touch (leads.services.routing)."""
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leads.models import Assignment, Lead, RoutingRule
from leads.services.routing import lead_assign, lead_queue_for, lead_touch, leads_route
from leads.tasks import lead_route_task
from teams.models import Notification, User
from tests.leads.factories import LeadFactory
from tests.teams.factories import TeamFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=dt_timezone.utc)


@pytest.fixture
def east(db):
    """Team East (manager `east_mgr`, reps li/chen/wang) and a rule for east technology leads."""
    team = TeamFactory(name="East Enterprise")
    manager = UserFactory(username="east_mgr", role=User.Role.MANAGER, team=team)
    team.manager = manager
    team.save()
    reps = [UserFactory(username=name, first_name=first, last_name=last, team=team)
            for name, first, last in [("li", "Li", "Wei"), ("chen", "Chen", "Jing"), ("wang", "Wang", "Fang")]]
    territory = TerritoryFactory(name="East", regions=["east"])
    rule = RoutingRule.objects.create(name="East enterprise", priority=10, territory=territory,
                                      industries=["technology"], min_company_size=100, team=team)
    return {"team": team, "manager": manager, "reps": reps, "rule": rule}


def mql(**kwargs):
    defaults = {"owner": None, "region": "east", "industry": "technology", "company_size": 500, "mql_at": NOW}
    return LeadFactory(**{**defaults, **kwargs})


class TestLeadsRoute:
    def test_an_mql_is_assigned_to_a_matching_rep(self, east):
        lead = mql()
        [assignment] = leads_route(lead_ids=[lead.pk], now=NOW)
        lead.refresh_from_db()
        li = east["reps"][0]
        assert lead.owner == li
        assert lead.assigned_at == NOW and lead.first_touch_due_at == NOW + timedelta(hours=24)
        li.refresh_from_db()
        assert li.last_lead_assigned_at == NOW
        assert (assignment.rep, assignment.rule, assignment.assigned_by) == (li, east["rule"], None)
        assert assignment.reason == ("Rule 'East enterprise' matched (region east, industry technology, "
                                     "company size 500); Li Wei had waited longest among 3 available reps")

    def test_the_sla_follows_the_setting(self, east, settings):
        settings.LEADS_FIRST_TOUCH_SLA_HOURS = 4
        lead = mql()
        leads_route(lead_ids=[lead.pk], now=NOW)
        lead.refresh_from_db()
        assert lead.first_touch_due_at == NOW + timedelta(hours=4)

    def test_several_mqls_round_robin_across_the_teams_reps(self, east):
        leads = [mql() for _ in range(6)]
        leads_route(lead_ids=[lead.pk for lead in leads], now=NOW)
        owners = [Lead.objects.get(pk=lead.pk).owner.username for lead in leads]
        assert owners == ["li", "chen", "wang", "li", "chen", "wang"]

    def test_the_rep_who_waited_longest_comes_first(self, east):
        li, chen, wang = east["reps"]
        User.objects.filter(pk=li.pk).update(last_lead_assigned_at=NOW - timedelta(hours=1))
        User.objects.filter(pk=chen.pk).update(last_lead_assigned_at=NOW - timedelta(hours=3))
        User.objects.filter(pk=wang.pk).update(last_lead_assigned_at=NOW - timedelta(hours=2))
        lead = mql()
        leads_route(lead_ids=[lead.pk], now=NOW)
        assert Lead.objects.get(pk=lead.pk).owner == chen

    def test_away_and_over_capacity_reps_are_skipped(self, east):
        li, chen, wang = east["reps"]
        User.objects.filter(pk=li.pk).update(is_away=True)
        User.objects.filter(pk=chen.pk).update(lead_capacity=1)
        LeadFactory(owner=chen)  # chen is full
        LeadFactory(owner=chen, status=Lead.Status.CONVERTED)  # closed leads do not count
        lead = mql()
        [assignment] = leads_route(lead_ids=[lead.pk], now=NOW)
        assert assignment.rep == wang
        assert "Wang Fang was the only available rep" in assignment.reason

    def test_no_matching_rule_sends_the_lead_to_the_managers_queue(self, east):
        lead = mql(region="north")
        [assignment] = leads_route(lead_ids=[lead.pk], now=NOW)
        lead.refresh_from_db()
        assert lead.owner is None and assignment.rep is None and assignment.rule is None
        assert assignment.reason.startswith("No active routing rule matched (region north")
        assert lead in lead_queue_for(user=east["manager"])
        assert not Notification.objects.exists()

    def test_no_available_rep_queues_the_lead_and_tells_the_teams_manager(self, east):
        User.objects.filter(pk__in=[rep.pk for rep in east["reps"]]).update(is_away=True)
        lead = mql()
        [assignment] = leads_route(lead_ids=[lead.pk], now=NOW)
        assert assignment.rep is None and assignment.rule == east["rule"]
        assert "none of the team's 3 reps is available" in assignment.reason
        note = Notification.objects.get()
        assert note.recipient == east["manager"] and note.kind == "lead_queued" and lead.name in note.message

    def test_inactive_rules_are_ignored(self, east):
        RoutingRule.objects.update(is_active=False)
        [assignment] = leads_route(lead_ids=[mql().pk], now=NOW)
        assert assignment.rep is None and assignment.rule is None

    def test_the_rep_is_notified_in_app_and_by_email_after_commit(self, east, mailoutbox,
                                                                    django_capture_on_commit_callbacks):
        lead = mql(name="Ada Lovelace", company="Engines Ltd")
        with django_capture_on_commit_callbacks(execute=True):
            leads_route(lead_ids=[lead.pk], now=NOW)
        note = Notification.objects.get()
        assert note.recipient == east["reps"][0] and note.kind == "lead_assigned"
        assert note.url == f"/leads/{lead.pk}/"
        assert note.message == ("Lead Ada Lovelace (Engines Ltd) was assigned to you. "
                                "First touch due 2026-11-03 09:00.")
        [mail] = mailoutbox
        assert mail.to == ["li@example.com"] and mail.subject == "New lead assigned to you: Ada Lovelace"
        assert "Rule 'East enterprise' matched" in mail.body and f"/leads/{lead.pk}/" in mail.body

    def test_no_email_is_sent_when_the_transaction_rolls_back(self, east, mailoutbox,
                                                                django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            leads_route(lead_ids=[mql().pk], now=NOW)
        assert len(callbacks) == 1 and mailoutbox == []

    def test_routing_twice_makes_one_assignment(self, east):
        lead = mql()
        leads_route(lead_ids=[lead.pk, lead.pk], now=NOW)
        assert leads_route(lead_ids=[lead.pk], now=NOW + timedelta(minutes=5)) == []
        assert Assignment.objects.filter(lead=lead).count() == 1
        assert Notification.objects.count() == 1

    def test_converted_and_missing_leads_are_skipped(self, east):
        lead = mql(status=Lead.Status.CONVERTED)
        assert leads_route(lead_ids=[lead.pk, 999999], now=NOW) == []
        assert not Assignment.objects.exists()

    def test_a_rep_who_already_owns_the_lead_keeps_it(self, east, org):
        lead = mql(owner=org["outsider"])
        [assignment] = leads_route(lead_ids=[lead.pk], now=NOW)
        lead.refresh_from_db()
        assert lead.owner == org["outsider"] and assignment.rep == org["outsider"]
        assert lead.first_touch_due_at == NOW + timedelta(hours=24)
        assert "routing kept the owner" in assignment.reason

    def test_a_lead_owned_by_marketing_is_routed(self, east, org):
        lead = mql(owner=org["marketing"])
        [assignment] = leads_route(lead_ids=[lead.pk], now=NOW)
        assert assignment.rep == east["reps"][0] and assignment.previous_owner == org["marketing"]

    def test_the_task_routes_the_leads(self, east):
        lead = mql()
        assert lead_route_task.delay([lead.pk]).get() == 1
        assert Lead.objects.get(pk=lead.pk).owner == east["reps"][0]


class TestLeadAssign:
    def test_a_manager_assigns_a_queued_lead_to_a_team_rep(self, east, django_capture_on_commit_callbacks,
                                                           mailoutbox):
        lead = mql()
        chen = east["reps"][1]
        with django_capture_on_commit_callbacks(execute=True):
            lead_assign(lead=lead, rep=chen, by=east["manager"], reason="Speaks the customer's dialect", now=NOW)
        lead.refresh_from_db()
        assert lead.owner == chen and lead.first_touch_due_at == NOW + timedelta(hours=24)
        assignment = Assignment.objects.get(lead=lead)
        assert assignment.assigned_by == east["manager"] and assignment.rule is None
        assert assignment.reason == "Assigned by east_mgr: Speaks the customer's dialect".replace(
            "east_mgr", str(east["manager"]))
        assert Notification.objects.get().recipient == chen
        assert mailoutbox[0].to == [chen.email]

    def test_reassigning_restarts_the_first_touch_clock(self, east):
        li, chen, _ = east["reps"]
        lead = mql(owner=li)
        Lead.objects.filter(pk=lead.pk).update(first_touched_at=NOW, sla_breached_at=NOW)
        lead_assign(lead=lead, rep=chen, by=east["manager"], now=NOW)
        lead.refresh_from_db()
        assert lead.owner == chen and lead.first_touched_at is None and lead.sla_breached_at is None
        assert Assignment.objects.get().previous_owner == li
        assert Notification.objects.filter(recipient=li, kind="lead_reassigned").exists()

    def test_a_rep_cannot_assign(self, east):
        li, chen, _ = east["reps"]
        with pytest.raises(PermissionDenied):
            lead_assign(lead=mql(owner=li), rep=chen, by=li)

    def test_a_manager_cannot_assign_to_another_teams_rep(self, east, org):
        with pytest.raises(ValidationError) as error:
            lead_assign(lead=mql(), rep=org["outsider"], by=east["manager"])
        assert "rep" in error.value.message_dict
        assert not Assignment.objects.exists()

    def test_a_manager_cannot_take_another_teams_lead(self, east, org):
        with pytest.raises(PermissionDenied):
            lead_assign(lead=mql(owner=org["outsider"]), rep=east["reps"][0], by=east["manager"])

    def test_assigning_to_the_current_owner_is_refused(self, east):
        li = east["reps"][0]
        with pytest.raises(ValidationError):
            lead_assign(lead=mql(owner=li), rep=li, by=east["manager"])

    def test_an_admin_assigns_anything(self, east, org):
        lead = mql(owner=org["outsider"])
        lead_assign(lead=lead, rep=east["reps"][2], by=org["admin"])
        assert Lead.objects.get(pk=lead.pk).owner == east["reps"][2]


class TestLeadTouch:
    def test_the_owner_records_the_first_contact_once(self, east):
        li = east["reps"][0]
        lead = mql(owner=li)
        lead_touch(lead=lead, by=li, now=NOW)
        lead_touch(lead=lead, by=li, now=NOW + timedelta(hours=2))
        lead.refresh_from_db()
        assert lead.first_touched_at == NOW and lead.status == Lead.Status.WORKING

    def test_a_later_status_is_kept(self, east):
        li = east["reps"][0]
        lead = mql(owner=li, status=Lead.Status.QUALIFIED)
        assert lead_touch(lead=lead, by=li, now=NOW).status == Lead.Status.QUALIFIED

    def test_only_the_owner_can_touch(self, east):
        li, chen, _ = east["reps"]
        lead = mql(owner=li)
        for user in (chen, east["manager"]):
            with pytest.raises(PermissionDenied):
                lead_touch(lead=lead, by=user)
        assert Lead.objects.get(pk=lead.pk).first_touched_at is None


class TestScoringToRouting:
    def test_a_lead_rescored_to_the_top_grade_is_routed(self, east, django_capture_on_commit_callbacks):
        from django.utils import timezone

        from leads.models import EventType, LeadEvent
        from leads.services.scoring import lead_rescore

        lead = LeadFactory(owner=None, region="east", industry="technology", company_size=5000)
        for code in ("webinar_attended", "pricing_page_visit"):
            LeadEvent.objects.create(lead=lead, event_type=EventType.objects.get(code=code),
                                     occurred_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            lead_rescore(lead_id=lead.pk, reason="event")
        lead.refresh_from_db()
        assert lead.mql_at is not None and lead.owner == east["reps"][0]
        assert Assignment.objects.get(lead=lead).rule == east["rule"]
