"""Customers' API routes, one block per area; the retention report comes before dashboards' generic
/metrics/{code}/ (salesops/urls.py includes customers first)."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from . import contracts, health, surveys, views
from .retention import RetentionApi, SpendViewSet

app_name = "customers-api"
router = SimpleRouter()
# accounts, contacts, activities and tasks
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("tasks", views.TaskViewSet, basename="task")
# surveys
router.register("surveys", surveys.SurveyViewSet, basename="survey")
router.register("survey-responses", surveys.SurveyResponseViewSet, basename="survey-response")
# contracts, usage and tickets
router.register("contracts", contracts.ContractViewSet, basename="contract")
router.register("usage-events", contracts.UsageEventViewSet, basename="usage-event")
router.register("tickets", contracts.TicketViewSet, basename="ticket")
# retention: spend
router.register("spend", SpendViewSet, basename="spend")
# health models as data
router.register("health-models", health.HealthModelViewSet, basename="health-model")

urlpatterns = [
    path("metrics/retention/", RetentionApi.as_view(), name="metrics-retention"),
    path("accounts/<int:pk>/timeline/", views.AccountTimelineView.as_view(), name="account-timeline"),
    path("accounts/<int:pk>/health/", health.AccountHealthApi.as_view(), name="account-health"),
    *router.urls,
]
