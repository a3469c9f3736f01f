from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from salesops.quick_add import add_service_errors, quick_added, quick_form_response
from salesops.keyset import KeysetListMixin
from salesops.pagination import LargeListPaginator
from salesops.timeline import timeline
from teams.mixins import ListFiltersMixin, ScopedChangeMixin, ScopedQuerysetMixin
from teams.predicates import can_change_lead, can_log_activity
from teams.selectors import CHANGE

from .. import services
from ..filters import LeadFilterSet
from ..forms import LeadDisqualifyForm, LeadForm, LeadTransitionForm, QuickLeadForm
from ..models import Lead
from ..selectors import LEAD_READ_ALL_ROLES, lead_queryset_for


class LeadScopeMixin:
    model = Lead
    scope_read_all_roles = LEAD_READ_ALL_ROLES

    def get_base_queryset(self):
        return Lead.objects.select_related("owner")


class LeadListView(LeadScopeMixin, ScopedQuerysetMixin, ListFiltersMixin, KeysetListMixin, FilterView):
    """Deep pages by keyset (`?after=`, salesops.keyset.KeysetListMixin)."""

    filterset_class = LeadFilterSet
    saved_list_key = "leads"
    paginator_class = LargeListPaginator  # "about N" for the whole table; deep pages by deferred join
    template_name = "leads/lead_list.html"
    paginate_by = 50


class LeadDetailActionsMixin:
    def get_context_data(self, **kwargs):
        lead = self.object
        initial = {"version": lead.version}
        return {**super().get_context_data(**kwargs), "transition_form": LeadTransitionForm(initial=initial),
                "disqualify_form": LeadDisqualifyForm(initial=initial),
                "can_change": can_change_lead(self.request.user, lead),
                # the activity timeline comes through the registry (customers sits above leads)
                "timeline_items": timeline("lead", lead, self.request.user),
                "can_log_activity": can_log_activity(self.request.user)}


class LeadDetailView(LeadScopeMixin, LeadDetailActionsMixin, ScopedQuerysetMixin, DetailView):
    template_name = "leads/lead_detail.html"


class LeadFormMixin:
    form_class = LeadForm
    template_name = "leads/lead_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            self.object = self.save_lead(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Lead saved."))
        return redirect("leads:detail", pk=self.object.pk)


class LeadCreateView(LeadFormMixin, ScopedQuerysetMixin, CreateView):
    model = Lead

    def save_lead(self, data):
        return services.lead_create(by=self.request.user, **data)


class LeadUpdateView(LeadFormMixin, LeadScopeMixin, ScopedChangeMixin, UpdateView):
    def save_lead(self, data):
        data = dict(data)
        version = data.pop("version", None)
        return services.lead_update(lead=self.object, by=self.request.user, expected_version=version, **data)


# --- status transitions (buttons on the lead page) ---------------------------------------------

TRANSITIONS = {
    "qualify": (services.lead_qualify, LeadTransitionForm, gettext_lazy("Lead qualified.")),
    "nurturing": (services.lead_nurture, LeadTransitionForm, gettext_lazy("Lead moved to nurturing.")),
    "disqualify": (services.lead_disqualify, LeadDisqualifyForm, gettext_lazy("Lead disqualified.")),
}


@login_required
@require_POST
def lead_transition_view(request, pk, transition):
    """POST a transition from the lead page; errors (a stale version, a missing reason, a refused
    move) come back as a message, and nothing is saved."""
    lead = get_object_or_404(lead_queryset_for(user=request.user, action=CHANGE), pk=pk)
    service, form_class, done = TRANSITIONS[transition]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect("leads:detail", pk=lead.pk)
    data = dict(form.cleaned_data)
    version = data.pop("version", None)
    try:
        service(lead=lead, by=request.user, expected_version=version, **data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("leads:detail", pk=lead.pk)


@login_required
def lead_quick_add_view(request):
    """The header's quick add (issue 12): five fields, created by leads.services.lead_create."""
    form = QuickLeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return quick_added(request, url=reverse("leads:detail", args=[lead.pk]),
                               message=_("Lead “%(name)s” added.") % {"name": lead.name})
    return quick_form_response(request, form, title=_("New lead"), action=reverse("leads:quick-add"), kind="lead")
