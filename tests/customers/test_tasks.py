"""Tasks: due dates, completion, "My tasks" (overdue / today / upcoming), the team's overdue list,
reminders (once, set-based claim), the header count and /api/v1/tasks/."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from customers import services
from customers.models import Activity
from customers.selectors import my_tasks, overdue_task_count, team_overdue_tasks
from customers.services.reminders import tasks_remind_due
from customers.tasks import tasks_remind_due_task
from salesops.metric_tools import day_start
from teams.models import Notification
from tests.leads.factories import LeadFactory

from .factories import AccountFactory, ActivityFactory

pytestmark = pytest.mark.django_db


def task(owner, due_in: timedelta | None, **extra) -> Activity:
    return ActivityFactory(account=AccountFactory(owner=owner), owner=owner, kind="task", summary="Do it",
                           due_at=None if due_in is None else timezone.now() + due_in, **extra)


def test_my_tasks_are_grouped_overdue_today_upcoming(org):
    now = timezone.now()
    end_of_today = day_start(timezone.localdate(now) + timedelta(days=1))
    overdue = task(org["owner"], -timedelta(hours=2))
    today = ActivityFactory(account=AccountFactory(owner=org["owner"]), owner=org["owner"], kind="task",
                            due_at=now + (end_of_today - now) / 2)
    upcoming = task(org["owner"], timedelta(days=3))
    task(org["owner"], -timedelta(days=1), done_at=now)  # done: in no group
    task(org["teammate"], -timedelta(days=1))             # someone else's
    groups = my_tasks(user=org["owner"], now=now)
    assert {key: [t.pk for t in tasks] for key, tasks in groups.items()} == {
        "overdue": [overdue.pk], "today": [today.pk], "upcoming": [upcoming.pk]}
    assert overdue_task_count(user=org["owner"], now=now) == 1


def test_completing_a_task_is_for_its_owner_and_their_manager(org):
    mine = task(org["owner"], timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.task_complete(task=mine, by=org["teammate"])
    done = services.task_complete(task=mine, by=org["mgr"])
    first = done.done_at
    assert first is not None
    assert services.task_complete(task=mine, by=org["owner"]).done_at == first  # again: no change
    with pytest.raises(ValidationError):
        services.task_complete(task=ActivityFactory(account=mine.account, owner=org["owner"]), by=org["owner"])


def test_a_manager_sees_the_teams_overdue_tasks_per_rep(org):
    for _ in range(2):
        task(org["owner"], -timedelta(days=1))
    task(org["teammate"], -timedelta(hours=1))
    task(org["teammate"], timedelta(hours=5))     # not overdue
    task(org["outsider"], -timedelta(days=1))     # another team
    rows = team_overdue_tasks(user=org["mgr"])
    assert [(row["owner"].username, row["count"], len(row["tasks"])) for row in rows] == [
        ("owner", 2, 2), ("teammate", 1, 1)]
    assert team_overdue_tasks(user=org["owner"]) == []
    assert len(team_overdue_tasks(user=org["admin"])) == 3


def test_the_task_page_and_the_header_count(client, org, django_assert_max_num_queries):
    task(org["owner"], -timedelta(days=1))
    task(org["owner"], timedelta(days=2))
    client.force_login(org["owner"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("customers:task-list")).content.decode()
    assert 'id="tasks-overdue"' in page and 'data-overdue="1"' in page
    assert 'id="team-overdue"' not in page
    client.force_login(org["mgr"])
    assert f'data-rep="{org["owner"].pk}"' in client.get(reverse("customers:task-list")).content.decode()


def test_mark_done_from_the_task_page(client, org):
    mine = task(org["owner"], -timedelta(days=1))
    client.force_login(org["outsider"])
    assert client.post(reverse("customers:task-complete", args=[mine.pk])).status_code == 404
    client.force_login(org["owner"])
    response = client.post(reverse("customers:task-complete", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.done_at is not None


def test_a_task_on_a_lead_shows_on_its_timeline_with_mark_done(client, org):
    lead = LeadFactory(owner=org["owner"])
    services.activity_log(by=org["owner"], lead=lead, kind="task", summary="Call back",
                          due_at=timezone.now() - timedelta(hours=1))
    client.force_login(org["owner"])
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Call back" in page and 'data-flag="overdue"' in page and 'data-action="complete-task"' in page


class TestReminders:
    def test_owners_are_reminded_once_of_tasks_due_within_the_hour_or_overdue(self, org):
        org["owner"].email = "owner@example.com"
        org["owner"].save()
        soon = task(org["owner"], timedelta(minutes=30))
        late = task(org["teammate"], -timedelta(days=2))
        later = task(org["owner"], timedelta(hours=3))
        task(org["owner"], -timedelta(days=1), done_at=timezone.now())
        with self.capture():
            assert tasks_remind_due().reminded == 2
        assert set(Activity.objects.filter(reminded_at__isnull=False).values_list("pk", flat=True)) == {soon.pk,
                                                                                                       late.pk}
        notes = {n.recipient.username: n.message for n in Notification.objects.filter(kind="task_reminder")}
        assert set(notes) == {"owner", "teammate"} and notes["teammate"].startswith("Overdue task")
        assert ["owner@example.com"] in [message.to for message in mail.outbox] and len(mail.outbox) <= 2
        sent = len(mail.outbox)
        with self.capture():
            assert tasks_remind_due().reminded == 0  # at most once
        assert len(mail.outbox) == sent
        assert Notification.objects.filter(kind="task_reminder").count() == 2
        assert later.pk not in set(Activity.objects.filter(reminded_at__isnull=False).values_list("pk", flat=True))

    def test_batches_are_bounded(self, org):
        for _ in range(5):
            task(org["owner"], -timedelta(hours=1))
        result = tasks_remind_due(batch_size=2, max_batches=2)
        assert (result.reminded, result.batches) == (4, 2)
        assert tasks_remind_due(batch_size=2).reminded == 1

    def test_the_beat_task_calls_the_service(self, org):
        task(org["owner"], -timedelta(hours=1))
        assert tasks_remind_due_task() == {"reminded": 1, "batches": 1}

    def test_the_beat_schedule_runs_it(self, settings):
        assert settings.CELERY_BEAT_SCHEDULE["customers-tasks-remind-due"]["task"] == \
            "customers.tasks.tasks_remind_due_task"

    @staticmethod
    def capture():
        from django.test import TestCase
        return TestCase.captureOnCommitCallbacks(execute=True)


class TestTheApi:
    URL = "/api/v1/tasks/"

    def test_create_list_by_status_and_complete(self, api, org):
        client = api.as_user(org["owner"])
        lead = LeadFactory(owner=org["owner"])
        created = client.post(self.URL, {"lead": lead.pk, "summary": "Send the deck",
                                         "due_at": (timezone.now() + timedelta(days=1)).isoformat()}, format="json")
        assert created.status_code == 201, created.json()
        assert (created.json()["kind"], created.json()["status"]) == ("task", "open")
        overdue = task(org["owner"], -timedelta(days=1))
        done = task(org["owner"], -timedelta(days=3), done_at=timezone.now())
        ActivityFactory(account=overdue.account, owner=org["owner"])  # a call: not a task

        def ids(query=""):
            response = client.get(self.URL + query)
            assert response.status_code == 200, response.json()
            return {row["id"] for row in response.json()["results"]}

        assert ids() == {created.json()["id"], overdue.pk, done.pk}
        assert ids("?status=overdue") == {overdue.pk}
        assert ids("?status=done") == {done.pk}
        assert ids("?status=open") == {created.json()["id"], overdue.pk}
        assert client.get(self.URL + "?status=late").status_code == 400
        completed = client.post(f"{self.URL}{overdue.pk}/complete/")
        assert completed.status_code == 200 and completed.json()["status"] == "done"

    def test_a_task_needs_a_due_date_and_a_subject(self, api, org):
        client = api.as_user(org["owner"])
        account = AccountFactory(owner=org["owner"])
        assert client.post(self.URL, {"account": account.pk, "summary": "x"}, format="json").status_code == 400
        assert client.post(self.URL, {"summary": "x", "due_at": timezone.now().isoformat()},
                           format="json").status_code == 400
        assert not Activity.objects.exists()

    def test_someone_elses_task_cannot_be_completed(self, api, org):
        theirs = task(org["outsider"], -timedelta(days=1))
        assert api.as_user(org["owner"]).post(f"{self.URL}{theirs.pk}/complete/").status_code == 404
        theirs.refresh_from_db()
        assert theirs.done_at is None


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="row locks need PostgreSQL (SQLite serialises writers anyway)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_reminder_runs_notify_each_task_once(org):
    """Two or three workers at once (beat overlap, a redelivered task): SKIP LOCKED splits the work."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    for _ in range(30):
        task(org["owner"], -timedelta(hours=1))

    def run(_):
        try:
            return tasks_remind_due(batch_size=4).reminded
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=3) as pool:
        reminded = sum(pool.map(run, range(3)))
    assert reminded == 30 and Notification.objects.filter(kind="task_reminder").count() == 30
