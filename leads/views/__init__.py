from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from teams.mixins import ScopedChangeMixin, ScopedQuerysetMixin

from .. import services
from ..filters import LeadFilterSet
from ..forms import LeadForm
from ..models import Lead
from ..selectors import LEAD_READ_ALL_ROLES


class LeadScopeMixin:
    model = Lead
    scope_read_all_roles = LEAD_READ_ALL_ROLES

    def get_base_queryset(self):
        return Lead.objects.select_related("owner")


class LeadListView(LeadScopeMixin, ScopedQuerysetMixin, FilterView):
    filterset_class = LeadFilterSet
    template_name = "leads/lead_list.html"
    paginate_by = 50


class LeadDetailView(LeadScopeMixin, ScopedQuerysetMixin, DetailView):
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
        return services.lead_update(lead=self.object, by=self.request.user, **data)
