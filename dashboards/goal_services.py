"""Writes for SMART goals: set, change, remove (by the named predicate) and check (pace, notification).

The baseline, when not given, is the metric's value for the goal's scope over the calendar month
before the start: the KPI snapshot of that whole month when there is one, else computed now. The
current value (goal_check) is the metric over the trailing `SALESOPS_GOAL_WINDOW_DAYS` (30) days
ending yesterday (or at the deadline), so a rate, a count or an average compares with a monthly
baseline. A goal that turns "at risk" notifies its setter and the person it is about (the rep, or
the team's manager) once per turn; turning back to "behind" or "on track" re-arms it.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from salesops import metrics as registry
from salesops.metrics import Period, Scope
from teams.predicates import can_set_goal
from teams.services import audit_log, check_known_fields, notify

from . import goals
from .models import Goal, KpiSnapshot, ScopeLevel
from .snapshots import _decimal, kind_end, kind_shift, scope_key, system_viewer

logger = logging.getLogger(__name__)
EDITABLE = ("metric", "scope", "team", "owner", "baseline", "target", "start", "deadline", "note")


def thresholds() -> goals.Thresholds:
    conf = getattr(settings, "SALESOPS_GOAL_THRESHOLDS", {}) or {}
    return goals.Thresholds(on_track=float(conf.get("on_track", 0.99)), at_risk=float(conf.get("at_risk", 0.81)))


def metric_value(metric, result) -> Decimal | None:
    """A goal's number: the value, or for a money metric the amount in settings.DEFAULT_CURRENCY."""
    if metric.unit == registry.MONEY:
        amount = (result.per_currency or {}).get(settings.DEFAULT_CURRENCY)
        return None if amount is None else _decimal(amount)
    return _decimal(result.value)


def goal_scope(goal: Goal, viewer=None) -> Scope:
    return Scope(viewer or system_viewer(), team_id=goal.team_id, owner_id=goal.owner_id)


def baseline_for(*, metric, scope: Scope, start: date) -> tuple[Decimal | None, str]:
    """The metric over the calendar month before `start`: its snapshot, else computed."""
    month = kind_shift("month", start.replace(day=1), -1)
    level, scope_id = scope_key(scope)
    snap = (KpiSnapshot.objects.filter(metric=metric.code, scope=level, scope_id=scope_id, period_kind="month",
                                       period_start=month, period_end=kind_end("month", month))
            .values_list("value", "per_currency").first())
    if snap is not None:
        value = snap[0]
        if metric.unit == registry.MONEY:
            value = snap[1].get(settings.DEFAULT_CURRENCY)
        if value is not None:
            return Decimal(value), Goal.BaselineSource.SNAPSHOT
    value = metric_value(metric, metric.compute(scope, Period(month, kind_end("month", month))))
    return value, Goal.BaselineSource.COMPUTED


def _clean(goal: Goal, *, by, baseline: str) -> Goal:
    """Check and complete `goal`. `baseline`: "given" (as typed), "derive" (from the month before the
    start) or "keep" (unchanged, with its source)."""
    metric = registry.find(goal.metric)
    if metric is None:
        raise ValidationError({"metric": _("Unknown metric “%(code)s”.") % {"code": goal.metric}})
    if goal.scope == ScopeLevel.ORGANISATION:
        goal.team = goal.owner = None
    elif goal.scope == ScopeLevel.TEAM:
        goal.owner = None
        if goal.team is None:
            raise ValidationError({"team": _("Choose the team this goal is for.")})
    elif goal.scope == ScopeLevel.REP:
        goal.team = None
        if goal.owner is None:
            raise ValidationError({"owner": _("Choose the rep this goal is for.")})
    else:
        raise ValidationError({"scope": _("Choose organisation, team or rep.")})
    if not can_set_goal(by, scope=goal.scope, team=goal.team, owner=goal.owner, metric_app=metric.app):
        raise PermissionDenied(_("You may not set goals for this scope."))
    if goal.start and goal.deadline and goal.deadline <= goal.start:
        raise ValidationError({"deadline": _("The deadline must be after the start.")})
    goal.better = metric.better
    if baseline == "derive" and goal.start:
        goal.baseline, goal.baseline_source = baseline_for(metric=metric, scope=goal_scope(goal), start=goal.start)
        if goal.baseline is None:
            raise ValidationError({"baseline": _(
                "There is no value of this metric for the month before the start: give a baseline.")})
    elif baseline == "given":
        goal.baseline_source = Goal.BaselineSource.GIVEN
    if goal.baseline is not None and goal.target is not None:
        worse = goal.target < goal.baseline if goal.better == goals.UP else goal.target > goal.baseline
        if worse:
            raise ValidationError({"target": _("The target must be better than the baseline (%(better)s is better).")
                                   % {"better": _("higher") if goal.better == goals.UP else _("lower")}})
    goal.full_clean(exclude=["created_by"])
    return goal


def goal_create(*, by, metric: str, target, start: date, deadline: date, scope: str = ScopeLevel.ORGANISATION,
                team=None, owner=None, baseline=None, note: str = "") -> Goal:
    goal = Goal(metric=metric, scope=scope, team=team, owner=owner, baseline=baseline, target=target,
                start=start, deadline=deadline, note=note, created_by=by)
    with transaction.atomic():
        _clean(goal, by=by, baseline="derive" if baseline is None else "given")
        goal.save()
        audit_log(by=by, objects=[goal], flag=ADDITION)
    return goal


