"""Contact pages: the contacts of an account, and create/edit/delete (whoever may change the account)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, ListView, UpdateView

from teams.predicates import can_change_account, can_change_customer_records

from .. import services
from ..forms import ContactForm
from ..selectors import CHANGE, account_queryset_for, contact_queryset_for
from .base import ServiceFormMixin


def _require_writer(user) -> None:
    if not can_change_customer_records(user):
        raise PermissionDenied(_("Your role reads accounts but does not change them."))


class ContactListView(LoginRequiredMixin, ListView):
    template_name = "customers/contact_list.html"
    context_object_name = "contacts"
    paginate_by = 50

    def get_queryset(self):
        self.account = get_object_or_404(account_queryset_for(user=self.request.user), pk=self.kwargs["pk"])
        return self.account.contacts.order_by("name", "id")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account,
                "can_change": can_change_account(self.request.user, self.account)}


class ContactFormMixin(LoginRequiredMixin, ServiceFormMixin):
    form_class = ContactForm
    template_name = "customers/contact_form.html"
    saved_message = gettext_lazy("Contact saved.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_writer(request.user)
        return super().dispatch(request, *args, **kwargs)

    def saved_redirect(self):
        return redirect("customers:account-contacts", pk=self.object.account_id)


class ContactCreateView(ContactFormMixin, CreateView):
    @cached_property
    def account(self):
        return get_object_or_404(account_queryset_for(user=self.request.user, action=CHANGE), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account}

    def save(self, data):
        return services.contact_create(by=self.request.user, account=self.account, **data)


class ContactUpdateView(ContactFormMixin, UpdateView):
    context_object_name = "contact"

    def get_queryset(self):
        return contact_queryset_for(user=self.request.user, action=CHANGE)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.object.account}

    def save(self, data):
        return services.contact_update(contact=self.object, by=self.request.user, **data)


@login_required
def contact_delete_view(request, pk):
    """GET asks for confirmation; POST deletes (the contact's deals and activities keep their rows)."""
    _require_writer(request.user)
    contact = get_object_or_404(contact_queryset_for(user=request.user, action=CHANGE), pk=pk)
    if request.method == "POST":
        try:
            services.contact_delete(contact=contact, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Contact deleted."))
        return redirect("customers:account-contacts", pk=contact.account_id)
    return render(request, "customers/contact_confirm_delete.html", {"contact": contact, "account": contact.account})
