"""Reads of activities and tasks: the timeline, my tasks, overdue lists, the 24-hour flag."""
from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from salesops.metric_tools import day_start, person
from salesops.timeline import TimelineItem
from teams.predicates import can_see_team_tasks

from ..models import Activity
from ..timeliness import LATE_AFTER, is_late
from .accounts import activity_queryset_for


def tasks_open_for(*, user) -> QuerySet[Activity]:
    """`user`'s own open tasks (not done), soonest due first (a task without a due date last)."""
    return (Activity.objects.filter(owner=user, kind=Activity.Kind.TASK, done_at__isnull=True)
            .select_related("account", "lead", "contact", "owner").order_by(F("due_at").asc(nulls_last=True), "id"))


def my_tasks(*, user, now=None, limit: int = 200) -> dict[str, list[Activity]]:
    """`user`'s open tasks in three groups, in one query: overdue (due before now), due later today
    (business time zone) and upcoming (later, or without a due date)."""
    now = now or timezone.now()
    end_of_today = day_start(timezone.localdate(now) + timedelta(days=1))
    groups: dict[str, list[Activity]] = {"overdue": [], "today": [], "upcoming": []}
    for task in tasks_open_for(user=user)[:limit]:
        due = task.due_at
        key = "upcoming" if due is None or due >= end_of_today else "overdue" if due < now else "today"
        groups[key].append(task)
    return groups


def overdue_task_count(*, user, now=None) -> int:
    """How many of `user`'s own open tasks are past their due date (the header badge)."""
    return tasks_open_for(user=user).filter(due_at__lt=now or timezone.now()).count()


def team_overdue_tasks(*, user, now=None, limit: int = 500) -> list[dict]:
    """For a manager, the overdue open tasks of each member of the teams they manage (an admin:
    everyone's), one row per rep: {"owner", "count", "tasks"}; two queries whatever the size."""
    if not can_see_team_tasks(user):
        return []
    overdue = Activity.objects.filter(kind=Activity.Kind.TASK, done_at__isnull=True, due_at__lt=now or timezone.now())
    if not user.is_admin_role:
        overdue = overdue.filter(owner__team__manager=user)
    counts = {row["owner"]: row["n"] for row in overdue.order_by().values("owner").annotate(n=Count("id"))}
    rows: dict[int, dict] = {}
    for task in overdue.select_related("owner", "account", "lead").order_by("owner_id", "due_at", "id")[:limit]:
        rows.setdefault(task.owner_id, {"owner": task.owner, "count": counts.get(task.owner_id, 0), "tasks": []})
        rows[task.owner_id]["tasks"].append(task)
    return sorted(rows.values(), key=lambda row: (-row["count"], str(row["owner"])))


def late_q() -> Q:
    """SQL twin of customers.timeliness.is_late: logged more than 24 h after it happened."""
    return Q(logged_at__gt=F("occurred_at") + LATE_AFTER)


def activity_is_late(activity: Activity) -> bool:
    return activity.kind != Activity.Kind.TASK and is_late(activity.occurred_at, activity.logged_at)


def task_status(task: Activity, now=None) -> str:
    """"done", "overdue" (open and past its due date) or "open"."""
    if task.done_at:
        return "done"
    return "overdue" if task.due_at and task.due_at < (now or timezone.now()) else "open"


def timeline_items(activities, *, now=None) -> list[TimelineItem]:
    """Activities as timeline items (salesops.timeline): a call, meeting, email or note is flagged
    "late" when logged more than 24 h after it happened; a task shows its due date and is "open",
    "overdue" or "done" (an open task offers "Mark done")."""
    now = now or timezone.now()
    items = []
    for activity in activities:
        flags, title, action_url = [], "", ""
        if activity.kind == Activity.Kind.TASK:
            flags.append(task_status(activity, now))
            if not activity.done_at:
                action_url = reverse("customers:task-complete", args=[activity.pk])
            if activity.due_at:
                title = _("Due %(when)s") % {"when": date_format(timezone.localtime(activity.due_at),
                                                                  "SHORT_DATETIME_FORMAT")}
        elif activity_is_late(activity):
            flags.append("late")
        items.append(TimelineItem(
            when=activity.occurred_at, kind=activity.kind, kind_label=str(activity.get_kind_display()),
            title=title, body=activity.summary, by=person(activity.owner), flags=tuple(flags),
            action_url=action_url, action_label=_("Mark done") if action_url else ""))
    return items


def activity_timeline_source(field: str):
    """A timeline source (salesops.timeline) listing the activities whose `field` is the object,
    those `user` may see, newest first: one query."""
    def items(obj, user, limit: int) -> list[TimelineItem]:
        found = activity_queryset_for(user=user).filter(**{field: obj}).order_by("-occurred_at", "-id")[:limit]
        return timeline_items(found)
    return items
