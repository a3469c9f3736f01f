from rest_framework.routers import SimpleRouter

from . import views

app_name = "customers-api"
router = SimpleRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("activities", views.ActivityViewSet, basename="activity")
urlpatterns = router.urls
