"""Onboarding pages (h10): my plan (hire), a plan (hire, mentor, manager), mentees, team plans, the
template editor and the time-to-first-deal/ramp figures. Thin: reads from teams.selectors.onboarding,
writes through teams.services.onboarding, rules from teams.predicates."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import onboarding as rules
from ..filters import OnboardingPlanFilterSet
from ..forms import OnboardingMentorForm, OnboardingPlanCreateForm, OnboardingStepForm, OnboardingTemplateForm
from ..models import OnboardingStep, OnboardingTask
from ..predicates import (
    can_edit_onboarding_templates, can_manage_onboarding_plan, can_see_onboarding_figures,
    can_sign_off_onboarding_task, can_tick_onboarding_task, is_manager_or_admin,
)
from ..selectors import onboarding as s
from ..services import onboarding as services


def _render(request, template: str, context: dict):
    return render(request, template, {**context, "perms_manage": can_see_onboarding_figures(request.user)})


def _error(request, exc) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc) or _("Not allowed.")]))


def _plan_page(request, plan):
    services.onboarding_plan_refresh(plan=plan)  # milestones the CRM sees are ticked before they are shown
    today = timezone.localdate()
    figures = s.plan_phases(plan=plan, today=today)
    for task in figures["tasks"]:
        task.plan = plan
        task.can_tick = can_tick_onboarding_task(request.user, task)
        task.can_sign_off = task.is_done and not task.signed_off_at and can_sign_off_onboarding_task(request.user, task)
    can_manage = can_manage_onboarding_plan(request.user, plan.hire)
    return _render(request, "teams/onboarding/plan.html", {
        "plan": plan, **figures, "today": today, "can_manage": can_manage,
        "mentor_form": OnboardingMentorForm(initial={"mentor": plan.mentor_id}, mentors=s.mentor_choices())
        if can_manage else None})


@login_required
def onboarding_mine_view(request):
    plan = s.my_plan(user=request.user)
    if plan is None:
        return _render(request, "teams/onboarding/plan.html", {"plan": None})
    return _plan_page(request, plan)


@login_required
def onboarding_plan_view(request, pk):
    return _plan_page(request, get_object_or_404(s.onboarding_plan_queryset_for(user=request.user), pk=pk))


@login_required
def onboarding_plan_list_view(request, view="team"):
    """Plans with progress and overdue flags: all you may read ("team": a manager's team), or your mentees'.
    Filtered like the API (also the drill-down of the metric time_to_first_deal_days)."""
    plans = s.plans_listed_for(user=request.user, view=view, today=timezone.localdate())
    filterset = OnboardingPlanFilterSet(request.GET, queryset=plans)
    plans = filterset.qs if filterset.is_valid() else plans.none()
    page = Paginator(plans, 50).get_page(request.GET.get("page"))
    for plan in page.object_list:
        plan.progress = rules.progress_percent(plan.done_count, plan.task_count)
    form = None
    if view == "team" and is_manager_or_admin(request.user):
        form = OnboardingPlanCreateForm(hires=s.hire_choices_for(user=request.user), mentors=s.mentor_choices())
    return _render(request, "teams/onboarding/plan_list.html", {
        "page_obj": page, "paginator": page.paginator, "plans": page.object_list, "view": view, "form": form,
        "filter": filterset})


@login_required
@require_POST
def onboarding_plan_create_view(request):
    form = OnboardingPlanCreateForm(request.POST, hires=s.hire_choices_for(user=request.user),
                                    mentors=s.mentor_choices())
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}"
                                         for k, v in form.errors.items()))
        return redirect("teams:onboarding-team")
    try:
        plan = services.onboarding_plan_create(by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
        return redirect("teams:onboarding-team")
    messages.success(request, _("Onboarding plan made."))
    return redirect("teams:onboarding-plan", pk=plan.pk)


@login_required
@require_POST
def onboarding_plan_update_view(request, pk):
    plan = get_object_or_404(s.onboarding_plan_queryset_for(user=request.user), pk=pk)
    form = OnboardingMentorForm(request.POST, mentors=s.mentor_choices())
    closed = {"close": True, "reopen": False}.get(request.POST.get("action", ""))
    try:
        if closed is not None:
            services.onboarding_plan_update(plan=plan, by=request.user, closed=closed)
        elif form.is_valid():
            services.onboarding_plan_update(plan=plan, by=request.user, mentor=form.cleaned_data["mentor"])
        else:
            raise ValidationError(_("Choose a mentor from the list."))
        messages.success(request, _("Onboarding plan saved."))
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    return redirect("teams:onboarding-plan", pk=plan.pk)


def _task(request, pk) -> OnboardingTask:
    plans = s.onboarding_plan_queryset_for(user=request.user)
    return get_object_or_404(OnboardingTask.objects.select_related("plan__hire__team"), pk=pk, plan__in=plans)


@login_required
@require_POST
def onboarding_task_tick_view(request, pk):
    task = _task(request, pk)
    try:
        services.onboarding_task_tick(task=task, by=request.user, done=request.POST.get("done", "1") != "0")
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    return redirect("teams:onboarding-plan", pk=task.plan_id)


@login_required
@require_POST
def onboarding_task_sign_off_view(request, pk):
    task = _task(request, pk)
    try:
        services.onboarding_task_sign_off(task=task, by=request.user)
        messages.success(request, _("Signed off."))
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    return redirect("teams:onboarding-plan", pk=task.plan_id)


# --- templates -----------------------------------------------------------------------------------
@login_required
def onboarding_template_list_view(request):
    can_edit = can_edit_onboarding_templates(request.user)
    form = OnboardingTemplateForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                template = services.onboarding_template_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect("teams:onboarding-template", pk=template.pk)
    return _render(request, "teams/onboarding/template_list.html", {
        "templates": s.onboarding_template_queryset(), "form": form, "can_edit": can_edit})


@login_required
def onboarding_template_view(request, pk):
    template = get_object_or_404(s.onboarding_template_queryset(), pk=pk)
    can_edit = can_edit_onboarding_templates(request.user)
    form = OnboardingStepForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.onboarding_step_add(template=template, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("Step added."))
                return redirect("teams:onboarding-template", pk=template.pk)
    phases = [(s.display_text(phase.title), [(step, s.display_text(step.title)) for step in phase.steps.all()])
              for phase in template.phases.all()]
    return _render(request, "teams/onboarding/template.html", {
        "template": template, "name": s.display_text(template.name), "phases": phases, "form": form,
        "can_edit": can_edit})


@login_required
@require_POST
def onboarding_step_remove_view(request, pk):
    step = get_object_or_404(OnboardingStep.objects.select_related("phase"), pk=pk)
    try:
        services.onboarding_step_remove(step=step, by=request.user)
        messages.success(request, _("Step removed."))
    except PermissionDenied as exc:
        _error(request, exc)
    return redirect("teams:onboarding-template", pk=step.phase.template_id)


@login_required
def onboarding_figures_view(request):
    if not can_see_onboarding_figures(request.user):
        raise Http404
    report = s.ramp_report(user=request.user, by=request.GET.get("by", "month"))
    return _render(request, "teams/onboarding/figures.html", {"report": report})
