from rest_framework.routers import SimpleRouter

from . import views

app_name = "customers-api"
router = SimpleRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("activities", views.ActivityViewSet, basename="activity")

# surveys (h5)
from . import surveys  # noqa: E402

router.register("surveys", surveys.SurveyViewSet, basename="survey")
router.register("survey-responses", surveys.SurveyResponseViewSet, basename="survey-response")

urlpatterns = router.urls

# --- contracts, usage and tickets (h3) ---------------------------------------------------------
from . import contracts  # noqa: E402

router.register("contracts", contracts.ContractViewSet, basename="contract")
router.register("usage-events", contracts.UsageEventViewSet, basename="usage-event")
router.register("tickets", contracts.TicketViewSet, basename="ticket")
urlpatterns = router.urls

# --- h6: spend and the retention report (before dashboards' generic /metrics/{code}/) ---------------
from django.urls import path  # noqa: E402

from .retention import RetentionApi, SpendViewSet  # noqa: E402

router.register("spend", SpendViewSet, basename="spend")
urlpatterns = [path("metrics/retention/", RetentionApi.as_view(), name="metrics-retention"), *router.urls]
