"""Writes to the activity timeline: log, change and delete activities; open and complete tasks.

A deal's activities are logged through pipeline.services.opportunity_activity_log (which links them).
System jobs (renewal reminders, survey follow-ups, the won-deal handoff) open tasks with `task_open`
and a `key`, so a job that runs twice opens each task once.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.predicates import can_delete_activity
from teams.selectors import CHANGE, VIEW
from teams.services import check_known_fields

from ..models import Account, Activity
from ..selectors import activity_queryset_for
from .accounts import _check_account_access, _delete

ACTIVITY_FIELDS = ("kind", "occurred_at", "summary", "contact", "due_at")  # the deal link is pipeline's


def _check_activity_links(*, account: Account, contact=None) -> None:
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": _("This contact belongs to another account.")})


@transaction.atomic
def activity_log(*, by, account: Account, **fields) -> Activity:
    """Log a call, meeting, email or note (owner: the person logging it)."""
    check_known_fields(fields, ACTIVITY_FIELDS)
    _check_account_access(by=by, account=account, action=VIEW)
    _check_activity_links(account=account, contact=fields.get("contact"))
    activity = Activity(account=account, owner=by, **fields)
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, by, **fields) -> Activity:
    fields.pop("account", None)
    check_known_fields(fields, ACTIVITY_FIELDS)
    if not activity_queryset_for(user=by, action=CHANGE).filter(pk=activity.pk).exists():
        raise PermissionDenied(_("You may change only the activities you logged (or your team's)."))
    activity = Activity.objects.select_for_update(of=("self",)).select_related("account").get(pk=activity.pk)
    for name, value in fields.items():
        setattr(activity, name, value)
    _check_activity_links(account=activity.account, contact=activity.contact)
    activity.full_clean()
    activity.save()
    return activity



@transaction.atomic
def activities_delete(*, activities: QuerySet[Activity], by) -> int:
    """Delete logged activities (the person who logged them, their manager, admins)."""
    return _delete(rows=activities.select_related("account", "owner__team"), by=by,
                   may_delete=can_delete_activity,
                   refused=_("You may not delete these activities: %(names)s."),
                   describe=lambda locked: {i.pk: f"{i.kind} on {i.account}: {i.summary[:100]}" for i in locked})


def activity_delete(*, activity: Activity, by) -> None:
    activities_delete(activities=Activity.objects.filter(pk=activity.pk), by=by)


def task_open(*, owner, summary: str, due_at, account: Account | None = None, lead=None, contact=None,
              key: str = "") -> Activity:
    """Open a task for `owner` on behalf of the system (no acting user's scope is checked).

    With a `key`, the task is opened at most once: a second call with the same key returns the
    first task (the unique constraint decides under concurrency, not a read-then-write)."""
    if account is None and lead is None:
        raise ValueError("A task needs an account or a lead.")
    if key:
        existing = Activity.objects.filter(key=key).first()
        if existing is not None:
            return existing
    task = Activity(kind=Activity.Kind.TASK, owner=owner, summary=summary, due_at=due_at, account=account,
                    lead=lead, contact=contact, occurred_at=timezone.now(), key=key)
    task.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        if not key:
            raise
        return Activity.objects.get(key=key)
    return task


def tasks_open(*, tasks: list[dict]) -> int:
    """`task_open` for a batch of system tasks (h3: the renewal reminders), each a dict of owner,
    summary, due_at, account and a non-blank key. A key already used (or repeated) opens nothing;
    returns how many tasks were opened. Two statements whatever the batch's size: one read of the
    keys, one INSERT. Callers run it with the rows that record the job's progress locked (e.g. a
    contract's last reminder), so two runs never open the same batch."""
    keys = [task["key"] for task in tasks]
    if not all(keys):
        raise ValueError("Every task of a batch needs a key.")
    used = set(Activity.objects.filter(key__in=keys).values_list("key", flat=True))
    now, rows = timezone.now(), []
    for task in tasks:
        if task["key"] in used:
            continue
        used.add(task["key"])
        rows.append(Activity(kind=Activity.Kind.TASK, owner=task["owner"], summary=task["summary"],
                             due_at=task["due_at"], account=task.get("account"), occurred_at=now, key=task["key"]))
    Activity.objects.bulk_create(rows)
    return len(rows)
