"""Pages for goals and KPI snapshot runs: thin over goal_selectors / goal_services / snapshots."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from teams.predicates import can_run_snapshots

from . import goal_services, snapshots
from .filters import GoalFilterSet
from .forms import GoalForm
from .goal_selectors import goal_board, goal_queryset_for


def _save_goal(request, form, goal=None):
    """Run the service with the form's data; its errors land on the form. Returns the goal or None."""
    if not form.is_valid():
        return None
    data = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        if goal is None:
            return goal_services.goal_create(by=request.user, **data)
        return goal_services.goal_update(goal=goal, by=request.user, **data)
    except ValidationError as exc:
        for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
            form.add_error(field if field in form.fields else None, errors)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None


@login_required
def goal_list_view(request):
    filterset = GoalFilterSet(request.GET, queryset=goal_queryset_for(user=request.user))
    ids = set(filterset.qs.values_list("pk", flat=True)) if filterset.is_valid() else set()
    form = GoalForm(request.POST or None, user=request.user)
    if request.method == "POST" and _save_goal(request, form):
        messages.success(request, _("Goal set."))
        return redirect("dashboards:goals")
    rows = [row for row in goal_board(user=request.user) if row.goal.pk in ids]
    return render(request, "dashboards/goals.html", {
        "rows": rows, "form": form, "filter": filterset, "window_days": settings.SALESOPS_GOAL_WINDOW_DAYS,
        "can_run_snapshots": can_run_snapshots(request.user)})


@login_required
def goal_edit_view(request, pk):
    goal = get_object_or_404(goal_queryset_for(user=request.user), pk=pk)
    form = GoalForm(request.POST or None, instance=goal, user=request.user)
    if request.method == "POST" and _save_goal(request, form, goal):
        messages.success(request, _("Goal changed."))
        return redirect("dashboards:goals")
    return render(request, "dashboards/goal_form.html", {"form": form, "goal": goal})


@login_required
@require_POST
def goal_delete_view(request, pk):
    goal = get_object_or_404(goal_queryset_for(user=request.user), pk=pk)
    try:
        goal_services.goal_delete(goal=goal, by=request.user)
        messages.success(request, _("Goal removed."))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("dashboards:goals")


@login_required
def snapshot_jobs_view(request):
    if not can_run_snapshots(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            snapshots.snapshot_job_create(by=request.user)
            messages.success(request, _("Snapshot run queued."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("dashboards:snapshots")
    jobs = snapshots.snapshot_job_queryset_for(user=request.user)[:20]
    return render(request, "dashboards/snapshot_jobs.html", {"jobs": jobs})
