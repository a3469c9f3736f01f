"""Reads for onboarding (h10), scoped like teams.predicates.can_view_onboarding_plan: a plan is read by
its hire, their mentor, the manager of the hire's team and admins."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from salesops.metrics import MetricResult, Period, Scope

from .. import onboarding as rules
from ..models import OnboardingPlan, OnboardingTask, OnboardingTemplate, User
from ..predicates import can_see_onboarding_figures, is_active_user


def onboarding_plan_queryset_for(*, user) -> QuerySet[OnboardingPlan]:
    plans = OnboardingPlan.objects.select_related("hire", "hire__team", "mentor", "template")
    if not is_active_user(user):
        return plans.none()
    if user.is_admin_role:
        return plans
    q = Q(hire=user) | Q(mentor=user)
    if user.role == User.Role.MANAGER:
        q |= Q(hire__team__manager=user)
    return plans.filter(q)


def with_progress(plans: QuerySet[OnboardingPlan], today: date) -> QuerySet[OnboardingPlan]:
    """Plans annotated with `task_count`, `done_count` and `overdue_count` (one query for a page)."""
    return plans.annotate(
        task_count=Count("tasks"), done_count=Count("tasks", filter=Q(tasks__done_at__isnull=False)),
        overdue_count=Count("tasks", filter=Q(tasks__done_at__isnull=True, tasks__due_on__lt=today)))


def plans_listed_for(*, user, view: str, today: date) -> QuerySet[OnboardingPlan]:
    """"mentees": the plans `user` mentors; otherwise every plan they may read (a manager: the team's)."""
    plans = onboarding_plan_queryset_for(user=user)
    if view == "mentees":
        plans = plans.filter(mentor=user)
    return with_progress(plans, today).order_by("closed_at", "-start_date", "pk")


def my_plan(*, user) -> OnboardingPlan | None:
    return onboarding_plan_queryset_for(user=user).filter(hire=user).first()


def display_text(text: str) -> str:
    """A default template's text translated; a manager's own words as typed."""
    return gettext(text) if text in rules.DEFAULT_TEXTS else text


def plan_phases(*, plan: OnboardingPlan, today: date) -> dict:
    """The plan's tasks by phase, with overdue flags, and its progress (one query)."""
    tasks = list(OnboardingTask.objects.filter(plan=plan).select_related("done_by", "signed_off_by")
                 .order_by("due_on", "position", "pk"))
    phases: dict[str, list] = {}
    for task in tasks:
        task.overdue = task.is_overdue(today)
        task.label = display_text(task.title)
        phases.setdefault(display_text(task.phase_title), []).append(task)
    done = sum(1 for t in tasks if t.is_done)
    return {"phases": phases, "tasks": tasks, "done": done, "total": len(tasks),
            "progress": rules.progress_percent(done, len(tasks)), "overdue": sum(1 for t in tasks if t.overdue),
            "milestones": [t for t in tasks if t.milestone_metric]}


def onboarding_template_queryset() -> QuerySet[OnboardingTemplate]:
    """Templates are readable by every signed-in user (they hold no personal data)."""
    return OnboardingTemplate.objects.prefetch_related("phases__steps")


def ramp_plans_for(*, user) -> QuerySet[OnboardingPlan]:
    """The plans whose figures `user` sees: admins all, managers their team's, nobody else."""
    if not can_see_onboarding_figures(user):
        return OnboardingPlan.objects.none()
    return onboarding_plan_queryset_for(user=user) if user.is_admin_role else \
        onboarding_plan_queryset_for(user=user).filter(hire__team__manager=user)


def ramp_report(*, user, by: str = "month") -> dict:
    """Time to first deal and ramp by hire cohort (month or quarter of the start date) and by mentor:
    hires, how many closed a first deal and in how many days on average, how many ramped (a month at
    100 % of quota or more) and in how many months on average."""
    by = by if by in ("month", "quarter") else "month"
    rows = list(ramp_plans_for(user=user).values_list("start_date", "first_deal_on", "ramp_months", "mentor_id",
                                                      "mentor__first_name", "mentor__last_name", "mentor__username"))
    cohorts: dict = defaultdict(list)
    mentors: dict = defaultdict(list)
    names = {}
    for start, first_deal, ramp, mentor_id, first, last, username in rows:
        cohorts[rules.cohort_key(start, by)].append((start, first_deal, ramp))
        mentors[mentor_id].append((start, first_deal, ramp))
        names[mentor_id] = (f"{first} {last}".strip() or username) if mentor_id else gettext("No mentor")

    def figures(items) -> dict:
        days = [(d - s).days for s, d, _r in items if d is not None]
        ramps = [r for _s, _d, r in items if r is not None]
        return {"hires": len(items), "first_deals": len(days), "avg_days_to_first_deal": rules.average(days),
                "ramped": len(ramps), "avg_ramp_months": rules.average(ramps)}

    return {"by": by,
            "cohorts": [{"cohort": key, **figures(items)} for key, items in sorted(cohorts.items())],
            "mentors": sorted(({"mentor": names[key], "mentor_id": key, **figures(items)} for key, items in mentors.items()),
                              key=lambda row: (row["mentor_id"] is None, row["mentor"]))}


# --- metrics (registered in teams.registry) ------------------------------------------------------
def _scoped_plans(scope: Scope) -> QuerySet[OnboardingPlan]:
    plans = onboarding_plan_queryset_for(user=scope.user)
    if scope.team_id:
        plans = plans.filter(hire__team_id=scope.team_id)
    if scope.owner_id:
        plans = plans.filter(hire_id=scope.owner_id)
    return plans


def _in(plans, field: str, period: Period):
    plans = plans.filter(**{f"{field}__isnull": False})
    if period.start:
        plans = plans.filter(**{f"{field}__gte": period.start})
    if period.end:
        plans = plans.filter(**{f"{field}__lte": period.end})
    return plans


def first_deal_records(scope: Scope, period: Period, group_by=None, key=None):
    return _in(_scoped_plans(scope), "first_deal_on", period)


def time_to_first_deal_days(scope: Scope, period: Period) -> MetricResult:
    pairs = list(first_deal_records(scope, period).values_list("start_date", "first_deal_on"))
    return MetricResult(value=rules.average([(deal - start).days for start, deal in pairs]), count=len(pairs))


def mentor_choices() -> QuerySet[User]:
    """Who can mentor: active sellers and managers."""
    return User.objects.filter(is_active=True, role__in=(User.Role.REP, User.Role.MANAGER, User.Role.ADMIN)) \
        .order_by("first_name", "last_name", "username")


def hire_choices_for(*, user) -> QuerySet[User]:
    """Whom `user` may make a plan for (teams.predicates.can_manage_onboarding_plan) who has none yet."""
    if not is_active_user(user):
        return User.objects.none()
    people = User.objects.filter(is_active=True, onboarding_plan__isnull=True).exclude(pk=user.pk)
    if not user.is_admin_role:
        people = people.filter(team__manager=user) if user.role == User.Role.MANAGER else people.none()
    return people.order_by("first_name", "last_name", "username")


def first_deal_drilldown(scope: Scope, period: Period, group_by=None, key=None) -> str:
    """The plans page listing first_deal_records (same filters as the API)."""
    from salesops.metric_tools import link, period_params, scope_params

    return link("teams:onboarding-team", {**period_params("first_deal", period), **scope_params(scope)})
