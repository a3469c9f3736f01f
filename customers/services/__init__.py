"""Customers' writes, one module per area; callers import them from here (`customers.services.account_create`)."""
from .accounts import (
    ACCOUNT_FIELDS, CONTACT_FIELDS, account_create, account_delete, account_update, accounts_delete, contact_create,
    contact_delete, contact_update, contacts_delete,
)
from .activities import (
    ACTIVITY_FIELDS, activities_delete, activity_delete, activity_log, activity_update, lead_activities_follow,
    task_complete, task_open,
)

__all__ = [
    "ACCOUNT_FIELDS", "CONTACT_FIELDS", "ACTIVITY_FIELDS", "account_create", "account_delete", "account_update",
    "accounts_delete", "contact_create", "contact_delete", "contact_update", "contacts_delete",
    "activities_delete", "activity_delete", "activity_log", "activity_update", "task_open",
    "task_complete", "lead_activities_follow",
]

from .surveys import (  # noqa: E402  (surveys: h5)
    SURVEY_FIELDS, survey_answer, survey_create, survey_delete, survey_followup_open, survey_response_record,
    survey_send, survey_update,
)

__all__ += [
    "SURVEY_FIELDS", "survey_answer", "survey_create", "survey_delete", "survey_followup_open",
    "survey_response_record", "survey_send", "survey_update",
]
from .contracts import (  # noqa: E402  (h3: contracts and renewals)
    CONTRACT_FIELDS, contract_create, contract_delete, contract_end, contract_record_renewal, contract_update,
    contracts_delete, contracts_send_renewal_reminders,
)

__all__ += [
    "CONTRACT_FIELDS", "contract_create", "contract_delete", "contract_end", "contract_record_renewal",
    "contract_update", "contracts_delete", "contracts_send_renewal_reminders",
]
from .signals import IngestResult, tickets_ingest, usage_events_ingest  # noqa: E402  (h3: usage and tickets)

__all__ += ["IngestResult", "tickets_ingest", "usage_events_ingest"]
from .spend import SPEND_FIELDS, spend_delete, spend_record, spend_update, spends_delete  # noqa: E402  (h6)

__all__ += ["SPEND_FIELDS", "spend_delete", "spend_record", "spend_update", "spends_delete"]
from .health import health_model_delete, health_model_save, health_recompute_later  # noqa: E402

__all__ += ["health_model_delete", "health_model_save", "health_recompute_later"]
