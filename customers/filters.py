"""FilterSets for the customers API (and pages, when they come)."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region
from salesops.filters import IdFilter

from .models import Account, Contact, Activity


class AccountFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"), max_length=200)
    owner = IdFilter(field_name="owner_id", label=_("Owner id"))
    industry = django_filters.MultipleChoiceFilter(choices=Industry.choices, label=_("Industry"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))

    class Meta:
        model = Account
        fields = []


class ContactFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=200)
    account = IdFilter(field_name="account_id", label=_("Account id"))

    class Meta:
        model = Contact
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))


class ActivityFilterSet(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", label=_("Account id"))
    owner = IdFilter(field_name="owner_id", label=_("Owner id"))
    kind = django_filters.MultipleChoiceFilter(choices=Activity.Kind.choices, label=_("Kind"))
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte",
                                                      label=_("Occurred at or after"))
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte",
                                                       label=_("Occurred at or before"))

    class Meta:
        model = Activity
        fields = []
