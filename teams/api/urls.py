from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .compensation import CompensationPlanViewSet, PayoutDisputeViewSet, PayoutLineViewSet, PayoutViewSet
from .notifications import NotificationViewSet
from .saved_filters import SavedFilterViewSet
from .onboarding import OnboardingPlanViewSet, OnboardingTemplateViewSet

app_name = "teams-api"
router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("teams", views.TeamViewSet, basename="team")
router.register("quotas", views.QuotaViewSet, basename="quota")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("saved-filters", SavedFilterViewSet, basename="saved-filter")  # issue 12
# --- onboarding (h10) ---
router.register("onboarding/templates", OnboardingTemplateViewSet, basename="onboarding-template")
router.register("onboarding/plans", OnboardingPlanViewSet, basename="onboarding-plan")
# --- compensation (h9): lines and disputes before payouts, so "payouts/lines/…" is not read as a payout id
router.register("compensation/plans", CompensationPlanViewSet, basename="compensation-plan")
router.register("payouts/lines", PayoutLineViewSet, basename="payout-line")
router.register("payouts/disputes", PayoutDisputeViewSet, basename="payout-dispute")
router.register("payouts", PayoutViewSet, basename="payout")
urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
] + router.urls

# --- training, certification and awards (h11) -------------------------------------------------
from .training import (  # noqa: E402
    AwardViewSet, CertificationGrantViewSet, CourseViewSet, ExamAttemptViewSet, ExamViewSet,
)

training_router = SimpleRouter()
training_router.register("courses", CourseViewSet, basename="course")
training_router.register("exams", ExamViewSet, basename="exam")
training_router.register("exam-attempts", ExamAttemptViewSet, basename="exam-attempt")
training_router.register("certifications", CertificationGrantViewSet, basename="certification")
training_router.register("awards", AwardViewSet, basename="award")
urlpatterns += training_router.urls

# --- knowledge base (h12) ---
from .knowledge import ArticleViewSet  # noqa: E402

_kb_router = SimpleRouter()
_kb_router.register("kb/articles", ArticleViewSet, basename="kb-article")
urlpatterns += _kb_router.urls
