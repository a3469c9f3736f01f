"""The filter every dashboard shares: a period (presets or custom dates), a team and a rep, picked
by name from the viewer's scope (teams.selectors.dashboard_teams_for / dashboard_people_for)."""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from salesops.metrics import Period
from teams.forms import ScopePickerForm

LAST_3_MONTHS = "last_3_months"
PRESETS = [
    (LAST_3_MONTHS, _("Last 3 months")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_quarter", _("This quarter")),
    ("this_year", _("This year")),
    ("last_12_months", _("Last 12 months")),
    ("all", _("All time")),
    ("custom", _("Custom dates")),
]


def _months_back(day: date, months: int) -> date:
    """The first day of the month `months` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def preset_period(preset: str, today: date) -> Period:
    """The whole days a preset covers, ending today (last month: the whole previous month)."""
    if preset == "all":
        return Period.all_time()
    if preset == "this_month":
        return Period(today.replace(day=1), today)
    if preset == "last_month":
        first = _months_back(today, 1)
        return Period(first, today.replace(day=1) - timedelta(days=1))
    if preset == "this_quarter":
        return Period(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    if preset == "this_year":
        return Period(date(today.year, 1, 1), today)
    if preset == "last_12_months":
        return Period(today - timedelta(days=365) + timedelta(days=1), today)
    # the last 3 months (SPEC: the funnel's default): the same day three months ago, to today
    start = _months_back(today, 3)
    return Period(start.replace(day=min(today.day, 28)), today)


class DashboardFilterForm(ScopePickerForm):
    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    KEYS = ("period", "start", "end", "team", "owner")
    field_order = KEYS

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == "custom":
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Custom dates need both a start and an end."))
            if start > end:
                raise forms.ValidationError(_("The start date must not be after the end date."))
        return cleaned

    def get_period(self) -> Period:
        values = self._valid()
        if values.get("period") == "custom":
            return Period(values["start"], values["end"])
        return preset_period(values.get("period") or LAST_3_MONTHS, self.today)

    def query_string(self) -> str:
        """The valid filter as a query string (for CSV links and drill-downs), empty for the defaults."""
        values = self._valid()
        pairs = [(k, self.data.get(k)) for k in self.KEYS
                 if values.get(k) not in (None, "")]
        return urlencode(pairs)
