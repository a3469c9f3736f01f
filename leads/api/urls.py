from rest_framework.routers import SimpleRouter

from . import views

app_name = "leads-api"
router = SimpleRouter()
router.register("leads", views.LeadViewSet, basename="lead")
urlpatterns = router.urls
