from rest_framework.routers import SimpleRouter

from . import views

app_name = "dashboards-api"
router = SimpleRouter()
router.register("goals", views.GoalViewSet, basename="goal")
router.register("kpi-snapshots", views.KpiSnapshotViewSet, basename="kpi-snapshot")
router.register("kpi-snapshot-jobs", views.SnapshotJobViewSet, basename="kpi-snapshot-job")
urlpatterns = router.urls
