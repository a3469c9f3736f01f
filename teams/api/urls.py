from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "teams-api"
router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("teams", views.TeamViewSet, basename="team")
router.register("quotas", views.QuotaViewSet, basename="quota")
urlpatterns = [path("auth/token/", views.TokenView.as_view(), name="token")] + router.urls
