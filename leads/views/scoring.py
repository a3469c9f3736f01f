"""Scoring pages: rule sets, their rules, the what-if backtest and publishing (with progress)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from teams.predicates import can_backtest_scoring, can_manage_scoring

from ..selectors import rule_set_queryset
from ..services import scoring as services
from .scoring_quality import quality_context


@login_required
def rule_set_list_view(request):
    return render(request, "leads/rule_set_list.html", {
        "rule_sets": rule_set_queryset(), "can_manage": can_manage_scoring(request.user)})


@login_required
def rule_set_detail_view(request, pk):
    rule_set = get_object_or_404(rule_set_queryset(), pk=pk)
    can_backtest = can_backtest_scoring(request.user)
    backtest, quality = None, {}
    if can_backtest and request.GET.get("backtest"):
        backtest = services.rule_set_backtest(rule_set=rule_set, user=request.user)
        quality = quality_context(request, rule_set)
    return render(request, "leads/rule_set_detail.html", {
        "rule_set": rule_set, "backtest": backtest, "can_backtest": can_backtest,
        "can_manage": can_manage_scoring(request.user), "job": rule_set.jobs.first(), **quality,
    })


@login_required
@require_POST
def rule_set_publish_view(request, pk):
    if not can_manage_scoring(request.user):
        raise PermissionDenied
    rule_set = get_object_or_404(rule_set_queryset(), pk=pk)
    try:
        job = services.rule_set_publish(rule_set=rule_set, by=request.user)
        messages.success(request, _("Published; rescoring %(total)s leads.") % {"total": job.total})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("leads:rule-set", pk=rule_set.pk)


@login_required
@require_POST
def rule_set_copy_view(request, pk):
    if not can_manage_scoring(request.user):
        raise PermissionDenied
    source = get_object_or_404(rule_set_queryset(), pk=pk)
    draft = services.rule_set_create_draft(by=request.user, name=f"{source.name} (v{source.version} copy)",
                                           copy_from=source)
    messages.success(request, _("Draft v%(version)s created; edit its rules in the admin.") % {"version": draft.version})
    return redirect("leads:rule-set", pk=draft.pk)
