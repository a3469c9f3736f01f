"""One FilterSet for the HTML lead list and the API."""
import django_filters
from salesops.sync import UpdatedRangeFilterSet
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from salesops.filters import BoundedIntegerFilter, IdFilter

from .models import EventType, Industry, Lead, LeadEvent, Region, Source


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Lead.Status.choices, label=_("Status"))
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, label=_("Source"))
    industry = django_filters.MultipleChoiceFilter(choices=Industry.choices, label=_("Industry"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))
    owner = IdFilter(field_name="owner_id", label=_("Owner id"))
    grade = django_filters.CharFilter(field_name="grade", label=_("Grade"))
    min_score = BoundedIntegerFilter(field_name="score", lookup_expr="gte", min_value=-(2**31), label=_("Score at least"))
    min_company_size = BoundedIntegerFilter(field_name="company_size", lookup_expr="gte",
                                                   label=_("Company size at least"))
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                              label=_("Created on or after"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                               label=_("Created on or before"))
    # drill-down filters of the metrics (leads.selectors.kpis)
    team = IdFilter(field_name="owner__team_id", label=_("Owner's team id"))
    mql_after = django_filters.DateFilter(field_name="mql_at", lookup_expr="date__gte", label=_("MQL on or after"))
    mql_before = django_filters.DateFilter(field_name="mql_at", lookup_expr="date__lte", label=_("MQL on or before"))
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("updated_at", "updated_at"), ("id", "id"), ("score", "score"),
                ("name", "name"), ("company", "company"),
                ("company_size", "company_size"), ("completeness", "completeness")),
        label=_("Sort by"),
    )

    class Meta:
        model = Lead
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value) | Q(company__icontains=value))


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
