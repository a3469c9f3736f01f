"""Filters for dates, numbers and money (see salesops.formats). Built into every template
(settings.TEMPLATES builtins), so no `{% load %}` is needed."""
from django import template

from salesops import formats

register = template.Library()


@register.filter(is_safe=True)
def number(value, decimals=0):
    """{{ leads|number }} → "9,500"; {{ ratio|number:1 }} → "1,234.5"."""
    try:
        decimals = int(decimals)
    except (TypeError, ValueError):
        decimals = 0
    return formats.number_text(value, decimals)


@register.filter(is_safe=False)
def money(value, currency=""):
    """{{ deal.amount|money:deal.currency }} → "1,185,000 CNY" (whole units)."""
    return formats.money_text(value, currency or "", 0)


@register.filter(is_safe=False)
def money_exact(value, currency=""):
    """{{ payout.total|money_exact:payout.currency }} → "12,345.60 CNY" (two decimals, for pay)."""
    return formats.money_text(value, currency or "", 2)


@register.filter(name="datetime", is_safe=False)
def datetime_filter(value):
    """{{ note.created_at|datetime }} → "1 Dec 2026 19:39" / "2026-12-01 19:39"."""
    return formats.datetime_text(value)


@register.filter(is_safe=False)
def month(value):
    """{{ row.month|month }} → "Dec 2026" / "2026-12"."""
    return formats.month_text(value)
