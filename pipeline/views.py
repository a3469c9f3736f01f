"""HTML pages of the pipeline: thin; reads from selectors, writes through services."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from customers.forms import QuickLogForm
from customers.views.activities import activity_saved_message, form_errors
from leads.selectors import lead_queryset_for
from salesops.keyset import KeysetListMixin
from salesops.metric_tools import shared_reads
from salesops.links import id_link
from salesops.pagination import LargeListPaginator
from salesops.import_pages import job_errors_csv_response, job_status_response
from salesops.timeline import timeline
from teams import predicates
from teams.mixins import ListFiltersMixin, ScopedChangeMixin, ScopedQuerysetMixin

from teams.selectors import CHANGE

from . import importing, selectors, services
from .filters import OpportunityFilterSet
from .forms import FeasibilityForm, HandoffForm, HandoffQueueForm
from .forms import ForecastFilterForm, ImportForm, LeadConvertForm, OpportunityForm, TransitionForm
from .models import Approval, ChecklistItem, Opportunity
from .selectors import handoff as handoff_selectors
from .selectors import metrics
from .selectors.knowledge import deal_knowledge_for
from .selectors.winprob import win_model_quality, win_probability_for


class OpportunityScopeMixin:
    model = Opportunity

    def get_base_queryset(self):
        return Opportunity.objects.select_related("account", "owner", "stage", "team", "loss_reason")


class OpportunityListView(OpportunityScopeMixin, ScopedQuerysetMixin, ListFiltersMixin, KeysetListMixin, FilterView):
    """Deep pages by keyset (`?after=`, salesops.keyset.KeysetListMixin), as the lead list."""

    filterset_class = OpportunityFilterSet
    saved_list_key = "deals"
    paginator_class = LargeListPaginator  # "about N" for the whole table; deep pages by deferred join
    template_name = "pipeline/opportunity_list.html"
    paginate_by = 50


def _move_options(stages, current) -> str:
    """The "Other move…" stage options of a card in `current`'s column, built once per column rather
    than by a template loop in each of the board's cards (hundreds of cards at 1M deals)."""
    return format_html_join("", '<option value="{}">{}</option>', ((s.pk, s.label) for s in stages if s.pk != current.pk))


def _with_card_links(cards) -> None:
    """Each card's links (templates/pipeline/_board_card.html), each URL reversed once per page."""
    detail, move, transition = (id_link(f"pipeline:{name}") for name in ("detail", "board-move", "transition"))
    account = id_link("customers:account-detail")
    for card in cards:
        card.board_links = {"detail": detail(card.pk), "move": move(card.pk), "transition": transition(card.pk),
                            "account": account(card.account_id) if card.account_id else ""}


@login_required
def board_view(request):
    with shared_reads():  # the scope's owners as values (teams.selectors.owner_q): owner indexes at 1M deals
        filterset, filtered = _board_queryset(request)
        closed_since = _board_closed_since(filterset)
        columns = selectors.board_columns(queryset=filtered, closed_since=closed_since,
                                          tally_user=_board_tally_user(request, filterset))
    stages = [column["stage"] for column in columns]
    for column in columns:
        column["move_options"] = _move_options(stages, column["stage"])
    _with_card_links(card for column in columns for card in column["cards"])
    return render(request, "pipeline/board.html", {
        "filter": filterset, "columns": columns, "stages": [column["stage"] for column in columns],
        "next_url": request.get_full_path(), "closed_since": closed_since,
    })


class OpportunityDetailView(OpportunityScopeMixin, ScopedQuerysetMixin, DetailView):
    template_name = "pipeline/opportunity_detail.html"
    context_object_name = "opportunity"

    def get_context_data(self, **kwargs):
        opp = self.object
        return super().get_context_data(
            history=selectors.opportunity_history(opportunity=opp),
            checklist=selectors.opportunity_checklist(opportunity=opp),
            approvals=selectors.opportunity_approvals(opportunity=opp),
            spin=selectors.spin_questions_for(stage=opp.stage),
            battlecards=selectors.battlecards_for(opportunity=opp),
            timeline_items=timeline("opportunity", opp, self.request.user),
            can_log_activity=predicates.can_log_activity(self.request.user),
            knowledge=deal_knowledge_for(opportunity=opp, user=self.request.user),
            win=win_probability_for(opportunity=opp),
            lines=opp.lines.select_related("product"),
            transition_form=TransitionForm(initial={"version": opp.version}),
            can_decide=predicates.can_decide_approval(self.request.user, opp),
            discount_needs_approval=opp.discount_percent > services.discount_limit(),
            discount_limit=services.discount_limit(),
            **handoff_context(self.request, opp),
            **kwargs)


