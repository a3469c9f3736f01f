"""Lead data quality as pure functions (no Django imports).

`completeness_percent` defines CRM data completeness for a lead: the share of profile fields that
are filled. The same definition is compiled to SQL in leads.selectors so that the nightly job can
recompute every lead in one set-based UPDATE; a test checks that both agree.
"""
from collections.abc import Mapping

PROFILE_FIELDS: tuple[str, ...] = (
    "name", "email", "phone", "company", "industry", "company_size", "region", "job_title", "source",
)


def is_filled(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    return True


def completeness_percent(values: Mapping[str, object]) -> int:
    """Percent (0-100, rounded down) of PROFILE_FIELDS with a non-blank value."""
    filled = sum(1 for field in PROFILE_FIELDS if is_filled(values.get(field)))
    return filled * 100 // len(PROFILE_FIELDS)
