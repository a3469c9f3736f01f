"""Sortable column headers: `{% sort_header filter "name" _("Name") %}` inside a <th>.

A click sorts by the column, a second click reverses it; an arrow shows the direction. Only the keys
of the list's SortFilter become links (the whitelist); the page number is dropped."""
from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from salesops.list_filters import SortFilter

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, filterset, key, label):
    sort = getattr(filterset, "filters", {}).get("ordering") if filterset is not None else None
    if not isinstance(sort, SortFilter) or key not in sort.sort_keys():
        return label
    request = context["request"]
    current = (request.GET.get("ordering") or "").split(",")[0].strip()
    if current == key:
        target, arrow, state, hint = f"-{key}", "▲", "ascending", _("sorted ascending; click to reverse")
    elif current == f"-{key}":
        target, arrow, state, hint = key, "▼", "descending", _("sorted descending; click to reverse")
    else:
        target, arrow, state, hint = key, "", "none", _("click to sort")
    query = request.GET.copy()
    query.pop("page", None)
    query["ordering"] = target
    return format_html('<a class="sort" href="?{}" data-sort="{}" data-state="{}" title="{}">{}{}</a>',
                       query.urlencode(), key, state, hint, label,
                       format_html(' <span class="sort-arrow" aria-hidden="true">{}</span>', arrow) if arrow else "")
