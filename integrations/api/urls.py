from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "integrations-api"
router = SimpleRouter()
router.register("webhooks/subscriptions", views.SubscriptionViewSet, basename="webhook-subscription")
router.register("webhooks/deliveries", views.DeliveryViewSet, basename="webhook-delivery")
router.register("integration-keys", views.IntegrationKeyViewSet, basename="integration-key")
urlpatterns = [path("changes/", views.ChangeFeedView.as_view(), name="changes"), *router.urls]
