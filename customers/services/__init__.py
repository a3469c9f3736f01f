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
from .spend import SPEND_FIELDS, spend_delete, spend_record, spend_update, spends_delete  # noqa: E402  (h6)

__all__ += ["SPEND_FIELDS", "spend_delete", "spend_record", "spend_update", "spends_delete"]
