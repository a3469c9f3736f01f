"""Customers' pages (under /customers/): accounts, contacts, the customer-360 page, tasks, contracts,
surveys and retention. Each area adds its own list of paths here."""
from django.urls import path  # noqa: F401

app_name = "customers"

urlpatterns: list = []

# --- h6: retention -------------------------------------------------------------------------------
from . import retention_views  # noqa: E402

urlpatterns += [path("retention/", retention_views.retention_view, name="retention")]
urlpatterns += [
    path("import/", retention_views.customer_import_view, name="import"),
    path("import/jobs/<int:pk>/", retention_views.customer_import_job_view, name="import-job"),
]
urlpatterns += [path("retention/accounts/", retention_views.retention_accounts_view, name="retention-accounts")]
