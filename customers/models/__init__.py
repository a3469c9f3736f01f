"""Customers' models, one module per area; import them from here (`from customers.models import Account`)."""
from .accounts import Account, Contact, Sector
from .activities import Activity
from .contracts import Contract
from .health import (
    AccountHealth, HealthBand, HealthComponent, HealthModel, HealthRecomputeJob, HealthScoreHistory,
)
from .signals import Ticket, UsageEvent
from .surveys import Survey, SurveyResponse
from .surveys import SurveyInvitation

__all__ = ["Account", "Contact", "Sector", "Activity", "Contract", "Ticket", "UsageEvent", "Survey", "SurveyResponse",
           "SurveyInvitation"]
__all__ = ["Account", "Contact", "Activity", "Contract", "Ticket", "UsageEvent", "Survey", "SurveyResponse"]
from .retention import CustomerImportJob, CustomerImportMapping, Spend  # noqa: E402  (h6: retention)

__all__ += ["CustomerImportJob", "CustomerImportMapping", "Spend"]
__all__ += [
    "AccountHealth", "HealthBand", "HealthComponent", "HealthModel", "HealthRecomputeJob", "HealthScoreHistory",
]
