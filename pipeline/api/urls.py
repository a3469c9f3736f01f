from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .handoff import HandoffApi, HandoffConfirmFeasibilityApi
from .imports import OpportunityImportJobViewSet
from .winprob import WinModelViewSet

app_name = "pipeline-api"
router = SimpleRouter()
router.register("opportunities", views.OpportunityViewSet, basename="opportunity")
router.register("stages", views.StageViewSet, basename="stage")
router.register("approvals", views.ApprovalViewSet, basename="approval")
router.register("competitors", views.CompetitorViewSet, basename="competitor")
router.register("loss-reasons", views.LossReasonViewSet, basename="loss-reason")
router.register("opportunity-import-jobs", OpportunityImportJobViewSet, basename="opportunity-import-job")
router.register("win-models", WinModelViewSet, basename="win-model")  # issue 16
urlpatterns = router.urls + [
    path("metrics/funnel/", views.FunnelMetricsApi.as_view(), name="metrics-funnel"),
    path("forecast/", views.ForecastApi.as_view(), name="forecast"),
    path("forecast/accuracy/", views.ForecastAccuracyApi.as_view(), name="forecast-accuracy"),
    path("opportunities/<int:pk>/handoff/", HandoffApi.as_view(), name="opportunity-handoff"),
    path("opportunities/<int:pk>/handoff/confirm-feasibility/", HandoffConfirmFeasibilityApi.as_view(),
         name="opportunity-handoff-confirm-feasibility"),
]
