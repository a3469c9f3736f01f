"""One FilterSet for the HTML lead list and the API."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.filters import BoundedIntegerFilter, IdFilter

from .models import Industry, Lead, Region, Source


class LeadFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Lead.Status.choices, label=_("Status"))
    source = django_filters.MultipleChoiceFilter(choices=Source.choices, label=_("Source"))
    industry = django_filters.MultipleChoiceFilter(choices=Industry.choices, label=_("Industry"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))
    owner = IdFilter(field_name="owner_id", label=_("Owner id"))
    min_company_size = BoundedIntegerFilter(field_name="company_size", lookup_expr="gte",
                                                   label=_("Company size at least"))
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                              label=_("Created on or after"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                               label=_("Created on or before"))
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("name", "name"), ("company", "company"),
                ("company_size", "company_size"), ("completeness", "completeness")),
        label=_("Sort by"),
    )

    class Meta:
        model = Lead
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value) | Q(company__icontains=value))