class OpportunityFormMixin:
    form_class = OpportunityForm
    template_name = "pipeline/opportunity_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            self.object = self.save_opportunity(data, version)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Opportunity saved."))
        return redirect("pipeline:detail", pk=self.object.pk)


class OpportunityCreateView(OpportunityFormMixin, ScopedQuerysetMixin, CreateView):
    model = Opportunity

    def get_initial(self):
        """`?account=<id>` preselects an account (e.g. coming back from creating it); the form's
        choices are scoped, so an id the user may not see selects nothing."""
        account = self.request.GET.get("account", "")
        return {**super().get_initial(), **({"account": int(account)} if account.isdigit() and len(account) < 19 else {})}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "has_accounts": context["form"].fields["account"].queryset.exists(),
                "can_create_account": predicates.can_create_account(self.request.user)}

    def save_opportunity(self, data, version):
        return services.opportunity_create(by=self.request.user, **data)


class OpportunityUpdateView(OpportunityFormMixin, OpportunityScopeMixin, ScopedChangeMixin, UpdateView):
    def save_opportunity(self, data, version):
        return services.opportunity_update(opportunity=self.object, by=self.request.user,
                                           expected_version=version, **data)


def _changeable(request, pk) -> Opportunity:
    return get_object_or_404(selectors.opportunity_queryset_for(user=request.user, action=CHANGE), pk=pk)


def _back(request, opp, fallback: str = "pipeline:detail"):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback, pk=opp.pk)


def _transition(request, opp: Opportunity, data: dict) -> Opportunity:
    """A TransitionForm's move, through the transition service (the page form and the board's moves)."""
    return services.opportunity_transition(
        opportunity=opp, to_stage=data["stage"], by=request.user, reason=data["reason"],
        expected_version=data["version"], loss_reason=data["loss_reason"],
        competitors=[data["competitor"]] if data["competitor"] else None)


