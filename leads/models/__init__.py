"""Leads: people and companies marketing and sales work before there is an opportunity."""
from salesops.reference import Industry, Region  # noqa: F401  (reference data of the base; still importable from here)

from .lead import Source, Lead, EventType, LeadEvent  # noqa: F401
from .scoring import RuleSet, AttributeRule, BehaviourRule, GradeBand, ScoreChange, RescoreJob, RescoreChunk, POINTS_VALIDATORS  # noqa: F401
from .routing import RoutingRule, Assignment  # noqa: F401
from .audit import LeadAudit  # noqa: F401
from .nurture import NurtureTrack, NurtureStep, NurtureEnrollment, NurtureSend  # noqa: F401
from .imports import LeadImportJob, LeadImportUpload, ImportMapping  # noqa: F401
from .web_forms import WebForm  # noqa: F401
from .suggestions import ScoringSuggestion  # noqa: F401
