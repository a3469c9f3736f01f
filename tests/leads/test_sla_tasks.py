"""First-touch SLA breaches and the lead pool (公海): periodic services and their Celery tasks."""
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.conf import settings as django_settings

from leads.models import Assignment, Lead
from leads.services.routing import lead_queue_for, lead_touch, leads_flag_sla_breaches, leads_return_to_pool
from leads.tasks import leads_flag_sla_breaches_task, leads_return_to_pool_task
from teams.models import Notification
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 10, 2, 0, tzinfo=dt_timezone.utc)


def assigned(owner, *, ago, **kwargs):
    """A lead routed to `owner` `ago` before NOW, with the default 24-hour first-touch SLA."""
    at = NOW - ago
    return LeadFactory(owner=owner, assigned_at=at, first_touch_due_at=at + timedelta(hours=24), mql_at=at, **kwargs)


class TestSlaBreaches:
    def test_an_overdue_lead_is_flagged_once_and_escalated_to_the_manager(
            self, org, mailoutbox, django_capture_on_commit_callbacks):
        lead = assigned(org["owner"], ago=timedelta(hours=25), name="Ada Lovelace")
        with django_capture_on_commit_callbacks(execute=True):
            assert leads_flag_sla_breaches(now=NOW) == 1
            assert leads_flag_sla_breaches(now=NOW + timedelta(minutes=15)) == 0
        lead.refresh_from_db()
        assert lead.sla_breached_at == NOW
        note = Notification.objects.get()
        assert note.recipient == org["mgr"] and note.kind == "lead_sla_breached"
        assert "has not contacted lead Ada Lovelace" in note.message
        [mail] = mailoutbox
        assert mail.to == [org["mgr"].email] and mail.subject == "First-touch SLA breached: Ada Lovelace"

    def test_leads_in_time_touched_or_closed_are_not_flagged(self, org):
        assigned(org["owner"], ago=timedelta(hours=23))
        touched = assigned(org["owner"], ago=timedelta(hours=30))
        lead_touch(lead=touched, by=org["owner"], now=NOW - timedelta(hours=10))
        assigned(org["owner"], ago=timedelta(hours=30), status=Lead.Status.CONVERTED)
        assert leads_flag_sla_breaches(now=NOW) == 0
        assert not Lead.objects.filter(sla_breached_at__isnull=False).exists()

    def test_a_rep_without_a_manager_is_flagged_without_escalation(self, org):
        org["east"].manager = None
        org["east"].save()
        lead = assigned(org["owner"], ago=timedelta(hours=25))
        assert leads_flag_sla_breaches(now=NOW) == 1
        assert Lead.objects.get(pk=lead.pk).sla_breached_at == NOW
        assert not Notification.objects.exists()

    def test_the_task_runs_the_sweep(self, org):
        long_ago = datetime(2020, 1, 1, tzinfo=dt_timezone.utc)
        LeadFactory(owner=org["owner"], assigned_at=long_ago, first_touch_due_at=long_ago)
        assert leads_flag_sla_breaches_task.delay().get() == 1


class TestPool:
    def test_the_owner_is_warned_one_day_before_once(self, org):
        lead = assigned(org["owner"], ago=timedelta(days=6, hours=1), name="Grace Hopper")
        assert leads_return_to_pool(now=NOW) == {"returned": 0, "warned": 1}
        assert leads_return_to_pool(now=NOW + timedelta(minutes=15)) == {"returned": 0, "warned": 0}
        lead.refresh_from_db()
        assert lead.owner == org["owner"] and lead.pool_warning_at == NOW
        note = Notification.objects.get()
        assert note.recipient == org["owner"] and note.kind == "lead_pool_warning"
        assert "Grace Hopper returns to the pool on" in note.message

    def test_no_warning_earlier_than_a_day_before(self, org):
        assigned(org["owner"], ago=timedelta(days=5, hours=23))
        assert leads_return_to_pool(now=NOW) == {"returned": 0, "warned": 0}

    def test_an_untouched_lead_returns_to_the_pool_after_n_days(self, org):
        lead = assigned(org["owner"], ago=timedelta(days=7, minutes=1), name="Alan Turing")
        assert leads_return_to_pool(now=NOW) == {"returned": 1, "warned": 0}
        assert leads_return_to_pool(now=NOW + timedelta(minutes=15)) == {"returned": 0, "warned": 0}
        lead.refresh_from_db()
        assert lead.owner is None and lead.assigned_at is None and lead.first_touch_due_at is None
        assignment = Assignment.objects.get(lead=lead)
        assert assignment.rep is None and assignment.previous_owner == org["owner"]
        assert assignment.reason == "Returned to the pool: not contacted within 7 days of assignment"
        note = Notification.objects.get()
        assert note.recipient == org["owner"] and note.kind == "lead_returned_to_pool"
        assert lead in lead_queue_for(user=org["mgr"]) and lead in lead_queue_for(user=org["other_mgr"])
        assert not lead_queue_for(user=org["owner"]).exists()

    def test_touched_leads_stay_with_their_owner(self, org):
        lead = assigned(org["owner"], ago=timedelta(days=10))
        lead_touch(lead=lead, by=org["owner"], now=NOW - timedelta(days=9))
        assert leads_return_to_pool(now=NOW) == {"returned": 0, "warned": 0}
        assert Lead.objects.get(pk=lead.pk).owner == org["owner"]

    def test_leads_never_routed_are_left_alone(self, org):
        LeadFactory(owner=org["owner"])  # entered by the rep: no assignment, no SLA
        assert leads_return_to_pool(now=NOW) == {"returned": 0, "warned": 0}

    def test_the_number_of_days_is_a_setting(self, org, settings):
        settings.LEADS_POOL_RETURN_DAYS = 3
        assigned(org["owner"], ago=timedelta(days=3, hours=1))
        assigned(org["teammate"], ago=timedelta(days=2, hours=1))
        assert leads_return_to_pool(now=NOW) == {"returned": 1, "warned": 1}

    def test_the_task_runs_the_sweep(self, org):
        LeadFactory(owner=org["owner"], assigned_at=datetime(2020, 1, 1, tzinfo=dt_timezone.utc))
        assert leads_return_to_pool_task.delay().get() == {"returned": 1, "warned": 0}


def test_both_sweeps_are_scheduled_every_15_minutes():
    schedule = {entry["task"]: entry["schedule"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    for task in ("leads.tasks.leads_flag_sla_breaches_task", "leads.tasks.leads_return_to_pool_task"):
        assert schedule[task]._orig_minute == "*/15"
