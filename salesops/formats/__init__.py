"""One way to show dates, numbers and money, per language (the rule: never format by hand).

Templates use the filters of `salesops.templatetags.formatting` (built in, no `{% load %}` needed):
`{{ when|date }}` / `{{ when|datetime }}` / `{{ month|month }}` / `{{ n|number }}` /
`{{ amount|money:currency }}` / `{{ amount|money_exact:currency }}`. Python code building text for
pages (dashboard panels, messages) calls the functions below. The per-language formats are the
modules `salesops.formats.<language>.formats` (settings.FORMAT_MODULE_PATH):

    en        1 Dec 2026    1 Dec 2026 19:39    Dec 2026    1,185,000 CNY
    zh-hans   2026-12-01    2026-12-01 19:39    2026-12     1,185,000 CNY

Machine-readable values (`value=` of date inputs, `data-*` attributes, URLs, CSV files, the API)
stay ISO 8601 and unformatted.
"""
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.translation import pgettext_lazy

# The metric registry's units (salesops.metrics.UNITS) as people read them.
UNIT_LABELS = {
    "count": pgettext_lazy("metric unit", "count"),
    "percent": pgettext_lazy("metric unit", "percent"),
    "days": pgettext_lazy("metric unit", "days"),
    "money": pgettext_lazy("metric unit", "money"),
    "ratio": pgettext_lazy("metric unit", "ratio"),
    "score": pgettext_lazy("metric unit", "score"),
}


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def number_text(value, decimals: int = 0) -> str:
    """`value` rounded to `decimals` places, grouped by thousands in the active language."""
    number = _decimal(value)
    if number is None or not number.is_finite():
        return "" if value is None else str(value)
    number = round(number, decimals)
    return formats.number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def money_text(amount, currency: str = "", decimals: int = 0) -> str:
    """An amount with its currency code after it: "1,185,000 CNY" (no currency: the number)."""
    text = number_text(amount if amount is not None else 0, decimals)
    return f"{text} {currency}" if currency else text


def date_text(value) -> str:
    """A date (or the local date of a datetime) in the language's DATE_FORMAT."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


def datetime_text(value) -> str:
    """A datetime in local time in the language's DATETIME_FORMAT (a date: DATE_FORMAT)."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime):
        return date_text(value) if isinstance(value, date) else str(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


def month_text(value) -> str:
    """A month (any date in it) in the language's YEAR_MONTH_FORMAT: "Dec 2026" / "2026-12"."""
    if value in (None, ""):
        return ""
    return formats.date_format(value, "YEAR_MONTH_FORMAT")
