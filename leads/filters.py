"""One FilterSet for the HTML lead list and the API."""
import django_filters
from salesops.sync import UpdatedRangeFilterSet
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from salesops.filters import BoundedIntegerFilter, IdFilter
from salesops.list_filters import ANY, CHIPS, AnyBooleanSelect, PickerWidget, SortFilter
from teams.selectors.saved_filters import person_labels, team_labels

from .models import EventType, Industry, Lead, LeadEvent, Region, Source


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Lead.Status.choices, label=_("Status"), widget=CHIPS)
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, label=_("Source"), widget=CHIPS)
    industry = django_filters.MultipleChoiceFilter(choices=Industry.choices, label=_("Industry"), widget=CHIPS)
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"), empty_label=ANY)
    owner = IdFilter(field_name="owner_id", label=_("Owner"),
                     widget=PickerWidget(lookup="teams:people-lookup", labels=person_labels))
    grade = django_filters.CharFilter(field_name="grade", label=_("Grade"))
    min_score = BoundedIntegerFilter(field_name="score", lookup_expr="gte", min_value=-(2**31), label=_("Score at least"))
    min_company_size = BoundedIntegerFilter(field_name="company_size", lookup_expr="gte",
                                                   label=_("Company size at least"))
    created_after = django_filters.DateFilter(method="filter_dated", label=_("Created on or after"))
    created_before = django_filters.DateFilter(method="filter_dated", label=_("Created on or before"))
    # what an import kept verbatim (issue 13)
    origin = django_filters.CharFilter(field_name="origin", label=_("Origin (as imported)"), max_length=100)
    source_detail = django_filters.CharFilter(field_name="source_detail", label=_("Source detail (as imported)"),
                                              max_length=100)
    business_segment = django_filters.CharFilter(field_name="business_segment", label=_("Business segment"),
                                                 max_length=100)
    lead_type = django_filters.CharFilter(field_name="lead_type", label=_("Lead type"), max_length=100)
    min_time_on_site = BoundedIntegerFilter(field_name="time_on_site", lookup_expr="gte",
                                            label=_("Time on site at least (seconds)"))
    max_time_on_site = BoundedIntegerFilter(field_name="time_on_site", lookup_expr="lte",
                                            label=_("Time on site at most (seconds)"))
    date_unknown = django_filters.BooleanFilter(field_name="date_unknown", label=_("Date unknown"),
                                                widget=AnyBooleanSelect)
    won = django_filters.BooleanFilter(field_name="won_at", lookup_expr="isnull", exclude=True, label=_("Won"),
                                       widget=AnyBooleanSelect)
    won_after = django_filters.DateFilter(field_name="won_at", lookup_expr="date__gte", label=_("Won on or after"))
    won_before = django_filters.DateFilter(field_name="won_at", lookup_expr="date__lte", label=_("Won on or before"))
    # drill-down filters of the metrics (leads.selectors.kpis)
    team = IdFilter(field_name="owner__team_id", label=_("Owner's team"),
                    widget=PickerWidget(lookup="teams:teams-lookup", labels=team_labels))
    mql_after = django_filters.DateFilter(field_name="mql_at", lookup_expr="date__gte", label=_("MQL on or after"))
    mql_before = django_filters.DateFilter(field_name="mql_at", lookup_expr="date__lte", label=_("MQL on or before"))
    ordering = SortFilter(fields={
        "created_at": _("Created"), "name": _("Name"), "company": _("Company"), "industry": _("Industry"),
        "company_size": _("Company size"), "source": _("Source"), "status": _("Status"), "score": _("Score"),
        "grade": _("Grade"), "completeness": _("Completeness"),
        # sync clients (issue 15): by last change, or by id; the id breaks ties either way
        "updated_at": _("Last changed"), "id": _("ID")})

    class Meta:
        model = Lead
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value) | Q(company__icontains=value))

    def filter_dated(self, queryset, name, value):
        """A created-date bound: leads imported without a date are in no dated range."""
        lookup = "created_at__date__gte" if name == "created_after" else "created_at__date__lte"
        return queryset.filter(**{lookup: value}, date_unknown=False)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class EventTypeCodeFilter(django_filters.ModelMultipleChoiceFilter):
    """Event type codes, e.g. `?type=site_visit&type=email_click` (unknown codes are a 400)."""


class LeadEventFilterSet(django_filters.FilterSet):
    """Behaviour events (API): by lead, type code and when they happened."""

    lead = IdFilter(field_name="lead_id", label=_("Lead id"))
    type = EventTypeCodeFilter(field_name="event_type__code", to_field_name="code",
                               queryset=EventType.objects.all(), label=_("Type"))
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte",
                                                      label=_("Occurred at or after"))
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte",
                                                       label=_("Occurred at or before"))

    class Meta:
        model = LeadEvent
        fields = []


class LeadApiFilterSet(LeadFilterSet, UpdatedRangeFilterSet):
    """The API's filters: the list's, plus those of sync clients (changed since, the other system's id)."""

    external_ref = django_filters.CharFilter(field_name="external_ref", label=_("External reference (exact)"))

    class Meta(LeadFilterSet.Meta):
        pass
