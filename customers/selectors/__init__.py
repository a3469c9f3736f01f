"""Customers' reads, one module per area, all scoped by teams.selectors (the one permission layer).
Callers import them from here (`from customers.selectors import account_queryset_for`)."""
from teams.selectors import CHANGE, VIEW

from .accounts import (
    ACCOUNT_OWNER_FIELDS, ACCOUNT_OWNERS, ACCOUNT_READ_ALL_ROLES, DUPLICATES_SHOWN, account_contacts_preview,
    account_duplicates_for, account_owner_choices_for, account_queryset_for, activity_queryset_for,
    contact_queryset_for,
)
from .activities import (
    activity_is_late, activity_timeline_source, late_q, my_tasks, overdue_task_count, task_status, tasks_open_for,
    team_overdue_tasks, timeline_items,
)
from .contracts import (
    RENEWAL_WINDOW_DAYS, contract_panel_data, contract_queryset_for, in_force_q, renewal_due_q, renewals_due_for,
    ticket_queryset_for, usage_event_queryset_for, usage_panel_data,
)
from .health import (
    HEALTH_HISTORY_DAYS, account_health_explained, health_critical_accounts, health_critical_count,
    health_accounts_url, health_critical_rows, health_model_queryset, health_score_average, health_score_rows,
    health_scored_accounts,
)
from .surveys import survey_invitation_by_token, survey_invitation_queryset_for, survey_response_queryset_for

__all__ = [
    "CHANGE", "VIEW", "ACCOUNT_OWNER_FIELDS", "ACCOUNT_OWNERS", "ACCOUNT_READ_ALL_ROLES", "DUPLICATES_SHOWN",
    "account_contacts_preview", "account_duplicates_for", "account_owner_choices_for", "account_queryset_for",
    "activity_queryset_for", "contact_queryset_for", "activity_is_late", "activity_timeline_source", "late_q",
    "my_tasks", "overdue_task_count", "task_status", "tasks_open_for", "team_overdue_tasks", "timeline_items",
    "RENEWAL_WINDOW_DAYS", "contract_panel_data", "contract_queryset_for", "in_force_q", "renewal_due_q",
    "renewals_due_for", "ticket_queryset_for", "usage_event_queryset_for", "usage_panel_data",
    "survey_invitation_by_token", "survey_invitation_queryset_for", "survey_response_queryset_for",
    "HEALTH_HISTORY_DAYS", "account_health_explained", "health_critical_accounts", "health_critical_count",
    "health_critical_rows", "health_model_queryset", "health_score_average", "health_score_rows",
    "health_scored_accounts", "health_accounts_url",
]
