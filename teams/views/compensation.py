"""Compensation pages: "My pay", a payout statement (approve, dispute, answer), the managers'
review list, plans (list, detail with calculator and what-if, edit drafts). Thin: selectors read,
teams.services.compensation writes."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from salesops import metrics

from .. import payouts as pure
from ..filters import PayoutFilterSet
from ..forms import (CommissionTierFormSet, DisputeAnswerForm, DisputeForm, PlanAssignForm, PlanCalculatorForm,
                     PlanComponentFormSet, PlanForm)
from ..predicates import (can_answer_payout_dispute, can_approve_payout, can_dispute_payout_line,
                          can_manage_compensation_plans, can_review_payouts)
from ..selectors import compensation as read
from ..services import compensation as comp


def note_texts(notes) -> list[str]:
    """The translated reasons stored on a line as stable codes (teams.payouts)."""
    texts = {pure.NOT_AVAILABLE: _("metric not available"), pure.NO_DATA: _("no data in the period"),
             pure.BELOW_THRESHOLD: _("below the threshold: pays 0"), pure.CAPPED: _("capped"),
             pure.ACCELERATED: _("accelerated above target")}
    found = []
    for note in notes or []:
        code, _sep, detail = str(note).partition(":")
        if code == "period":
            found.append(_("corrects %(period)s") % {"period": detail})
        elif detail:
            found.append(f"{metric_name(detail)}: {texts.get(code, code)}")
        else:
            found.append(texts.get(code, code))
    return found


def metric_name(code: str) -> str:
    metric = metrics.find(code)
    return str(metric.name) if metric is not None else code


def _decorate(lines):
    for line in lines:
        line.note_texts = note_texts(line.notes)
        line.metric_names = ", ".join(metric_name(code) for code in line.metric_code.split(",") if code)
        for part in line.parts or []:
            part["name"] = metric_name(part["code"])
    return lines


@login_required
def my_pay_view(request):
    payouts = read.payout_queryset_for(user=request.user).filter(user=request.user)
    page = Paginator(payouts, 20).get_page(request.GET.get("page"))
    latest = page.object_list[0] if page.number == 1 and page.object_list else None
    lines = _decorate(list(latest.lines.prefetch_related("disputes"))) if latest else []
    return render(request, "teams/compensation/my_pay.html", {
        "page_obj": page, "payouts": page.object_list, "latest": latest, "lines": lines,
        "may_review": can_review_payouts(request.user),
        "plans": read.plan_queryset_for(user=request.user).filter(assignments__user=request.user).distinct()})


@login_required
def payout_detail_view(request, pk):
    payout = get_object_or_404(read.payout_detail_queryset_for(user=request.user), pk=pk)
    lines = _decorate(list(payout.lines.all()))
    for line in lines:
        line.may_dispute = can_dispute_payout_line(request.user, line) and not any(
            d.status == "open" for d in line.disputes.all())
        for dispute in line.disputes.all():
            dispute.may_answer = dispute.status == "open" and can_answer_payout_dispute(request.user, dispute)
    return render(request, "teams/compensation/payout_detail.html", {
        "payout": payout, "lines": lines, "period": pure.period_label(payout.period_start, payout.plan.period),
        "may_approve": payout.is_open and can_approve_payout(request.user, payout),
        "dispute_form": DisputeForm(), "answer_form": DisputeAnswerForm()})


def _done(request, call, success: str):
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)


@login_required
@require_POST
def payout_approve_view(request, pk):
    payout = get_object_or_404(read.payout_queryset_for(user=request.user), pk=pk)
    _done(request, lambda: comp.payout_approve(by=request.user, payout=payout), _("Payout approved."))
    if request.POST.get("next") == "review":
        return redirect("teams:payout-review")
    return redirect("teams:payout", payout.pk)


@login_required
@require_POST
def line_dispute_view(request, pk):
    line = get_object_or_404(read.payout_line_queryset_for(user=request.user), pk=pk)
    form = DisputeForm(request.POST)
    if form.is_valid():
        _done(request, lambda: comp.dispute_raise(by=request.user, line=line, text=form.cleaned_data["text"]),
              _("Your question was sent to your manager."))
    else:
        messages.error(request, _("Please write what is wrong with this line (at most 2,000 characters)."))
    return redirect("teams:payout", line.payout_id)


@login_required
@require_POST
def dispute_answer_view(request, pk):
    dispute = get_object_or_404(read.dispute_queryset_for(user=request.user), pk=pk)
    form = DisputeAnswerForm(request.POST)
    if form.is_valid():
        _done(request, lambda: comp.dispute_answer(by=request.user, dispute=dispute,
                                                   answer=form.cleaned_data["answer"]), _("Answer saved."))
    else:
        messages.error(request, _("Please write an answer (at most 2,000 characters)."))
    return redirect("teams:payout", dispute.line.payout_id)


class PayoutReviewView(LoginRequiredMixin, FilterView):
    """Managers review their team's statements and approve them (administrators: everyone's)."""

    filterset_class = PayoutFilterSet
    template_name = "teams/compensation/payout_review.html"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_review_payouts(request.user):
            raise PermissionDenied(_("Only managers and administrators review payouts."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return read.payout_queryset_for(user=self.request.user).order_by("-period_start", "user__username", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for payout in context["object_list"]:
            payout.may_approve = payout.is_open and can_approve_payout(self.request.user, payout)
            payout.period_label = pure.period_label(payout.period_start, payout.plan.period)
        return context


@login_required
def plan_list_view(request):
    plans = read.plan_queryset_for(user=request.user).order_by("name", "-version")
    page = Paginator(plans, 50).get_page(request.GET.get("page"))
    return render(request, "teams/compensation/plan_list.html", {
        "page_obj": page, "plans": page.object_list, "may_manage": can_manage_compensation_plans(request.user)})


@login_required
def plan_detail_view(request, pk):
    plan = get_object_or_404(read.plan_detail_queryset_for(user=request.user), pk=pk)
    components = list(plan.components.all())
    for component in components:
        component.metric_names = ", ".join(metric_name(code) for code in component.metric_codes)
    codes = list(dict.fromkeys(code for c in components for code in c.metric_codes))
    form = PlanCalculatorForm(request.GET or None, codes=codes, names={code: metric_name(code) for code in codes})
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = comp.plan_preview(plan=plan, values={code: form.cleaned_data.get(code) for code in codes})
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    if result is not None:
        result_lines = [{"line": line, "notes": note_texts(line.notes)} for line in result.lines]
    else:
        result_lines = []
    what_if = comp.plan_what_if(by=request.user, plan=plan) if can_review_payouts(request.user) else None
    return render(request, "teams/compensation/plan_detail.html", {
        "plan": plan, "components": components, "tiers": list(plan.tiers.all()), "form": form, "result": result,
        "result_lines": result_lines, "what_if": what_if, "may_manage": can_manage_compensation_plans(request.user),
        "assign_form": PlanAssignForm(people=read.assignable_people()) if can_manage_compensation_plans(request.user) else None,
        "assignments": plan.assignments.select_related("user").order_by("user__username")[:200],
        "metric_names": {code: metric_name(code) for code in codes}})


def _initial_parts(plan):
    if plan is None:
        return [], []
    components = [{**{name: getattr(c, name) for name in ("key", "label", "weight", "threshold", "accelerator", "cap",
                                                           "target", "missing")},
                   "metric_codes": ", ".join(c.metric_codes)} for c in plan.components.all()]
    return components, [{"lower": t.lower, "upper": t.upper, "rate": t.rate} for t in plan.tiers.all()]


def _rows(formset) -> list[dict]:
    return [dict(form.cleaned_data, **{"DELETE": None}) for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")]


@login_required
def plan_edit_view(request, pk=None):
    if not can_manage_compensation_plans(request.user):
        raise PermissionDenied(_("Only administrators change compensation plans."))
    plan = get_object_or_404(read.plan_detail_queryset_for(user=request.user), pk=pk) if pk else None
    if plan is not None and plan.status != plan.Status.DRAFT:
        messages.error(request, _("A published plan version cannot be changed; make a new version."))
        return redirect("teams:plan", plan.pk)
    initial_components, initial_tiers = _initial_parts(plan)
    form = PlanForm(request.POST or None, instance=plan)
    if plan is not None:
        form.fields["name"].disabled = True
    components = PlanComponentFormSet(request.POST or None, prefix="c", initial=initial_components)
    tiers = CommissionTierFormSet(request.POST or None, prefix="t", initial=initial_tiers)
    if request.method == "POST" and form.is_valid() and components.is_valid() and tiers.is_valid():
        rows = [{k: v for k, v in row.items() if k != "DELETE"} for row in _rows(components)]
        tier_rows = [{k: v for k, v in row.items() if k != "DELETE"} for row in _rows(tiers)]
        fields = {name: form.cleaned_data[name] for name in PlanForm.Meta.fields}
        try:
            if plan is None:
                plan = comp.plan_create(by=request.user, components=rows, tiers=tier_rows, **fields)
            else:
                fields.pop("name")
                plan = comp.plan_update(by=request.user, plan=plan, components=rows, tiers=tier_rows, **fields)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("teams:plan", plan.pk)
    return render(request, "teams/compensation/plan_form.html", {
        "plan": plan, "form": form, "components": components, "tiers": tiers,
        "metric_choices": read.metric_choices()})


def _plan_to_change(request, pk):
    plan = get_object_or_404(read.plan_queryset_for(user=request.user), pk=pk)
    if not can_manage_compensation_plans(request.user):
        raise PermissionDenied(_("Only administrators change compensation plans."))
    return plan


@login_required
@require_POST
def plan_publish_view(request, pk):
    plan = _plan_to_change(request, pk)
    _done(request, lambda: comp.plan_publish(by=request.user, plan=plan), _("Plan version published."))
    return redirect("teams:plan", plan.pk)


@login_required
@require_POST
def plan_new_version_view(request, pk):
    plan = _plan_to_change(request, pk)
    draft = comp.plan_new_version(by=request.user, plan=plan)
    messages.success(request, _("Draft version %(version)d made: change it, check the what-if, then publish.")
                     % {"version": draft.version})
    return redirect("teams:plan-edit", draft.pk)


@login_required
@require_POST
def plan_assign_view(request, pk):
    plan = _plan_to_change(request, pk)
    form = PlanAssignForm(request.POST, people=read.assignable_people())
    if form.is_valid():
        _done(request, lambda: comp.plan_assign(by=request.user, plan=plan, **form.cleaned_data),
              _("%(person)s is paid by this plan from %(date)s.") % {
                  "person": form.cleaned_data["user"], "date": form.cleaned_data["starts_on"]})
    else:
        messages.error(request, _("Choose a person and a start date."))
    return redirect("teams:plan", plan.pk)
