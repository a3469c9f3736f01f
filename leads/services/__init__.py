"""Writes to leads, one module per capability. Views, API, admin and tasks call these functions.

- core:    create / update leads (row lock, version), data completeness
- lifecycle: status transitions (qualify, nurture, disqualify) and audited deletion
- scoring: rescoring (one lead, or set-based over all leads), publishing rule sets, backtests
- events:  behaviour event ingestion (idempotent by external id)
- upsert:  create-or-update by the other system's id or email (integrations)
- imports: CSV import with saved column mappings
- routing: MQL routing, first-touch SLA, lead pool (公海)
- nurture: nurture tracks and emails
"""
from .core import (  # noqa: F401
    CREATE_FIELDS,
    EDITABLE_FIELDS,
    lead_create,
    lead_lock,
    lead_lock_for_conversion,
    lead_mark_converted,
    lead_record_won,
    lead_refresh_completeness,
    lead_saved,
    lead_update,
    status_rule_message,
)
from .upsert import MAX_UPSERT_BATCH, leads_upsert  # noqa: F401
from .lifecycle import lead_delete, lead_disqualify, lead_nurture, lead_qualify, leads_delete  # noqa: F401
