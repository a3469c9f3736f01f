"""Customers' writes, one module per area; callers import them from here (`customers.services.account_create`)."""
from .accounts import (
    ACCOUNT_FIELDS, CONTACT_FIELDS, account_create, account_delete, account_update, accounts_delete, contact_create,
    contact_delete, contact_update, contacts_delete,
)
from .activities import (
    ACTIVITY_FIELDS, activities_delete, activity_delete, activity_log, activity_update, task_open,
)

__all__ = [
    "ACCOUNT_FIELDS", "CONTACT_FIELDS", "ACTIVITY_FIELDS", "account_create", "account_delete", "account_update",
    "accounts_delete", "contact_create", "contact_delete", "contact_update", "contacts_delete",
    "activities_delete", "activity_delete", "activity_log", "activity_update", "task_open",
]

from .health import health_model_delete, health_model_save, health_recompute_later  # noqa: E402

__all__ += ["health_model_delete", "health_model_save", "health_recompute_later"]
