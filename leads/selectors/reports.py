"""Lead-quality report (marketing/sales alignment): per source and month of creation, how many
leads became MQLs, and how many MQLs became opportunities and were won.

One GROUP BY query over the leads the viewer may see (leads.selectors.lead_queryset_for). Months
are calendar months in settings.TIME_ZONE. Definitions:
- leads: leads created in the month; MQLs: those with `mql_at` set (they reached the top grade);
- opportunities: MQLs with `converted_at` set; won: MQLs with `won_at` set; an MQL whose imported
  source recorded it converted (`imported_converted`, imported history) counts as both;
- MQL rate = MQLs / leads; MQL->opportunity = opportunities / MQLs; MQL->won = won / MQLs
  (None when the denominator is 0).
"""
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Source
from . import lead_queryset_for

MIN_YEAR, MAX_YEAR = 2000, 2100
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class LeadQualityRow:
    month: date
    source: str
    source_label: str
    leads: int
    mqls: int
    opportunities: int
    won: int

    @property
    def mql_rate(self) -> float | None:
        return _rate(self.mqls, self.leads)

    @property
    def mql_to_opportunity_rate(self) -> float | None:
        return _rate(self.opportunities, self.mqls)

    @property
    def mql_to_won_rate(self) -> float | None:
        return _rate(self.won, self.mqls)

    @property
    def pct(self) -> dict[str, str]:
        """The rates as display percentages ("—" without a denominator), for templates."""
        return {name: "—" if rate is None else f"{rate * 100:.1f}%" for name, rate in (
            ("mql", self.mql_rate), ("mql_to_opportunity", self.mql_to_opportunity_rate),
            ("mql_to_won", self.mql_to_won_rate))}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _source_label(code: str) -> str:
    try:
        return str(Source(code).label)
    except ValueError:
        return code or "—"


def _month_start(month: date, tz) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=tz)


def shift_months(month: date, months: int) -> date:
    """The first day of the month `months` calendar months after (before, if negative) `month`."""
    return month.replace(day=1) + relativedelta(months=months)


def default_month_range(*, today: date | None = None) -> tuple[date, date]:
    """The last DEFAULT_MONTHS calendar months, the current one included."""
    end = (today or timezone.localdate()).replace(day=1)
    return shift_months(end, -(DEFAULT_MONTHS - 1)), end


class MonthField(forms.DateField):
    """A calendar month written YYYY-MM (what <input type="month"> sends), as its first day."""

    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def validate(self, value):
        super().validate(value)
        if value and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise forms.ValidationError(_("Choose a month between %(min)s and %(max)s.")
                                        % {"min": MIN_YEAR, "max": MAX_YEAR})


class LeadQualityFilterForm(forms.Form):
    """The report's filters, shared by the HTML page, its CSV export and the API."""

    start = MonthField(label=_("From month"), required=False, error_messages={"invalid": _("Enter a month as YYYY-MM.")})
    end = MonthField(label=_("To month"), required=False, error_messages={"invalid": _("Enter a month as YYYY-MM.")})
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All sources")), *Source.choices])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start month must not be after the end month."))
        if not self.errors:  # defaults: the last 12 months, or 12 months up to `end`, or `start` to now
            if start is None and end is None:
                data["start"], data["end"] = default_month_range()
            elif start is None:
                data["start"] = shift_months(end, -(DEFAULT_MONTHS - 1))
            elif end is None:
                data["end"] = max(start, default_month_range()[1])
        return data


MQL = Q(mql_at__isnull=False)
IMPORTED = Q(imported_converted=True)  # the outcome an imported file recorded (imported history)
CONVERTED = Q(converted_at__isnull=False) | IMPORTED
WON = Q(won_at__isnull=False) | IMPORTED


def quality_aggregates() -> dict:
    """leads / mqls / opportunities (MQLs converted) / won (MQLs won): the lead-quality counts, shared by
    the report and the lead metrics (leads.selectors.kpis)."""
    return {"leads": Count("id"), "mqls": Count("id", filter=MQL),
            "opportunities": Count("id", filter=MQL & CONVERTED), "won": Count("id", filter=MQL & WON)}


def quality_counts(leads, *group_by: str):
    """The lead-quality counts per `group_by` values: one GROUP BY."""
    return leads.order_by().values(*group_by).annotate(**quality_aggregates())


def lead_quality_report(*, user, start: date, end: date, source: str = "") -> list[LeadQualityRow]:
    """Rows per (month, source), months start..end inclusive, ordered by month then source."""
    tz = ZoneInfo(settings.TIME_ZONE)
    leads = lead_queryset_for(user=user).filter(  # leads imported without a date are in no month
        created_at__gte=_month_start(start, tz), created_at__lt=_month_start(shift_months(end, 1), tz),
        date_unknown=False)
    if source:
        leads = leads.filter(source=source)
    grouped = (quality_counts(leads.order_by().annotate(month=TruncMonth("created_at", tzinfo=tz)), "month", "source")
               .order_by("month", "source"))
    return [
        LeadQualityRow(month=_as_date(row["month"], tz), source=row["source"], source_label=_source_label(row["source"]),
                       leads=row["leads"], mqls=row["mqls"], opportunities=row["opportunities"], won=row["won"])
        for row in grouped
    ]


def _as_date(value, tz) -> date:
    if isinstance(value, datetime):
        return (timezone.localtime(value, tz) if timezone.is_aware(value) else value).date()
    return value


def lead_quality_by_source(rows: list[LeadQualityRow]) -> list[LeadQualityRow]:
    """The same figures summed over the months, one row per source (for the chart and totals)."""
    sums: dict[str, list[int]] = {}
    for row in rows:
        total = sums.setdefault(row.source, [0, 0, 0, 0])
        for i, value in enumerate((row.leads, row.mqls, row.opportunities, row.won)):
            total[i] += value
    first = rows[0].month if rows else None
    return [LeadQualityRow(month=first, source=code, source_label=_source_label(code), leads=v[0], mqls=v[1],
                           opportunities=v[2], won=v[3]) for code, v in sorted(sums.items())]


def lead_quality_total(rows: list[LeadQualityRow]) -> LeadQualityRow:
    return LeadQualityRow(month=rows[0].month if rows else None, source="", source_label=str(_("All sources")),
                          leads=sum(r.leads for r in rows), mqls=sum(r.mqls for r in rows),
                          opportunities=sum(r.opportunities for r in rows), won=sum(r.won for r in rows))
