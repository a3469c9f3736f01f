"""Customers' pages (under /customers/): accounts, contacts, the customer-360 page, tasks, contracts,
surveys and retention. Each area adds its own list of paths here."""
from django.urls import path  # noqa: F401

app_name = "customers"

urlpatterns: list = []

# --- contracts and renewals (h3) ---------------------------------------------------------------
from .views import contracts as contract_views  # noqa: E402

urlpatterns += [
    path("contracts/", contract_views.ContractListView.as_view(), name="contract-list"),
    path("contracts/renewals/", contract_views.RenewalsDueView.as_view(), name="renewals-due"),
    path("accounts/<int:account_pk>/contracts/new/", contract_views.contract_create_view, name="contract-create"),
    path("contracts/<int:pk>/edit/", contract_views.contract_update_view, name="contract-edit"),
    path("contracts/<int:pk>/renewal/", contract_views.contract_renewal_view, name="contract-renewal"),
]
