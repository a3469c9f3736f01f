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

from leads.selectors import lead_queryset_for
from teams.predicates import can_complete_task, can_delete_activity, can_log_activity
from teams.selectors import CHANGE, VIEW
from teams.services import check_known_fields

from ..models import Account, Activity
from ..selectors import activity_queryset_for
from ..timeliness import is_future
from .accounts import _check_account_access, _delete

ACTIVITY_FIELDS = ("kind", "occurred_at", "summary", "contact", "due_at")  # the deal link is pipeline's


def _check_activity_links(*, account: Account | None, contact=None) -> None:
    if contact is None:
        return
    if account is None:
        raise ValidationError({"contact": _("A contact can be named only on an account's activity.")})
    if contact.account_id != account.pk:
        raise ValidationError({"contact": _("This contact belongs to another account.")})


def _check_when(activity: Activity, *, now) -> None:
    """The 24-hour rule's hard half: nothing is logged as having happened in the future (a few
    minutes' clock skew allowed). Late entries are accepted; the timeline and the metric flag them.
    A task needs a due date, and only a task has one."""
    if activity.occurred_at and is_future(activity.occurred_at, now):
        raise ValidationError({"occurred_at": _("An activity cannot be dated in the future: log it when it has "
                                                "happened (a task takes a due date instead).")})
    if activity.kind == Activity.Kind.TASK and activity.due_at is None:
        raise ValidationError({"due_at": _("A task needs a due date.")})
    if activity.kind != Activity.Kind.TASK and activity.due_at is not None:
        raise ValidationError({"due_at": _("Only a task has a due date.")})


def _check_subject(*, by, account: Account | None, lead) -> None:
    if not can_log_activity(by):
        raise PermissionDenied(_("Your role reads activities but does not log them."))
    if (account is None) == (lead is None):
        raise ValidationError({"account": _("Log an activity on an account or on a lead (one of them).")})
    if account is not None:
        _check_account_access(by=by, account=account, action=VIEW)
    elif not lead_queryset_for(user=by, action=VIEW).filter(pk=lead.pk).exists():
        raise ValidationError({"lead": _("You cannot use this lead.")})


@transaction.atomic
def activity_log(*, by, account: Account | None = None, lead=None, **fields) -> Activity:
    """Log a call, meeting, email, note or task on an account (a contact of it optional) or on a lead
    that `by` may see; the owner is the person logging it. "When" defaults to now."""
    check_known_fields(fields, ACTIVITY_FIELDS)
    _check_subject(by=by, account=account, lead=lead)
    _check_activity_links(account=account, contact=fields.get("contact"))
    now = timezone.now()
    if fields.get("occurred_at") is None:
        fields["occurred_at"] = now
    activity = Activity(account=account, lead=lead, owner=by, **fields)
    _check_when(activity, now=now)
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, by, **fields) -> Activity:
    fields.pop("account", None)
    fields.pop("lead", None)
    check_known_fields(fields, ACTIVITY_FIELDS)
    if not activity_queryset_for(user=by, action=CHANGE).filter(pk=activity.pk).exists():
        raise PermissionDenied(_("You may change only the activities you logged (or your team's)."))
    activity = Activity.objects.select_for_update(of=("self",)).select_related("account").get(pk=activity.pk)
    if "occurred_at" in fields and fields["occurred_at"] is None:
        fields.pop("occurred_at")
    for name, value in fields.items():
        setattr(activity, name, value)
    _check_activity_links(account=activity.account, contact=activity.contact)
    if {"occurred_at", "kind", "due_at"} & set(fields):
        _check_when(activity, now=timezone.now())
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def task_complete(*, task: Activity, by, now=None) -> Activity:
    """Mark a task done (its owner, their manager, admins). Completing a done task changes nothing."""
    task = Activity.objects.select_for_update(of=("self",)).select_related("owner__team").get(pk=task.pk)
    if task.kind != Activity.Kind.TASK:
        raise ValidationError(_("Only a task can be marked done."))
    if not can_complete_task(by, task):
        raise PermissionDenied(_("You may complete only your own tasks (or your team's)."))
    if task.done_at is None:
        task.done_at = now or timezone.now()
        task.save(update_fields=["done_at"])
    return task


@transaction.atomic
def lead_activities_follow(*, lead_id: int, account: Account, contact=None) -> list[int]:
    """A converted lead's activities follow it: one UPDATE sets the new account (and contact) on the
    lead's activities that have none; returns their ids (pipeline links them to the new deal)."""
    ids = list(Activity.objects.select_for_update().filter(lead_id=lead_id, account__isnull=True)
               .order_by("pk").values_list("pk", flat=True))
    if ids:
        Activity.objects.filter(pk__in=ids).update(account=account, contact=contact, updated_at=timezone.now())
    return ids


@transaction.atomic
def activities_delete(*, activities: QuerySet[Activity], by) -> int:
    """Delete logged activities (the person who logged them, their manager, admins)."""
    return _delete(rows=activities.select_related("account", "lead", "owner__team"), by=by,
                   may_delete=can_delete_activity,
                   refused=_("You may not delete these activities: %(names)s."),
                   describe=lambda locked: {i.pk: f"{i.kind} on {i.account or i.lead}: {i.summary[:100]}" for i in locked})


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
