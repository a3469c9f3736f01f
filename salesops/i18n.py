"""Translated names of data rows (stages, event types, checklist items…).

Rows that users configure carry an English text and an optional Simplified Chinese one in a
`<field>_zh_hans` column; the UI shows the one for the active language.
"""
from django.utils.translation import get_language


def localised(obj, field: str = "name") -> str:
    chinese = getattr(obj, f"{field}_zh_hans", "")
    return chinese if chinese and (get_language() or "").lower().startswith("zh") else getattr(obj, field)
