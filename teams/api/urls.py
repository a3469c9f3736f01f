from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .compensation import CompensationPlanViewSet, PayoutDisputeViewSet, PayoutLineViewSet, PayoutViewSet
from .notifications import NotificationViewSet

app_name = "teams-api"
router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("teams", views.TeamViewSet, basename="team")
router.register("quotas", views.QuotaViewSet, basename="quota")
router.register("notifications", NotificationViewSet, basename="notification")
# compensation (h9): lines and disputes before payouts, so "payouts/lines/…" is not read as a payout id
router.register("compensation/plans", CompensationPlanViewSet, basename="compensation-plan")
router.register("payouts/lines", PayoutLineViewSet, basename="payout-line")
router.register("payouts/disputes", PayoutDisputeViewSet, basename="payout-dispute")
router.register("payouts", PayoutViewSet, basename="payout")
urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
] + router.urls
