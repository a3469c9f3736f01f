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


# --- contracts, usage and tickets (h3) ---------------------------------------------------------
from datetime import timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

from salesops.filters import BoundedIntegerFilter  # noqa: E402

from .models import Contract, Ticket, UsageEvent  # noqa: E402


class ContractFilterSet(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", label=_("Account id"))
    status = django_filters.MultipleChoiceFilter(choices=Contract.Status.choices, label=_("Status"))
    product = django_filters.CharFilter(field_name="product", lookup_expr="icontains", label=_("Product"),
                                        max_length=200)
    ending_within = BoundedIntegerFilter(method="filter_ending_within", label=_("Ending within (days)"),
                                         max_value=3660)
    success_owner = IdFilter(field_name="account__success_owner_id", label=_("Success owner id"))
    outcome = django_filters.ChoiceFilter(choices=Contract.Outcome.choices, label=_("Renewal outcome"))
    owner = IdFilter(method="filter_owner", label=_("Owner id (sales or success)"))
    team = IdFilter(method="filter_team", label=_("Team id"))
    in_force = django_filters.BooleanFilter(method="filter_in_force", label=_("In force (active and started)"))

    class Meta:
        model = Contract
        fields = []

    def filter_owner(self, queryset, name, value):
        return queryset.filter(Q(account__owner_id=value) | Q(account__success_owner_id=value))

    def filter_in_force(self, queryset, name, value):
        q = Q(status=Contract.Status.ACTIVE, start__lte=timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_team(self, queryset, name, value):
        return queryset.filter(Q(account__owner__team_id=value) | Q(account__success_owner__team_id=value))

    def filter_ending_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(end__isnull=False, end__gte=today, end__lte=today + timedelta(days=value))


class UsageEventFilterSet(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", label=_("Account id"))
    feature = django_filters.CharFilter(field_name="feature", label=_("Feature"), max_length=100)
    since = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte", label=_("Occurred at or after"))
    until = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte",
                                             label=_("Occurred at or before"))

    class Meta:
        model = UsageEvent
        fields = []


class TicketFilterSet(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", label=_("Account id"))
    priority = django_filters.MultipleChoiceFilter(choices=Ticket.Priority.choices, label=_("Priority"))
    is_open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", label=_("Open"))
    since = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte", label=_("Opened at or after"))
    until = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lte", label=_("Opened at or before"))

    class Meta:
        model = Ticket
        fields = []
