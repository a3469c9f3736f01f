"""HTML views for MQL routing: the managers' queue, manual assignment, first touch.

Thin: parse input, call leads.services.routing, render or redirect. Bad input answers 400 with a
message, other people's leads 404 (or 403 for reps on the managers' queue).
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from teams.predicates import can_work_lead_queue
from teams.selectors import CHANGE, assignable_users_for

from ..selectors import lead_queryset_for
from ..services.routing import lead_assign, lead_assignable_queryset_for, lead_queue_for, lead_touch


class LeadAssignForm(forms.Form):
    rep = forms.ModelChoiceField(
        label=gettext_lazy("Rep"), queryset=None,
        error_messages={"invalid_choice": gettext_lazy("You cannot assign leads to this user.")})
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=1000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = assignable_users_for(user=user).order_by("first_name", "last_name", "username")


def _error_texts(exc: ValidationError) -> list[str]:
    return [str(message) for message in exc.messages]


def _render_queue(request, *, errors=None, failed_lead_id=None, status=200):
    if not can_work_lead_queue(request.user):
        raise PermissionDenied(_("Only managers and administrators can see the managers' queue."))
    page = Paginator(lead_queue_for(user=request.user), 50).get_page(request.GET.get("page"))
    # a queued lead's page opens for whoever's scope holds it (one query for the page)
    openable = set(lead_queryset_for(user=request.user).filter(pk__in=[lead.pk for lead in page.object_list])
                   .values_list("pk", flat=True))
    return render(request, "leads/queue.html", {
        "page_obj": page, "leads": page.object_list, "is_paginated": page.has_other_pages(), "openable": openable,
        "reps": list(LeadAssignForm(user=request.user).fields["rep"].queryset),
        "errors": errors or [], "failed_lead_id": failed_lead_id,
    }, status=status)


@login_required
def lead_queue_view(request):
    return _render_queue(request)


@login_required
@require_POST
def lead_assign_view(request, pk):
    if not can_work_lead_queue(request.user):
        raise PermissionDenied(_("Only managers and administrators can assign leads."))
    lead = get_object_or_404(lead_assignable_queryset_for(user=request.user), pk=pk)
    form = LeadAssignForm(request.POST, user=request.user)
    if not form.is_valid():
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
        return _render_queue(request, errors=errors, failed_lead_id=lead.pk, status=400)
    try:
        lead_assign(lead=lead, rep=form.cleaned_data["rep"], by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        return _render_queue(request, errors=_error_texts(exc), failed_lead_id=lead.pk, status=400)
    messages.success(request, _("%(lead)s was assigned to %(rep)s.") % {"lead": lead.name,
                                                                      "rep": form.cleaned_data["rep"]})
    return redirect("leads:queue")


@login_required
@require_POST
def lead_touch_view(request, pk):
    lead = get_object_or_404(lead_queryset_for(user=request.user, action=CHANGE), pk=pk)
    lead_touch(lead=lead, by=request.user)  # PermissionDenied (403) unless the user owns the lead
    messages.success(request, _("First contact recorded."))
    return redirect("leads:detail", pk=lead.pk)
