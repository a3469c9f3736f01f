"""Contract pages: the list (filters), create and edit from an account, the renewal outcome form
and the renewals due list. Thin: scoped selectors read, customers.services write."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from teams.selectors import CHANGE

from .. import services
from ..filters import ContractFilterSet
from ..forms.contracts import ContractForm, RenewalForm
from ..selectors import RENEWAL_WINDOW_DAYS, account_queryset_for, contract_queryset_for, renewals_due_for


class ContractListView(LoginRequiredMixin, FilterView):
    filterset_class = ContractFilterSet
    template_name = "customers/contract_list.html"
    paginate_by = 50

    def get_queryset(self):
        return contract_queryset_for(user=self.request.user).order_by("end", "id")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "today": timezone.localdate()}


class RenewalsDueView(LoginRequiredMixin, FilterView):
    """Contracts ending in the next 90 days (or past their end) without an outcome, soonest first:
    a success manager's own accounts, a manager's team's."""

    filterset_class = ContractFilterSet
    template_name = "customers/renewals_due.html"
    paginate_by = 50

    def get_queryset(self):
        return renewals_due_for(user=self.request.user, today=timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for contract in context["object_list"]:
            contract.days_left = (contract.end - today).days
        return {**context, "today": today, "window": RENEWAL_WINDOW_DAYS, "renewal_form": RenewalForm()}


def _save_contract(request, *, form, save, account, contract=None):
    if form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Contract saved."))
            return redirect(f"{_list_url()}?account={saved.account_id}")
    return render(request, "customers/contract_form.html", {"form": form, "account": account, "object": contract,
                                                              "renewal_form": RenewalForm()},
                  status=400 if form.is_bound else 200)


def _list_url():
    return reverse("customers:contract-list")


@login_required
def contract_create_view(request, account_pk):
    account = get_object_or_404(account_queryset_for(user=request.user, action=CHANGE), pk=account_pk)
    form = ContractForm(request.POST or None)
    return _save_contract(request, form=form, account=account,
                          save=lambda data: services.contract_create(by=request.user, account=account, **data))


@login_required
def contract_update_view(request, pk):
    contract = get_object_or_404(contract_queryset_for(user=request.user, action=CHANGE), pk=pk)
    form = ContractForm(request.POST or None, instance=contract)
    return _save_contract(request, form=form, account=contract.account, contract=contract,
                          save=lambda data: services.contract_update(
                              contract=contract, by=request.user, **{name: data[name] for name in form.changed_data}))


@login_required
@require_POST
def contract_renewal_view(request, pk):
    """Record the renewal outcome from the renewals list or the contract list; errors come back as a message."""
    contract = get_object_or_404(contract_queryset_for(user=request.user, action=CHANGE), pk=pk)
    form = RenewalForm(request.POST)
    next_url = request.POST.get("next") or ""
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = _list_url() + f"?account={contract.account_id}"
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect(next_url)
    try:
        services.contract_record_renewal(contract=contract, by=request.user, **form.service_kwargs())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Renewal outcome recorded: %(outcome)s.")
                         % {"outcome": dict(form.fields["outcome"].choices)[form.cleaned_data["outcome"]]})
    return redirect(next_url)
