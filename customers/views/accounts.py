"""Account pages: the list, the customer-360 page (account detail) and the create/edit forms.

Visibility comes from customers.selectors (404 outside the scope); actions from teams.predicates
(support and product read every 360 page and get 403 on every write)."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from teams.mixins import ListFiltersMixin
from teams.predicates import can_change_account, can_change_customer_records, can_create_account

from .. import services
from ..filters import AccountFilterSet
from ..forms import AccountForm
from ..models import Account
from ..selectors import CHANGE, account_queryset_for
from ..three_sixty import rendered_panels
from .base import ServiceFormMixin


class AccountListView(LoginRequiredMixin, ListFiltersMixin, FilterView):
    filterset_class = AccountFilterSet
    saved_list_key = "accounts"
    template_name = "customers/account_list.html"
    paginate_by = 50

    def get_queryset(self):
        return account_queryset_for(user=self.request.user)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_create": can_create_account(self.request.user)}


class AccountDetailView(LoginRequiredMixin, DetailView):
    """The customer-360 page: the account's header, then every registered account panel."""

    template_name = "customers/account_detail.html"
    context_object_name = "account"

    def get_queryset(self):
        return account_queryset_for(user=self.request.user).select_related("owner__team", "success_owner__team", "sector")

    def get_context_data(self, **kwargs):
        panels = rendered_panels(self.object, self.request)
        badges = [panel.badge for panel in panels if panel.badge]
        return {**super().get_context_data(**kwargs), "panels": panels, "header_badges": badges,
                "can_change": can_change_account(self.request.user, self.object)}


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return target if ok and target.startswith("/") else ""


class AccountFormMixin(ServiceFormMixin):
    form_class = AccountForm
    template_name = "customers/account_form.html"
    saved_message = gettext_lazy("Account saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "next": _safe_next(self.request)}

    def saved_redirect(self):
        back = _safe_next(self.request)
        if back:  # e.g. the new-opportunity form, which then preselects this account
            return redirect(f"{back}{'&' if '?' in back else '?'}account={self.object.pk}")
        return redirect(self.object)


class AccountCreateView(LoginRequiredMixin, AccountFormMixin, CreateView):
    model = Account

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_create_account(request.user):
            raise PermissionDenied(_("Your role reads accounts but does not create them."))
        return super().dispatch(request, *args, **kwargs)

    def save(self, data):
        return services.account_create(by=self.request.user, **data)


class AccountUpdateView(LoginRequiredMixin, AccountFormMixin, UpdateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_change_customer_records(request.user):
            raise PermissionDenied(_("Your role reads accounts but does not change them."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return account_queryset_for(user=self.request.user, action=CHANGE)

    def save(self, data):
        return services.account_update(account=self.object, by=self.request.user, **data)
