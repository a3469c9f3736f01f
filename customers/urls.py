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
