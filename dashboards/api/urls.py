from django.urls import path
from rest_framework.routers import SimpleRouter

from . import goal_views, views

router = SimpleRouter()
router.register("goals", goal_views.GoalViewSet, basename="goal")
router.register("kpi-snapshots", goal_views.KpiSnapshotViewSet, basename="kpi-snapshot")
router.register("kpi-snapshot-jobs", goal_views.SnapshotJobViewSet, basename="kpi-snapshot-job")

urlpatterns = [
    path("metrics/", views.MetricListApi.as_view(), name="metrics-list"),
    path("metrics/<str:code>/", views.MetricDetailApi.as_view(), name="metrics-detail"),
] + router.urls
