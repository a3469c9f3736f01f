"""Teams models, one module per area; everything is re-exported here (`from teams.models import User`)."""
from .core import Notification, Quota, Team, Territory, User

__all__ = ["Notification", "Quota", "Team", "Territory", "User"]

# --- onboarding (h10) ---------------------------------------------------------------------------
from .onboarding import (  # noqa: E402
    OnboardingPhase, OnboardingPlan, OnboardingStep, OnboardingTask, OnboardingTemplate,
)

__all__ += ["OnboardingPhase", "OnboardingPlan", "OnboardingStep", "OnboardingTask", "OnboardingTemplate"]
# --- training, certification and awards (h11) -------------------------------------------------
from .awards import Award, Nomination  # noqa: E402
from .training import (  # noqa: E402
    Certification, CertificationGrant, CertificationReminder, Course, Exam, ExamAttempt,
)

__all__ += ["Award", "Certification", "CertificationGrant", "CertificationReminder", "Course", "Exam",
            "ExamAttempt", "Nomination"]
# --- knowledge base (h12) -----------------------------------------------------------------------
from .knowledge import Article, ArticleView, Tag  # noqa: E402

__all__ += ["Article", "ArticleView", "Tag"]
# --- compensation (h9): plans, assignments, payouts and their ledger, disputes -------------------
from .compensation import (  # noqa: E402
    CommissionTier, CompensationPlan, Payout, PayoutDispute, PayoutLine, PlanAssignment, PlanComponent,
)

__all__ += ["CommissionTier", "CompensationPlan", "Payout", "PayoutDispute", "PayoutLine", "PlanAssignment",
            "PlanComponent"]
# --- saved filters of the lists (issue 12) ------------------------------------------------------
from .saved_filters import SavedFilter  # noqa: E402

__all__ += ["SavedFilter"]