@login_required
@require_POST
def opportunity_transition_view(request, pk):
    opp = _changeable(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage to move to."))
        return _back(request, opp)
    data = form.cleaned_data
    try:
        opp = _transition(request, opp, data)
    except services.TransitionConflict as exc:
        messages.error(request, exc.messages[0], extra_tags="conflict")
    except services.TransitionRefused as exc:
        messages.error(request, _("“%(name)s” cannot move to “%(stage)s”:") % {
            "name": opp.name, "stage": data["stage"].label}, extra_tags="refused")
        for item in exc.unmet:
            messages.error(request, item["message"], extra_tags=f"unmet unmet-{item['code']}")
    else:
        messages.success(request, _("“%(name)s” moved to “%(stage)s”.") % {"name": opp.name, "stage": opp.stage.label})
    return _back(request, opp)


@login_required
@require_POST
def checklist_tick_view(request, pk, item_pk):
    opp = _changeable(request, pk)
    item = get_object_or_404(ChecklistItem, pk=item_pk, is_active=True)
    services.checklist_tick(opportunity=opp, item=item, by=request.user, ticked=request.POST.get("ticked") == "1")
    return redirect("pipeline:detail", pk=opp.pk)


@login_required
@require_POST
def approval_request_view(request, pk):
    opp = _changeable(request, pk)
    try:
        services.approval_request(opportunity=opp, by=request.user, note=request.POST.get("note", "")[:2000])
        messages.success(request, _("Approval requested."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("pipeline:detail", pk=opp.pk)


@login_required
@require_POST
def approval_decide_view(request, pk, approval_pk):
    opp = get_object_or_404(selectors.opportunity_queryset_for(user=request.user), pk=pk)
    approval = get_object_or_404(Approval, pk=approval_pk, opportunity=opp)
    try:
        services.approval_decide(approval=approval, by=request.user, approve=request.POST.get("decision") == "approve",
                                 note=request.POST.get("note", "")[:2000])
        messages.success(request, _("Decision recorded."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("pipeline:detail", pk=opp.pk)


@login_required
@require_POST
def activity_log_view(request, pk):
    """The deal page's quick log (customers' form): logged through pipeline so the deal is linked."""
    opp = _changeable(request, pk)
    form = QuickLogForm(request.POST)
    if form.is_valid():
        try:
            activity = services.opportunity_activity_log(opportunity=opp, by=request.user, **form.activity_fields())
            messages.success(request, activity_saved_message(activity))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _("The activity could not be logged: %(errors)s") % {"errors": form_errors(form)})
    return redirect("pipeline:detail", pk=opp.pk)


@login_required
def lead_convert_view(request, lead_pk):
    lead = get_object_or_404(lead_queryset_for(user=request.user, action=CHANGE), pk=lead_pk)
    form = LeadConvertForm(request.POST or None, initial={"opportunity_name": lead.company or lead.name})
    if request.method == "POST" and form.is_valid():
        try:
            opp = services.lead_convert(lead=lead, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(request, _("Lead converted: account, contact and opportunity created."))
            return redirect("pipeline:detail", pk=opp.pk)
    return render(request, "pipeline/lead_convert.html", {"form": form, "lead": lead})


@login_required
def forecast_view(request):
    """The forecast of the month or quarter with each open deal's three probabilities, and past accuracy."""
    form = ForecastFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and form.errors:
        messages.error(request, _("Some filters were not valid and were ignored."))
    kind, day = params.get("period") or "quarter", params.get("date") or timezone.localdate()
    queryset = selectors.opportunity_queryset_for(user=request.user, team=params.get("team"),
                                                  owner=params.get("owner"))
    forecast = metrics.forecast_current(user=request.user, queryset=queryset, kind=kind, day=day)
    return render(request, "pipeline/forecast.html", {
        "form": form, "forecast": forecast,
        "deals": metrics.forecast_open_deals(queryset=queryset, start=forecast["period"]["start"],
                                             end=forecast["period"]["end"]),
        "accuracy": metrics.forecast_accuracy(user=request.user, queryset=queryset, kind=kind, day=day, periods=4,
                                              team=params.get("team"), owner=params.get("owner")),
        "win_model": win_model_quality(),
    })


@login_required
def import_view(request):
    """Upload the Maven CRM files: they are staged and imported by a background job (all or nothing)."""
    if not predicates.can_import(request.user, "opportunities"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.opportunity_import_job_start(by=request.user, data=form.cleaned_data["files"],
                                                         engaging_stage=form.cleaned_data["engaging_stage"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("pipeline:import-job", pk=job.pk)
    return render(request, "pipeline/import.html", {"form": form})


@login_required
def import_job_view(request, pk):
    """An import job's progress (the page refreshes itself), then its outcome or every row error."""
    job = get_object_or_404(selectors.opportunity_import_job_queryset_for(user=request.user), pk=pk)
    result = job.outcome
    return render(request, "pipeline/import_job.html", {
        "job": job, "result": result, "show_file": True,
        "status_url": reverse("pipeline:import-job-status", args=[job.pk]),
        "summary": importing.summary_message(result) if job.status == job.Status.DONE else ""})


@login_required
def import_job_status_view(request, pk):
    """The small JSON status the job page's progress bar polls."""
    return job_status_response(get_object_or_404(selectors.opportunity_import_job_queryset_for(user=request.user), pk=pk))


@login_required
def import_job_errors_view(request, pk):
    """The job's row errors as CSV: file, row number, column, message."""
    job = get_object_or_404(selectors.opportunity_import_job_queryset_for(user=request.user), pk=pk)
    return job_errors_csv_response(job, with_file=True)


# --- the sales-to-success handoff ---------------------------------------------------------------
def handoff_context(request, opp, *, form=None, feasibility_form=None) -> dict:
    """The "Handoff" section (deal page and handoff page): checklist status, form, feasibility, tasks."""
    handoff = handoff_selectors.handoff_for(opportunity=opp)
    can_change = predicates.can_change_handoff(request.user, opp)
    can_confirm = predicates.can_confirm_feasibility(request.user, opp)
    return {
        "handoff": handoff,
        "handoff_status": handoff_selectors.handoff_status(
            handoff, opportunity=opp, required=handoff_selectors.required_handoff_parts()),
        "handoff_stakeholders": handoff_selectors.stakeholders_of(handoff),
        "handoff_form": (form or HandoffForm(opportunity=opp, handoff=handoff)) if can_change else None,
        "feasibility_form": (feasibility_form or FeasibilityForm(
            initial={"version": handoff.version if handoff else None})) if can_confirm else None,
        "onboarding_tasks": handoff_selectors.onboarding_tasks(opportunity_ids=[opp.pk]).get(opp.pk, []),
    }


def _handoff_opportunity(request, pk) -> Opportunity:
    return get_object_or_404(handoff_selectors.handoff_opportunity_queryset_for(user=request.user), pk=pk)


@login_required
def handoff_view(request, pk):
    """A deal's handoff checklist: its owner (and manager) and the success owner fill it in; product
    confirms feasibility; support and product read it (they do not see the deal page)."""
    opp = _handoff_opportunity(request, pk)
    form = None
    if request.method == "POST":
        if not predicates.can_change_handoff(request.user, opp):
            raise PermissionDenied
        form = HandoffForm(request.POST, opportunity=opp)
        if form.is_valid():
            try:
                services.handoff_update(opportunity=opp, by=request.user,
                                        expected_version=form.cleaned_data["version"], **form.service_fields())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Handoff saved."))
                return _back_to_handoff(request, opp)
    return render(request, "pipeline/handoff.html", {"opportunity": opp, **handoff_context(request, opp, form=form)})


def _back_to_handoff(request, opp):
    return _back(request, opp, fallback="pipeline:handoff")


@login_required
@require_POST
def handoff_confirm_feasibility_view(request, pk):
    opp = _handoff_opportunity(request, pk)
    if not predicates.can_confirm_feasibility(request.user, opp):
        raise PermissionDenied
    form = FeasibilityForm(request.POST)
    if form.is_valid():
        try:
            services.handoff_confirm_feasibility(opportunity=opp, by=request.user, note=form.cleaned_data["note"],
                                                 expected_version=form.cleaned_data["version"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Product feasibility confirmed."))
    else:
        messages.error(request, _("The note is too long."))
    return _back_to_handoff(request, opp)


@login_required
def handoff_list_view(request):
    """Open deals' handoffs the user may read; by default those waiting for product feasibility."""
    form = HandoffQueueForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and form.errors:
        messages.error(request, _("Some filters were not valid and were ignored."))
    deals = handoff_selectors.handoff_queue_for(user=request.user, awaiting_feasibility=params.get("status") != "all",
                                                account_id=params.get("account"))
    page = Paginator(deals, 50).get_page(request.GET.get("page"))
    return render(request, "pipeline/handoff_list.html", {"form": form, "page_obj": page})


# --- knowledge base on deals (h12) ------------------------------------------------------------

@login_required
def deal_article_open_view(request, pk, article_pk):
    """Open a knowledge-base article linked from a deal page: counted for the deal (how often an
    article was opened on deals later won), then the article page (which counts the view)."""
    from teams.knowledge.selectors import article_queryset_for

    from .selectors.knowledge import deal_article_ids

    opp = get_object_or_404(selectors.opportunity_queryset_for(user=request.user), pk=pk)
    if article_pk not in deal_article_ids(opportunity=opp):
        raise Http404
    article = get_object_or_404(article_queryset_for(user=request.user), pk=article_pk)
    services.article_deal_view_record(opportunity=opp, article=article, user=request.user)
    return redirect("teams:kb-detail", pk=article.pk)
# --- the board: drag and drop --------------------------------------------------------------------
def _board_queryset(request):
    """The board's filter (from the query string, also on a move so the totals match the page)."""
    queryset = selectors.opportunity_queryset_for(user=request.user)
    filterset = OpportunityFilterSet(request.GET or None, queryset=queryset, request=request)
    filtered = filterset.qs if filterset.is_bound and filterset.is_valid() else (
        queryset.none() if filterset.is_bound else queryset)
    return filterset, filtered


BOARD_NOT_FILTERS = {"ordering"}  # the filter form's fields that order, not narrow


def _board_tally_user(request, filterset):
    """The viewer when the board shows their whole scope (no filter value given): its totals may then
    come from the tally (pipeline.selectors._board_totals); any filter counts the matching deals."""
    if filterset.is_bound and (not filterset.is_valid() or any(
            value not in (None, "", [], ()) and not (hasattr(value, "exists") and not value.exists())
            for name, value in filterset.form.cleaned_data.items() if name not in BOARD_NOT_FILTERS)):
        return None
    return request.user


def _board_closed_since(filterset):
    """The closed columns show this month's closed deals, unless the filter asks for closing dates."""
    if filterset.is_bound and (filterset.data.get("closed_after") or filterset.data.get("closed_before")):
        return None
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@login_required
@require_POST
def board_move_view(request, pk):
    """A drag-and-drop (or keyboard) move on the board, as JSON: the same transition service as the
    "Move to…" forms. 200 with the card re-rendered in its new stage and every column's totals; 400 with
    every unmet criterion (`unmet`); 409 when the deal changed since the board was loaded (`version`)."""
    opp = _changeable(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "kind": "invalid", "message": _("Choose a stage to move to.")}, status=400)
    data = form.cleaned_data
    try:
        opp = _transition(request, opp, data)
    except services.TransitionConflict as exc:
        return JsonResponse({"ok": False, "kind": "conflict", "message": exc.messages[0],
                             "version": exc.current_version, "stage": exc.current_stage.code}, status=409)
    except services.TransitionRefused as exc:
        return JsonResponse({
            "ok": False, "kind": "refused", "unmet": exc.unmet,
            "message": _("“%(name)s” cannot move to “%(stage)s”:") % {"name": opp.name, "stage": data["stage"].label},
        }, status=400)
    with shared_reads():
        filterset, filtered = _board_queryset(request)
        columns = selectors.board_totals(queryset=filtered, closed_since=_board_closed_since(filterset),
                                         tally_user=_board_tally_user(request, filterset))
    stages = [column["stage"] for column in columns]
    opp = selectors.opportunity_queryset_for(user=request.user).select_related("account", "owner").get(pk=opp.pk)
    _with_card_links([opp])
    query = request.GET.urlencode()
    card = render_to_string("pipeline/_board_card.html", {
        "opportunity": opp, "next_stage": selectors.next_stage_for(opp.stage, stages), "stages": stages,
        "move_options": _move_options(stages, opp.stage),
        "next_url": reverse("pipeline:board") + (f"?{query}" if query else ""),
    }, request=request)
    return JsonResponse({
        "ok": True, "stage": opp.stage.code, "version": opp.version, "card": card,
        "message": _("“%(name)s” moved to “%(stage)s”.") % {"name": opp.name, "stage": opp.stage.label},
        "columns": {column["stage"].code: {
            "count": column["count"],
            "totals": render_to_string("pipeline/_board_totals.html", {"column": column}, request=request),
        } for column in columns},
    })


@login_required
def opportunity_quick_add_view(request):
    """The header's quick add (issue 12): created by pipeline.services.opportunity_quick_create."""
    from salesops.quick_add import add_service_errors, quick_added, quick_form_response

    from .forms import QuickOpportunityForm

    form = QuickOpportunityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            opp = services.opportunity_quick_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return quick_added(request, url=reverse("pipeline:detail", args=[opp.pk]),
                               message=_("Opportunity “%(name)s” added.") % {"name": opp.name})
    return quick_form_response(request, form, title=_("New opportunity"), action=reverse("pipeline:quick-add"),
                               kind="deal")
