from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .notifications import NotificationViewSet
from .onboarding import OnboardingPlanViewSet, OnboardingTemplateViewSet

app_name = "teams-api"
router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("teams", views.TeamViewSet, basename="team")
router.register("quotas", views.QuotaViewSet, basename="quota")
router.register("notifications", NotificationViewSet, basename="notification")
# --- onboarding (h10) ---
router.register("onboarding/templates", OnboardingTemplateViewSet, basename="onboarding-template")
router.register("onboarding/plans", OnboardingPlanViewSet, basename="onboarding-plan")
urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
] + router.urls
