"""Customers' pages (under /customers/): accounts, contacts, the customer-360 page, tasks, contracts,
surveys and retention. Each area adds its own list of paths here."""
from django.urls import path  # noqa: F401


app_name = "customers"

urlpatterns: list = []

# --- surveys (h5) -----------------------------------------------------------------------------------
from .views import surveys as survey_views  # noqa: E402

urlpatterns += [
    path("surveys/", survey_views.survey_list_view, name="surveys"),
    path("surveys/new/", survey_views.survey_edit_view, name="survey-create"),
    path("surveys/responses/", survey_views.survey_responses_view, name="survey-responses"),
    path("surveys/<int:pk>/", survey_views.survey_detail_view, name="survey-detail"),
    path("surveys/<int:pk>/edit/", survey_views.survey_edit_view, name="survey-edit"),
    path("surveys/<int:pk>/send/", survey_views.survey_send_view, name="survey-send"),
]

# --- accounts, the customer-360 page and contacts (h1) -----------------------------------------
from . import views as _views  # noqa: E402

urlpatterns += [
    path("accounts/", _views.AccountListView.as_view(), name="account-list"),
    path("accounts/new/", _views.AccountCreateView.as_view(), name="account-create"),
    path("accounts/<int:pk>/", _views.AccountDetailView.as_view(), name="account-detail"),
    path("accounts/<int:pk>/edit/", _views.AccountUpdateView.as_view(), name="account-edit"),
    path("accounts/<int:pk>/contacts/", _views.ContactListView.as_view(), name="account-contacts"),
    path("accounts/<int:pk>/contacts/new/", _views.ContactCreateView.as_view(), name="contact-create"),
    path("contacts/<int:pk>/edit/", _views.ContactUpdateView.as_view(), name="contact-edit"),
    path("contacts/<int:pk>/delete/", _views.contact_delete_view, name="contact-delete"),
]

# --- contracts and renewals (h3) ---------------------------------------------------------------
from .views import contracts as contract_views  # noqa: E402

urlpatterns += [
    path("contracts/", contract_views.ContractListView.as_view(), name="contract-list"),
    path("contracts/renewals/", contract_views.RenewalsDueView.as_view(), name="renewals-due"),
    path("accounts/<int:account_pk>/contracts/new/", contract_views.contract_create_view, name="contract-create"),
    path("contracts/<int:pk>/edit/", contract_views.contract_update_view, name="contract-edit"),
    path("contracts/<int:pk>/renewal/", contract_views.contract_renewal_view, name="contract-renewal"),
]
# --- h6: retention -------------------------------------------------------------------------------
from . import retention_views  # noqa: E402

urlpatterns += [path("retention/", retention_views.retention_view, name="retention")]
urlpatterns += [
    path("import/", retention_views.customer_import_view, name="import"),
    path("import/jobs/<int:pk>/", retention_views.customer_import_job_view, name="import-job"),
]
urlpatterns += [path("retention/accounts/", retention_views.retention_accounts_view, name="retention-accounts")]
# --- activities and tasks (h2) ------------------------------------------------------------------
from .views import activities as activity_views  # noqa: E402

urlpatterns += [
    path("activities/", activity_views.activity_list_view, name="activity-list"),
    path("activities/quick-add/", activity_views.activity_quick_add_view, name="quick-add"),  # issue 12
    path("accounts/lookup/", activity_views.account_lookup_view, name="account-lookup"),
    path("records/lookup/", activity_views.record_lookup_view, name="record-lookup"),
    path("activities/log/", activity_views.activity_log_view, name="activity-log"),
    path("tasks/", activity_views.task_list_view, name="task-list"),
    path("tasks/<int:pk>/complete/", activity_views.task_complete_view, name="task-complete"),
]
