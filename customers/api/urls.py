from rest_framework.routers import SimpleRouter

from . import views

app_name = "customers-api"
router = SimpleRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("activities", views.ActivityViewSet, basename="activity")
urlpatterns = router.urls

# Health (customers.api.health): models as data, and an account's health with its explanation.
from django.urls import path  # noqa: E402

from . import health  # noqa: E402

health_router = SimpleRouter()
health_router.register("health-models", health.HealthModelViewSet, basename="health-model")
urlpatterns += health_router.urls + [
    path("accounts/<int:pk>/health/", health.AccountHealthApi.as_view(), name="account-health"),
]
