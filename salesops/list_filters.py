"""Filters a person can use (issue 12, item 3): the building blocks the lists' FilterSets share.

- `PickerWidget`: a person or team picked by name with type-ahead (static/js/salesops.js asks a
  JSON lookup endpoint); the form still submits the id, so the API keeps taking ids, and the
  chosen name is shown back after the page reloads.
- `CHIPS` / `AnyBooleanSelect` / `ANY`: checkboxes instead of Ctrl-click multi-selects, and "any"
  (not "unknown") as the empty choice of a yes/no filter.
- `SortFilter`: an ordering filter with translated labels that always adds an id tie-breaker
  (so paging through equal values neither repeats nor skips a row); `sanitize_ordering` drops an
  unknown sort key from a page's query so the page answers its default order instead of nothing.
- Saved lists and their built-in presets: a registry apps fill in `AppConfig.ready()`
  (`register_list`), read by teams' saved filters.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ANY = _("Any")


class CheckboxChips(forms.CheckboxSelectMultiple):
    """Checkboxes drawn as chips (salesops.css `.chips`)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "chips", **(attrs or {})}, choices)


CHIPS = CheckboxChips


class AnyBooleanSelect(forms.NullBooleanSelect):
    """Yes / no / any: the empty choice means "no filter", so it is called "Any"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", ANY), ("true", _("Yes")), ("false", _("No")))


class PickerWidget(forms.Widget):
    """A hidden input holding the id and a text input for the name, with a type-ahead list.

    `lookup` is the URL name of a JSON endpoint answering `?q=` with `{"results": [{"id", "label"}]}`;
    `labels(ids) -> {id: name}` shows the chosen name back (one query per picker on the page)."""

    def __init__(self, *, lookup: str, labels: Callable[[list], dict], attrs=None, parse: Callable = int):
        super().__init__(attrs)
        self.lookup, self.labels, self.parse = lookup, labels, parse

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def label_for(self, value) -> str:
        if value in (None, "") or len(str(value)) > 40:
            return ""
        try:
            pk = self.parse(value)
        except (TypeError, ValueError):
            return ""
        if isinstance(pk, int) and not 0 < pk < 2**63:
            return ""
        return str(self.labels([pk]).get(pk, ""))

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        field_id = attrs.get("id") or f"id_{name}"
        value = "" if value is None else str(value)
        return format_html(
            '<span class="picker" data-lookup="{}">'
            '<input type="hidden" name="{}" value="{}" class="picker-value">'
            '<input type="text" id="{}" class="picker-text" value="{}" autocomplete="off" role="combobox" '
            'aria-autocomplete="list" aria-expanded="false" aria-controls="{}_options" placeholder="{}">'
            '<ul class="picker-options" id="{}_options" role="listbox" hidden></ul></span>',
            reverse(self.lookup), name, value, field_id, self.label_for(value) or value, field_id,
            _("Type a name…"), field_id)


def _descending_label(label) -> str:
    return gettext("%(label)s (descending)") % {"label": label}


_descending = lazy(_descending_label, str)  # translated when shown, in the page's language


class SortFilter(django_filters.OrderingFilter):
    """`fields` maps a sort key to its translated label; a descending key is `-key`. The keys are
    the whitelist (any other value is refused by the form); the id always breaks ties."""

    def __init__(self, *, fields: dict, paths: dict | None = None, **kwargs):
        self.sort_labels = fields
        kwargs.setdefault("label", _("Sort by"))
        paths = paths or {}
        super().__init__(fields=tuple((paths.get(key, key), key) for key in fields), field_labels=fields, **kwargs)

    def build_choices(self, fields, labels):
        choices = []
        for key, label in self.sort_labels.items():
            choices.append((key, label))
            choices.append((f"-{key}", _descending(label)))
        return choices

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        tie = "-pk" if ordering[-1].startswith("-") else "pk"
        return qs.order_by(*ordering, tie)

    def sort_keys(self) -> set[str]:
        return set(self.sort_labels)


def sanitize_ordering(data, filterset_class):
    """A copy of the page's query without sort keys the list does not offer (a bad `ordering`
    answers the default order, not an empty list). The API keeps refusing them with a 400."""
    sort = filterset_class.base_filters.get("ordering")
    if data is None or not isinstance(sort, SortFilter) or "ordering" not in data:
        return data
    allowed = sort.sort_keys()
    keep = [v for raw in data.getlist("ordering") for v in raw.split(",")
            if v.strip() and v.strip().lstrip("-") in allowed]
    data = data.copy()
    if keep:
        data.setlist("ordering", [",".join(keep[:3])])
    else:
        del data["ordering"]
    return data


# --- saved lists and their presets ---------------------------------------------------------------
@dataclass(frozen=True)
class Preset:
    """A built-in filter of a list: a translated name and the query it stands for, computed for the
    user and today (`params(user, today) -> {name: value or [values]}`)."""

    code: str
    name: str
    params: Callable


@dataclass(frozen=True)
class SavedList:
    key: str
    title: str
    url_name: str
    presets: tuple[Preset, ...] = field(default_factory=tuple)


_LISTS: dict[str, SavedList] = {}


def register_list(saved_list: SavedList) -> None:
    _LISTS[saved_list.key] = saved_list


def saved_list(key: str) -> SavedList | None:
    return _LISTS.get(key)


def saved_list_keys() -> list[str]:
    return sorted(_LISTS)
