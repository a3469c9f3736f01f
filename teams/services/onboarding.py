"""Writes for onboarding (h10): templates, plans per new hire, ticks, sign-offs, and the job that ticks
milestones and measures time to first deal and ramp through the metric registry (salesops.metrics).

Milestones are read ONLY through the registry: teams never imports leads, customers or pipeline. The
hire's own scope answers (Scope(user=hire, owner_id=hire)): what the hire did since the plan started.
- `onboarding_plan_refresh` evaluates one plan (the plan page calls it on view, so a hire who just
  logged their first meeting sees it ticked at once);
- `onboarding_refresh_all` evaluates every open plan (the beat job `teams.tasks.onboarding_refresh_task`).
Both are idempotent: an open milestone is ticked once; a ticked one is never unticked by the job.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.admin.models import ADDITION, DELETION
from django.contrib.admin.models import CHANGE as LOG_CHANGE
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from salesops import metrics
from salesops.metrics import Period, Scope

from .. import onboarding as rules
from ..models import (
    OnboardingPhase, OnboardingPlan, OnboardingStep, OnboardingTask, OnboardingTemplate, User,
)
from ..models.onboarding import MAX_DAY, MAX_DURATION, Performer, StepKind
from ..predicates import (
    can_edit_onboarding_templates, can_manage_onboarding_plan, can_sign_off_onboarding_task,
    can_tick_onboarding_task,
)
from . import audit_log, notify

STEP_FIELDS = ("title", "description", "performer", "kind", "day_offset", "duration_days", "milestone_metric",
               "milestone_threshold")
REFRESH_LIMIT = 2000  # open plans one run of the beat job evaluates (oldest checked first)
MAX_PHASES, MAX_STEPS = 20, 100


# --- templates -----------------------------------------------------------------------------------
def _check_templates(by) -> None:
    if not can_edit_onboarding_templates(by):
        raise PermissionDenied(gettext("Only managers and administrators edit onboarding templates."))


def step_check(fields: dict) -> dict:
    """Validate one step's fields (a dict as typed in a form or posted to the API); the clean dict,
    or a ValidationError naming the field."""
    unknown = set(fields) - set(STEP_FIELDS) - {"phase_title", "position"}
    if unknown:
        raise ValidationError(gettext("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    clean = {"title": str(fields.get("title") or "").strip(), "description": str(fields.get("description") or ""),
             "performer": fields.get("performer") or Performer.HIRE, "kind": fields.get("kind") or StepKind.DOING,
             "milestone_metric": str(fields.get("milestone_metric") or "").strip(),
             "milestone_threshold": fields.get("milestone_threshold")}
    if not clean["title"] or len(clean["title"]) > 200:
        raise ValidationError({"title": gettext("Give the step a title of at most 200 characters.")})
    if len(clean["description"]) > 2000:
        raise ValidationError({"description": gettext("Ensure this value has at most 2000 characters.")})
    if clean["performer"] not in Performer.values:
        raise ValidationError({"performer": gettext("Choose the hire, the mentor or the manager.")})
    if clean["kind"] not in StepKind.values:
        raise ValidationError({"kind": gettext("Choose “doing” or “knowing”.")})
    for name, low, high in (("day_offset", 0, MAX_DAY), ("duration_days", 1, MAX_DURATION)):
        value = fields.get(name, 0 if name == "day_offset" else 7)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError({name: gettext("Enter a whole number from %(low)d to %(high)d.")
                                   % {"low": low, "high": high}})
        clean[name] = value
    if clean["milestone_metric"]:
        if metrics.find(clean["milestone_metric"]) is None:
            raise ValidationError({"milestone_metric": gettext("Unknown metric “%(code)s”.")
                                   % {"code": clean["milestone_metric"][:50]}})
        try:
            threshold = Decimal(str(clean["milestone_threshold"] if clean["milestone_threshold"] is not None else 1))
        except (InvalidOperation, ValueError):
            threshold = Decimal("-1")
        if not threshold.is_finite() or threshold < 0 or threshold >= Decimal("1e10"):
            raise ValidationError({"milestone_threshold": gettext("Enter a threshold of 0 or more.")})
        clean["milestone_threshold"] = threshold.quantize(Decimal("0.01"))
    else:
        clean["milestone_threshold"] = None
    return clean


def _write_phases(template: OnboardingTemplate, phases: Sequence[dict]) -> None:
    if len(phases) > MAX_PHASES or sum(len(p.get("steps") or ()) for p in phases) > MAX_STEPS:
        raise ValidationError(gettext("A template has at most %(phases)d phases and %(steps)d steps.")
                              % {"phases": MAX_PHASES, "steps": MAX_STEPS})
    checked = []
    for phase in phases:
        title = str(phase.get("title") or "").strip()
        if not title or len(title) > 100:
            raise ValidationError({"phases": gettext("Give every phase a title of at most 100 characters.")})
        checked.append((title, [step_check(dict(step)) for step in phase.get("steps") or ()]))
    template.phases.all().delete()
    for position, (title, steps) in enumerate(checked):
        phase = OnboardingPhase.objects.create(template=template, title=title, position=position)
        OnboardingStep.objects.bulk_create([OnboardingStep(phase=phase, position=i, **step)
                                            for i, step in enumerate(steps)])


def _set_default(template: OnboardingTemplate) -> None:
    OnboardingTemplate.objects.filter(is_default=True).exclude(pk=template.pk).update(is_default=False)


def _check_name(name, *, exclude=None) -> str:
    name = str(name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": gettext("Give the template a name of at most 100 characters.")})
    if OnboardingTemplate.objects.filter(name=name).exclude(pk=getattr(exclude, "pk", None)).exists():
        raise ValidationError({"name": gettext("A template with this name exists already.")})
    return name


@transaction.atomic
def onboarding_template_create(*, by, name: str, description: str = "", is_default: bool = False,
                               phases: Sequence[dict] = ()) -> OnboardingTemplate:
    """A template with its phases and steps (`phases`: [{"title", "steps": [{step fields}]}])."""
    _check_templates(by)
    template = OnboardingTemplate(name=_check_name(name), description=str(description or "")[:2000],
                                  is_default=bool(is_default))
    if template.is_default:
        _set_default(template)
    template.save()
    _write_phases(template, phases)
    audit_log(by=by, objects=[template], flag=ADDITION)
    return template


@transaction.atomic
def onboarding_template_update(*, template: OnboardingTemplate, by, name: str | None = None,
                               description: str | None = None, is_default: bool | None = None,
                               phases: Sequence[dict] | None = None) -> OnboardingTemplate:
    """Change a template; `phases` given replaces its phases and steps (plans made earlier keep their
    own copies of the tasks)."""
    _check_templates(by)
    template = OnboardingTemplate.objects.select_for_update().get(pk=template.pk)
    if name is not None:
        template.name = _check_name(name, exclude=template)
    if description is not None:
        template.description = str(description)[:2000]
    if is_default is not None:
        template.is_default = bool(is_default)
        if template.is_default:
            _set_default(template)
    template.save()
    if phases is not None:
        _write_phases(template, phases)
    audit_log(by=by, objects=[template], flag=LOG_CHANGE, message="Changed the onboarding template.")
    return template


@transaction.atomic
def onboarding_template_delete(*, template: OnboardingTemplate, by) -> None:
    """Delete a template; plans made from it keep their tasks."""
    _check_templates(by)
    template = OnboardingTemplate.objects.select_for_update().get(pk=template.pk)
    audit_log(by=by, objects=[template], flag=DELETION, message=f"Deleted the onboarding template {template.name}.")
    template.delete()


@transaction.atomic
def onboarding_step_add(*, template: OnboardingTemplate, by, phase_title: str, **fields) -> OnboardingStep:
    """Add a step to the phase titled `phase_title` (made at the end when new)."""
    _check_templates(by)
    template = OnboardingTemplate.objects.select_for_update().get(pk=template.pk)
    clean = step_check(fields)
    title = str(phase_title or "").strip()
    if not title or len(title) > 100:
        raise ValidationError({"phase_title": gettext("Give the phase a title of at most 100 characters.")})
    if OnboardingStep.objects.filter(phase__template=template).count() >= MAX_STEPS:
        raise ValidationError(gettext("A template has at most %(phases)d phases and %(steps)d steps.")
                              % {"phases": MAX_PHASES, "steps": MAX_STEPS})
    phase = template.phases.filter(title=title).first()
    if phase is None:
        phase = OnboardingPhase.objects.create(template=template, title=title, position=template.phases.count())
    step = OnboardingStep.objects.create(phase=phase, position=phase.steps.count(), **clean)
    audit_log(by=by, objects=[template], flag=LOG_CHANGE, message=f"Added the step {step.title}.")
    return step


@transaction.atomic
def onboarding_step_remove(*, step: OnboardingStep, by) -> None:
    _check_templates(by)
    template = OnboardingTemplate.objects.select_for_update().get(pk=step.phase.template_id)
    phase = step.phase
    step.delete()
    if not phase.steps.exists():
        phase.delete()
    audit_log(by=by, objects=[template], flag=LOG_CHANGE, message=f"Removed the step {step.title}.")


@transaction.atomic
def onboarding_default_template_ensure() -> OnboardingTemplate:
    """The seed's 90-day template (month 1 training, month 2 visits with a mentor, month 3 own small
    accounts with a weekly review); made once, never overwritten (managers may have edited it)."""
    template = OnboardingTemplate.objects.filter(name=rules.DEFAULT_TEMPLATE_NAME).first()
    if template is not None:
        return template
    template = OnboardingTemplate.objects.create(
        name=rules.DEFAULT_TEMPLATE_NAME, description=rules.DEFAULT_TEMPLATE_DESCRIPTION,
        is_default=not OnboardingTemplate.objects.filter(is_default=True).exists())
    _write_phases(template, [{"title": phase.title, "steps": [
        {name: getattr(step, name) for name in STEP_FIELDS} for step in phase.steps]} for phase in rules.DEFAULT_PHASES])
    return template


# --- plans ---------------------------------------------------------------------------------------
def _check_mentor(mentor, hire) -> None:
    if mentor is None:
        return
    if mentor.pk == hire.pk:
        raise ValidationError({"mentor": gettext("A new hire cannot mentor themselves.")})
    if not mentor.is_active:
        raise ValidationError({"mentor": gettext("The mentor must be an active user.")})


@transaction.atomic
def onboarding_plan_create(*, by, hire: User, template: OnboardingTemplate | None = None, mentor: User | None = None,
                           start_date: date | None = None) -> OnboardingPlan:
    """A plan for `hire` from `template` (the default one when None): one dated task per step."""
    if not can_manage_onboarding_plan(by, hire):
        raise PermissionDenied(gettext("Only the hire's manager or an administrator makes their onboarding plan."))
    User.objects.select_for_update().filter(pk=hire.pk).first()  # one plan per hire, also under concurrency
    if OnboardingPlan.objects.filter(hire=hire).exists():
        raise ValidationError({"hire": gettext("%(name)s has an onboarding plan already.") % {"name": hire}})
    _check_mentor(mentor, hire)
    template = template or OnboardingTemplate.objects.filter(is_default=True).first() \
        or onboarding_default_template_ensure()
    start = start_date or hire.hired_on or timezone.localdate()
    plan = OnboardingPlan.objects.create(hire=hire, mentor=mentor, template=template, start_date=start)
    tasks = []
    for step in OnboardingStep.objects.filter(phase__template=template).select_related("phase").order_by(
            "phase__position", "day_offset", "position", "pk"):
        starts, due = rules.task_dates(start, step.day_offset, step.duration_days)
        tasks.append(OnboardingTask(plan=plan, phase_title=step.phase.title, starts_on=starts, due_on=due,
                                    **{name: getattr(step, name) for name in STEP_FIELDS
                                       if name not in ("day_offset", "duration_days")}, position=step.position))
    OnboardingTask.objects.bulk_create(tasks)
    audit_log(by=by, objects=[plan], flag=ADDITION)
    if mentor is not None:
        notify(recipient=mentor, kind="onboarding_mentor", url=reverse("teams:onboarding-plan", args=[plan.pk]),
               text=gettext_noop("You mentor %(hire)s: their onboarding plan starts on %(start)s."),
               params={"hire": str(hire), "start": start.isoformat()})
    return plan


@transaction.atomic
def onboarding_plan_update(*, plan: OnboardingPlan, by, mentor=..., closed: bool | None = None) -> OnboardingPlan:
    """Change the mentor (None removes it) or close/reopen the plan (the hire's manager, admins)."""
    plan = OnboardingPlan.objects.select_for_update(of=("self",)).select_related("hire__team").get(pk=plan.pk)
    if not can_manage_onboarding_plan(by, plan.hire):
        raise PermissionDenied(gettext("Only the hire's manager or an administrator changes their onboarding plan."))
    changed = []
    if mentor is not ... and getattr(mentor, "pk", None) != plan.mentor_id:
        _check_mentor(mentor, plan.hire)
        plan.mentor = mentor
        changed.append("mentor")
    if closed is not None and closed != (plan.closed_at is not None):
        plan.closed_at = timezone.now() if closed else None
        changed.append("closed_at")
    if changed:
        plan.save(update_fields=changed)
        audit_log(by=by, objects=[plan], flag=LOG_CHANGE, fields=changed)
    return plan


def _locked_task(task: OnboardingTask) -> OnboardingTask:
    return OnboardingTask.objects.select_for_update(of=("self",)).select_related("plan__hire__team").get(pk=task.pk)


@transaction.atomic
def onboarding_task_tick(*, task: OnboardingTask, by, done: bool = True) -> OnboardingTask:
    """Tick (or untick) a task by hand. Unticking also clears its sign-off."""
    task = _locked_task(task)
    if task.milestone_metric:
        raise ValidationError(gettext("This milestone ticks itself when the CRM sees it reached."))
    if not can_tick_onboarding_task(by, task):
        raise PermissionDenied(gettext("You may not tick this task."))
    if done == task.is_done:
        return task
    task.done_at, task.done_by = (timezone.now(), by) if done else (None, None)
    if not done:
        task.signed_off_at = task.signed_off_by = None
    task.save(update_fields=["done_at", "done_by", "signed_off_at", "signed_off_by"])
    return task


@transaction.atomic
def onboarding_task_sign_off(*, task: OnboardingTask, by) -> OnboardingTask:
    """The mentor (or the hire's manager) confirms a done task. Idempotent; a task not done is refused."""
    task = _locked_task(task)
    if not can_sign_off_onboarding_task(by, task):
        raise PermissionDenied(gettext("Only the mentor or the hire's manager signs off a task."))
    if not task.is_done:
        raise ValidationError(gettext("Only a done task can be signed off."))
    if task.signed_off_at is None:
        task.signed_off_at, task.signed_off_by = timezone.now(), by
        task.save(update_fields=["signed_off_at", "signed_off_by"])
    return task


# --- milestones, time to first deal and ramp, through the metric registry ------------------------
def _value(code: str, hire: User, start: date, end: date):
    metric = metrics.find(code)
    if metric is None or end < start:
        return None
    return metric.compute(Scope(user=hire, owner_id=hire.pk), Period(start, end)).value


def _reached_on(code: str, hire: User, start: date, today: date, threshold) -> date | None:
    if not rules.reached(_value(code, hire, start, today), threshold):
        return None
    return rules.first_day_reached(lambda day: _value(code, hire, start, day), threshold, start, today)


def _evaluate(plans: Iterable[OnboardingPlan], today: date, *, milestones: bool = True) -> dict:
    """Tick open milestones (unless `milestones` is False), fill first_deal_on and ramp for `plans`
    (hire loaded). Counts per kind."""
    plans = list(plans)
    counts = {"plans": len(plans), "ticked": 0, "first_deals": 0, "ramped": 0}
    if not plans:
        return counts
    by_plan = {plan.pk: plan for plan in plans}
    open_tasks = [] if not milestones else list(
        OnboardingTask.objects.filter(plan_id__in=by_plan, done_at__isnull=True).exclude(milestone_metric="")
        .only("pk", "plan_id", "milestone_metric", "milestone_threshold"))
    values: dict = {}
    now = timezone.now()
    for task in open_tasks:
        plan = by_plan[task.plan_id]
        key = (plan.pk, task.milestone_metric, task.milestone_threshold)
        if key not in values:
            values[key] = _reached_on(task.milestone_metric, plan.hire, plan.start_date, today, task.milestone_threshold)
        day = values[key]
        if day is not None:  # ticked once: the row must still be open (a concurrent run ticks nothing twice)
            counts["ticked"] += OnboardingTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
                done_at=now, reached_on=day)
    for plan in plans:
        updates = {}
        if plan.first_deal_on is None:
            day = _reached_on("deals_won", plan.hire, plan.start_date, today, 1)
            if day is not None:
                updates["first_deal_on"] = day
                counts["first_deals"] += 1
        if plan.ramped_month is None and metrics.find("quota_attainment") is not None:
            for month in rules.months_to_check(plan.start_date, plan.ramp_checked_month, today):
                value = _value("quota_attainment", plan.hire, month, rules.month_end(month))
                if rules.reached(value, rules.FULL_QUOTA):
                    updates.update(ramped_month=month, ramp_months=rules.ramp_months(plan.start_date, month),
                                   ramp_checked_month=month)
                    counts["ramped"] += 1
                    break
                if rules.month_end(month) < today:  # a month still running is looked at again
                    updates["ramp_checked_month"] = month
        if updates:
            OnboardingPlan.objects.filter(pk=plan.pk).update(**updates)
            for name, value in updates.items():
                setattr(plan, name, value)
    return counts


def onboarding_plan_refresh(*, plan: OnboardingPlan, today: date | None = None) -> dict:
    """Evaluate one plan's milestones now (the plan page calls this on view). Idempotent."""
    if plan.closed_at is not None:
        return {"plans": 0, "ticked": 0, "first_deals": 0, "ramped": 0}
    return _evaluate([plan], today or timezone.localdate())


def onboarding_refresh_all(*, today: date | None = None, limit: int = REFRESH_LIMIT) -> dict:
    """The beat job: every open plan (at most `limit`, in plan order), and the first deal and ramp of
    closed plans not yet ramped within the horizon. Idempotent: running it twice ticks nothing more."""
    today = today or timezone.localdate()
    plans = (OnboardingPlan.objects.filter(closed_at__isnull=True).select_related("hire").order_by("pk")[:limit])
    counts = _evaluate(plans, today)
    closed = (OnboardingPlan.objects.filter(closed_at__isnull=False, ramped_month__isnull=True)
              .select_related("hire").order_by("pk")[:limit])
    more = _evaluate(closed, today, milestones=False)  # a closed plan's tasks stay as they were
    return {name: counts[name] + more[name] for name in counts}
