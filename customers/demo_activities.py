"""Demo activities and tasks (manage.py seed_demo, through customers/registry.py): a few calls, notes
and meetings on demo leads and accounts, some logged late, and tasks, some overdue. Idempotent: an
entry is added only when its subject has no activity with the same summary (tasks: by key)."""
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Lead

from .models import Account, Activity
from .services import activity_log, task_open

# (kind, summary, happened this long ago): over 24 h ago is logged late, since it is logged now
LOGGED = [
    ("call", "Intro call: interested in the Q1 roll-out", timedelta(hours=3)),
    ("email", "Sent the pricing overview", timedelta(hours=30)),
    ("meeting", "On-site demo with the operations team", timedelta(days=3)),
    ("note", "Budget approved for next quarter", timedelta(minutes=40)),
]
# (summary, due in): negative is overdue
TASKS = [
    ("Send the proposal", timedelta(days=-2)),
    ("Follow-up call", timedelta(hours=5)),
    ("Book the quarterly review", timedelta(days=6)),
]


def _log(*, by, subject: dict, kind: str, summary: str, occurred_at) -> int:
    if Activity.objects.filter(summary=summary, **subject).exists():
        return 0
    activity_log(by=by, kind=kind, summary=summary, occurred_at=occurred_at, **subject)
    return 1


def seed_activities(today) -> str:
    now = timezone.now()
    leads = list(Lead.objects.filter(owner__isnull=False, converted_at__isnull=True).select_related("owner")
                 .order_by("pk")[:3])
    accounts = list(Account.objects.filter(external_ref__startswith="demo:account:").select_related("owner")
                    .order_by("external_ref")[:3])
    logged = tasks = 0
    subjects = [({"lead": lead}, lead.owner, f"lead:{lead.pk}") for lead in leads] + [
        ({"account": account}, account.owner, f"account:{account.pk}") for account in accounts]
    for index, (subject, owner, ref) in enumerate(subjects):
        for kind, summary, ago in LOGGED[index % 2::2]:
            logged += _log(by=owner, subject=subject, kind=kind, summary=summary, occurred_at=now - ago)
        summary, due_in = TASKS[index % len(TASKS)]
        key = f"demo:task:{ref}"
        if not Activity.objects.filter(key=key).exists():
            task_open(owner=owner, summary=summary, due_at=now + due_in, key=key, **subject)
            tasks += 1
    return _("%(logged)d new activities, %(tasks)d new tasks") % {"logged": logged, "tasks": tasks}
