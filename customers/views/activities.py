"""Customers' pages: thin; reads from selectors, writes through services."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from leads.selectors import lead_queryset_for
from teams.mixins import ListFiltersMixin
from teams.predicates import can_see_team_tasks

from .. import selectors, services
from ..filters import ActivityFilterSet
from ..forms import QuickLogSubjectForm
from ..models import Activity


# --- activities and tasks (h2) -----------------------------------------------------------------
def back(request, fallback: str):
    """Redirect to the page the form was posted from (`next`, same host only), else `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def form_errors(form) -> str:
    """The form's errors in one line: "Label: message" (the form's own errors without a label)."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label or name) if field is not None else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


def activity_saved_message(activity: Activity) -> str:
    if activity.kind == Activity.Kind.TASK:
        return _("Task added.")
    if selectors.activity_is_late(activity):
        return _("Activity logged (more than 24 hours after it happened: flagged as logged late).")
    return _("Activity logged.")


@login_required
@require_POST
def activity_log_view(request):
    """The quick-log form of a lead or an account page (a deal's posts to pipeline:activity-log)."""
    form = QuickLogSubjectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The activity could not be logged: %(errors)s") % {"errors": form_errors(form)})
        return back(request, reverse("customers:task-list"))
    subject, pk = form.cleaned_data["subject"], form.cleaned_data["subject_id"]
    if subject == "lead":
        target = {"lead": get_object_or_404(lead_queryset_for(user=request.user), pk=pk)}
        fallback = reverse("leads:detail", args=[pk])
    else:
        target = {"account": get_object_or_404(selectors.account_queryset_for(user=request.user), pk=pk)}
        fallback = reverse("customers:task-list")
    try:
        activity = services.activity_log(by=request.user, **target, **form.activity_fields())
        messages.success(request, activity_saved_message(activity))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return back(request, fallback)


@login_required
@require_POST
def task_complete_view(request, pk):
    task = get_object_or_404(selectors.activity_queryset_for(user=request.user).filter(kind=Activity.Kind.TASK), pk=pk)
    try:
        services.task_complete(task=task, by=request.user)
        messages.success(request, _("Task done."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return back(request, reverse("customers:task-list"))


@login_required
def task_list_view(request):
    """My tasks (overdue, today, upcoming); a manager also sees the team's overdue tasks per rep."""
    return render(request, "customers/task_list.html", {
        "groups": selectors.my_tasks(user=request.user),
        "team_overdue": selectors.team_overdue_tasks(user=request.user),
        "can_see_team": can_see_team_tasks(request.user),
    })


class ActivityListView(ListFiltersMixin, FilterView):
    """Every activity one may see, filtered as in the API (the drill-down of the 24-hour metric)."""

    filterset_class = ActivityFilterSet
    saved_list_key = "activities"
    template_name = "customers/activity_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.activity_queryset_for(user=self.request.user).order_by("-logged_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [(a, selectors.activity_is_late(a)) for a in context["object_list"]]
        return context


activity_list_view = login_required(ActivityListView.as_view())


# --- quick add from the header and its type-ahead lookups (issue 12) -----------------------------
def _lookup(request, read):
    from django.http import JsonResponse

    q = request.GET.get("q", "")
    if len(q) > 100:
        return JsonResponse({"error": _("Type at most %(count)d characters.") % {"count": 100}}, status=400)
    return JsonResponse({"results": read(user=request.user, q=q.strip())})


@login_required
def account_lookup_view(request):
    """`?q=` → up to ten accounts the user may see, by name or web domain."""
    from ..selectors.lookups import account_lookup

    return _lookup(request, account_lookup)


@login_required
def record_lookup_view(request):
    """`?q=` → accounts and leads the user may see ("account:7", "lead:12"), for "what it is about"."""
    from ..selectors.lookups import record_lookup

    return _lookup(request, record_lookup)


@login_required
def activity_quick_add_view(request):
    """The header's quick add: kind, subject, about, due date, note; logged by customers.services.activity_log."""
    from salesops.quick_add import add_service_errors, quick_added, quick_form_response

    from ..forms import QuickActivityForm

    form = QuickActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.activity_fields()
        try:
            activity = services.activity_log(by=request.user, **fields)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        else:
            record = activity.account or activity.lead
            return quick_added(request, url=record.get_absolute_url() if activity.account_id
                               else reverse("leads:detail", args=[activity.lead_id]),
                               message=activity_saved_message(activity))
    return quick_form_response(request, form, title=_("New activity"), action=reverse("customers:quick-add"),
                               kind="activity")
