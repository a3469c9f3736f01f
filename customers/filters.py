"""FilterSets for the customers API (and pages, when they come)."""
import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region
from salesops.filters import IdFilter
from salesops.metric_tools import between_q

from .models import Account, Contact, Activity
from .selectors import late_q


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
    lead = IdFilter(field_name="lead_id", label=_("Lead id"))
    contact = IdFilter(field_name="contact_id", label=_("Contact id"))
    owner = IdFilter(field_name="owner_id", label=_("Owner id"))
    team = IdFilter(field_name="owner__team_id", label=_("Owner's team id"))
    kind = django_filters.MultipleChoiceFilter(choices=Activity.Kind.choices, label=_("Kind"))
    late = django_filters.BooleanFilter(method="filter_late", label=_("Logged more than 24 h after it happened"))
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte",
                                                      label=_("Occurred at or after"))
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte",
                                                       label=_("Occurred at or before"))
    logged_after = django_filters.DateFilter(method="filter_logged_after", label=_("Logged on or after"))
    logged_before = django_filters.DateFilter(method="filter_logged_before", label=_("Logged on or before"))

    class Meta:
        model = Activity
        fields = []

    def filter_late(self, queryset, name, value):
        """Late: a call, meeting, email or note logged more than 24 h after it happened (tasks never are)."""
        if value:
            return queryset.exclude(kind=Activity.Kind.TASK).filter(late_q())
        return queryset.filter(Q(kind=Activity.Kind.TASK) | ~late_q())

    def filter_logged_after(self, queryset, name, value):
        return queryset.filter(between_q("logged_at", value, None))

    def filter_logged_before(self, queryset, name, value):
        return queryset.filter(between_q("logged_at", None, value))


class TaskFilterSet(django_filters.FilterSet):
    """Tasks (activities of kind task): open, done or overdue; due range; what they are about."""

    status = django_filters.ChoiceFilter(method="filter_status", label=_("Status"), choices=[
        ("open", _("Open")), ("done", _("Done")), ("overdue", _("Overdue"))])
    account = IdFilter(field_name="account_id", label=_("Account id"))
    lead = IdFilter(field_name="lead_id", label=_("Lead id"))
    owner = IdFilter(field_name="owner_id", label=_("Owner id"))
    due_after = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="gte", label=_("Due at or after"))
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lte", label=_("Due at or before"))

    class Meta:
        model = Activity
        fields = []

    def filter_status(self, queryset, name, value):
        if value == "done":
            return queryset.filter(done_at__isnull=False)
        if value == "overdue":
            return queryset.filter(done_at__isnull=True, due_at__lt=timezone.now())
        return queryset.filter(done_at__isnull=True)
