"""Customers' models, one module per area; import them from here (`from customers.models import Account`)."""
from .accounts import Account, Contact
from .activities import Activity
from .contracts import Contract
from .health import (
    AccountHealth, HealthBand, HealthComponent, HealthModel, HealthRecomputeJob, HealthScoreHistory,
)
from .signals import Ticket, UsageEvent
from .surveys import Survey, SurveyResponse

__all__ = ["Account", "Contact", "Activity", "Contract", "Ticket", "UsageEvent", "Survey", "SurveyResponse"]
__all__ += [
    "AccountHealth", "HealthBand", "HealthComponent", "HealthModel", "HealthRecomputeJob", "HealthScoreHistory",
]
