from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "customers-api"
router = SimpleRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("tasks", views.TaskViewSet, basename="task")  # h2
urlpatterns = router.urls
urlpatterns += [path("accounts/<int:pk>/timeline/", views.AccountTimelineView.as_view(), name="account-timeline")]  # h2
