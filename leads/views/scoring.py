"""Scoring pages: rule sets, the editor of a draft, the what-if backtest and publishing (with progress)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from teams.predicates import can_backtest_scoring, can_manage_scoring

from ..models import Lead
from ..scoring_display import seeded_text
from ..scoring_editor import RuleSetEditor, editor_config
from ..selectors import rule_set_list_queryset, rule_set_queryset
from ..services import scoring as services
from .scoring_quality import quality_context


@login_required
def rule_set_list_view(request):
    return render(request, "leads/rule_set_list.html", {
        "rule_sets": rule_set_list_queryset(), "can_manage": can_manage_scoring(request.user)})


def _grade_changes(backtest) -> int | None:
    return None if backtest is None else sum(move["count"] for move in backtest["moves"])


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
        "would_change": _grade_changes(backtest),
        "can_manage": can_manage_scoring(request.user), "job": rule_set.jobs.first(), **quality,
    })


@login_required
def rule_set_edit_view(request, pk):
    """Edit a draft's name, rules and grades with pickers; saved through rule_set_save_draft (all
    or nothing). Published and archived sets are read-only: their page is the detail page."""
    if not can_manage_scoring(request.user):
        raise PermissionDenied(_("Only marketing and administrators edit scoring rules."))
    rule_set = get_object_or_404(rule_set_queryset(), pk=pk)
    if not rule_set.is_editable:
        messages.info(request, _("Published and archived rule sets cannot be changed; copy them as a new draft."))
        return redirect("leads:rule-set", pk=rule_set.pk)
    general_errors: list[str] = []
    if request.method == "POST":
        editor = RuleSetEditor(rule_set, request.POST)
        if editor.is_valid():
            try:
                services.rule_set_save_draft(by=request.user, rule_set=rule_set, **editor.payload())
            except ValidationError as exc:
                general_errors = editor.add_service_errors(exc)
            else:
                messages.success(request, _("Rule set saved."))
                return redirect("leads:rule-set-edit", pk=rule_set.pk)
        if not general_errors:
            general_errors = [_("Nothing was saved: correct the marked fields.")]
    else:
        editor = RuleSetEditor(rule_set)
    can_backtest = can_backtest_scoring(request.user)
    # One set-based query over the leads; on a big database only when asked (a click).
    count_now = can_backtest and request.method == "GET" and (
        request.GET.get("count") or Lead.objects.count() <= settings.LEADS_EDITOR_INLINE_BACKTEST_MAX)
    backtest = services.rule_set_backtest(rule_set=rule_set, user=request.user) if count_now else None
    return render(request, "leads/rule_set_edit.html", {
        "rule_set": rule_set, "editor": editor, "general_errors": general_errors, "config": editor_config(),
        "can_backtest": can_backtest, "would_change": _grade_changes(backtest), "backtest": backtest,
    }, status=400 if request.method == "POST" else 200)


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
    name = _("%(name)s (v%(version)s copy)") % {"name": seeded_text(source.name), "version": source.version}
    draft = services.rule_set_create_draft(by=request.user, name=name[:100], copy_from=source)
    messages.success(request, _("Draft v%(version)s created; edit its rules below.") % {"version": draft.version})
    return redirect("leads:rule-set-edit", pk=draft.pk)
