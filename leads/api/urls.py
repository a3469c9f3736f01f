from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .routing import AssignmentViewSet
from .scoring import RescoreJobViewSet, RuleSetViewSet
from .suggestions import ScoringSuggestionViewSet
from .event_types import EventTypeViewSet
from .events import LeadEventViewSet
from .imports import LeadImportApi, LeadImportJobViewSet
from .nurture import NurtureEnrollmentViewSet, NurtureTrackViewSet
from .reports import LeadQualityReportApi
from .web_forms import PublicFormView

app_name = "leads-api"
router = SimpleRouter()
router.register("leads", views.LeadViewSet, basename="lead")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("scoring/rule-sets", RuleSetViewSet, basename="rule-set")
router.register("scoring/jobs", RescoreJobViewSet, basename="rescore-job")
router.register("scoring/suggestions", ScoringSuggestionViewSet, basename="scoring-suggestion")
router.register("lead-events", LeadEventViewSet, basename="lead-event")
router.register("event-types", EventTypeViewSet, basename="event-type")
router.register("lead-import-jobs", LeadImportJobViewSet, basename="lead-import-job")
router.register("nurture/tracks", NurtureTrackViewSet, basename="nurture-track")
router.register("nurture/enrollments", NurtureEnrollmentViewSet, basename="nurture-enrollment")
# before the router: "leads/<pk>/" would otherwise take "leads/import/"
urlpatterns = [path("leads/import/", LeadImportApi.as_view(), name="lead-import"), *router.urls]
urlpatterns += [path("reports/lead-quality/", LeadQualityReportApi.as_view(), name="lead-quality-report")]
urlpatterns += [path("public/forms/<str:key>/", PublicFormView.as_view(), name="public-form")]