def goal_update(*, goal: Goal, by, **fields) -> Goal:
    check_known_fields(fields, EDITABLE)
    with transaction.atomic():
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        if not can_set_goal(by, scope=goal.scope, team=goal.team, owner=goal.owner,
                            metric_app=getattr(registry.find(goal.metric), "app", "")):
            raise PermissionDenied(_("You may not change this goal."))
        before = {name: getattr(goal, name) for name in EDITABLE}
        for name, value in fields.items():
            setattr(goal, name, value)
        moved = any(getattr(goal, name) != before[name] for name in ("metric", "scope", "team", "owner", "start"))
        if "baseline" in fields and fields["baseline"] is None:
            mode = "derive"  # emptied: take it from the month before the start
        elif "baseline" in fields and Decimal(fields["baseline"]) != before["baseline"]:
            mode = "given"
        elif goal.baseline_source == Goal.BaselineSource.GIVEN or not moved:
            mode = "keep"
        else:
            mode = "derive"  # a derived baseline follows the metric, scope and start
        _clean(goal, by=by, baseline=mode)
        goal.pace = ""  # re-evaluated by the next check
        goal.save()
        audit_log(by=by, objects=[goal], flag=CHANGE, fields=[f for f in EDITABLE if f in fields])
    return goal


def goal_delete(*, goal: Goal, by) -> None:
    with transaction.atomic():
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        if not can_set_goal(by, scope=goal.scope, team=goal.team, owner=goal.owner,
                            metric_app=getattr(registry.find(goal.metric), "app", "")):
            raise PermissionDenied(_("You may not remove this goal."))
        audit_log(by=by, objects=[goal], flag=DELETION, message=f"Deleted goal {goal}")
        goal.delete()


def goal_window(goal: Goal, today: date) -> Period:
    days = settings.SALESOPS_GOAL_WINDOW_DAYS
    end = min(today - timedelta(days=1), goal.deadline)
    return Period(end - timedelta(days=days - 1), end)


def goal_current(goal: Goal, today: date):
    metric = registry.find(goal.metric)
    if metric is None:
        return None
    return metric_value(metric, metric.compute(goal_scope(goal), goal_window(goal, today)))


def goal_evaluate(goal: Goal, current, today: date) -> goals.Pace:
    return goals.pace(baseline=goal.baseline, target=goal.target, current=current, start=goal.start,
                      deadline=goal.deadline, today=today, better=goal.better, thresholds=thresholds())


def _recipients(goal: Goal) -> list:
    people = [goal.created_by, goal.owner, goal.team.manager if goal.team_id else None]
    seen, out = set(), []
    for person in people:
        if person is not None and person.is_active and person.pk not in seen:
            seen.add(person.pk)
            out.append(person)
    return out


def goal_check(*, goal: Goal, today: date | None = None) -> Goal:
    """Measure the goal now, store its pace (and, past the deadline, achieved or missed) and notify
    when it turns at risk."""
    today = today or timezone.localdate()
    try:
        current = goal_current(goal, today)
    except (ArithmeticError, InvalidOperation, ValueError):  # no value today: "behind", no notification
        current = None
    evaluated = goal_evaluate(goal, current, today)
    with transaction.atomic():
        goal = Goal.objects.select_for_update(of=("self",)).select_related("team__manager", "owner", "created_by").get(
            pk=goal.pk)
        turned_at_risk = evaluated.status == Goal.Pace.AT_RISK and goal.pace != Goal.Pace.AT_RISK
        goal.pace, goal.current, goal.checked_at = evaluated.status, current, timezone.now()
        if today > goal.deadline and goal.status == Goal.Status.ACTIVE:
            goal.status = Goal.Status.ACHIEVED if evaluated.status == Goal.Pace.ON_TRACK else Goal.Status.MISSED
        goal.save(update_fields=["pace", "current", "checked_at", "status", "updated_at"])
        if turned_at_risk and goal.status == Goal.Status.ACTIVE:
            name = str(getattr(registry.find(goal.metric), "name", goal.metric))
            for person in _recipients(goal):
                notify(recipient=person, kind="goal_at_risk", url=reverse("dashboards:goals"),
                       text=gettext_noop("Goal at risk: %(metric)s is %(current)s, %(expected)s was due by now "
                                         "(target %(target)s by %(deadline)s)."),
                       params={"metric": name, "current": f"{current:.1f}" if current is not None else "—",
                               "expected": f"{evaluated.expected:.1f}", "target": f"{goal.target:.1f}",
                               "deadline": goal.deadline.isoformat()})
    return goal


def goals_check_all(*, today: date | None = None) -> int:
    """The beat job (after the snapshots): check every active goal. Goals are few (one metric
    computation each), so this is a loop over goals, not over records."""
    checked = 0
    for goal in Goal.objects.filter(status=Goal.Status.ACTIVE).order_by("pk"):
        try:
            goal_check(goal=goal, today=today)
            checked += 1
        except Exception:  # noqa: BLE001 - one broken metric must not stop the other goals
            logger.exception("goal %s: check failed", goal.pk)
    return checked
