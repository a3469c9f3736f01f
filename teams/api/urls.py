from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .notifications import NotificationViewSet

app_name = "teams-api"
router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("teams", views.TeamViewSet, basename="team")
router.register("quotas", views.QuotaViewSet, basename="quota")
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
] + router.urls

# --- knowledge base (h12) ---
from .knowledge import ArticleViewSet  # noqa: E402

_kb_router = SimpleRouter()
_kb_router.register("kb/articles", ArticleViewSet, basename="kb-article")
urlpatterns += _kb_router.urls
