"""One FilterSet for the HTML list, the board and the API."""
from decimal import Decimal

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.filters import IdFilter

from .models import Opportunity, Stage

MAX_AMOUNT = Decimal("999999999999.99")  # fits the amount column (14 digits, 2 decimals)


class OpportunityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=200)
    stage = django_filters.ModelMultipleChoiceFilter(queryset=Stage.objects.filter(is_active=True),
                                                     label=_("Stage"))
    owner = IdFilter(field_name="owner_id", label=_("Owner id"))
    team = IdFilter(field_name="team_id", label=_("Team id"))
    close_after = django_filters.DateFilter(field_name="expected_close_date", lookup_expr="gte",
                                            label=_("Expected close on or after"))
    close_before = django_filters.DateFilter(field_name="expected_close_date", lookup_expr="lte",
                                             label=_("Expected close on or before"))
    min_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("Amount at least"),
                                             min_value=Decimal("0"), max_value=MAX_AMOUNT)
    max_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label=_("Amount at most"),
                                             min_value=Decimal("0"), max_value=MAX_AMOUNT)
    is_open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", label=_("Open"))
    stalled = django_filters.BooleanFilter(method="filter_stalled", label=_("Stalled"))
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("amount", "amount"), ("expected_close_date", "expected_close_date"),
                ("name", "name")),
        label=_("Sort by"),
    )

    class Meta:
        model = Opportunity
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(account__name__icontains=value))

    def filter_stalled(self, queryset, name, value):
        return queryset.filter(stalled_at__isnull=not value)
