"""Task reminders: the owner of an open task due within the next hour (or already overdue) is notified
once (in the app, and by email when they have an address).

At most once: each batch is claimed in one transaction — the due, unreminded tasks are locked (SKIP
LOCKED, so a second worker passes them by), stamped `reminded_at` with one UPDATE, and their
notifications written in the same transaction (emails leave only after the commit). A task whose
claim committed is never reminded again, whatever happens after; a claim that fails rolls back with
its notifications and is tried again on the next run. Batches are bounded (`batch_size`, `max_batches`).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_noop

from teams.services import email_user, notify

from ..models import Activity

REMIND_BEFORE = timedelta(hours=1)
DUE_SOON = gettext_noop("Task due %(due)s: %(summary)s")
OVERDUE = gettext_noop("Overdue task (due %(due)s): %(summary)s")
EMAIL_SUBJECT = gettext_noop("Task reminder: %(summary)s")
EMAIL_BODY = gettext_noop("Your task is due %(due)s:\n\n%(summary)s\n\nYour tasks: %(url)s")


@dataclass
class ReminderResult:
    reminded: int = 0
    batches: int = 0


def due_for_reminder(*, now: datetime):
    return Activity.objects.filter(kind=Activity.Kind.TASK, done_at__isnull=True, reminded_at__isnull=True,
                                   due_at__isnull=False, due_at__lte=now + REMIND_BEFORE)


def _claim_batch(*, now: datetime, batch_size: int) -> int:
    with transaction.atomic():
        ids = list(due_for_reminder(now=now).select_for_update(skip_locked=True).order_by("due_at", "id")
                   .values_list("pk", flat=True)[:batch_size])
        if not ids:
            return 0
        Activity.objects.filter(pk__in=ids, reminded_at__isnull=True).update(reminded_at=now)
        url = reverse("customers:task-list")
        for task in Activity.objects.filter(pk__in=ids).select_related("owner").order_by("due_at", "id"):
            params = {"due": date_format(timezone.localtime(task.due_at), "SHORT_DATETIME_FORMAT"),
                      "summary": task.summary[:200]}
            notify(recipient=task.owner, kind="task_reminder", text=OVERDUE if task.due_at < now else DUE_SOON,
                   params=params, url=url)
            email_user(recipient=task.owner, subject=EMAIL_SUBJECT, body=EMAIL_BODY, params={**params, "url": url})
        return len(ids)


def tasks_remind_due(*, now: datetime | None = None, batch_size: int = 200, max_batches: int = 10) -> ReminderResult:
    """Remind the owners of open tasks due within the hour or overdue, once per task (see the module)."""
    now = now or timezone.now()
    result = ReminderResult()
    while result.batches < max_batches:
        claimed = _claim_batch(now=now, batch_size=batch_size)
        if not claimed:
            break
        result.reminded += claimed
        result.batches += 1
    return result
