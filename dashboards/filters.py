"""FilterSets shared by the goals page and API."""
import django_filters
from django.utils.translation import gettext_lazy as _

from salesops.filters import IdFilter
from teams.models import Team, User

from .models import Goal, KpiSnapshot, ScopeLevel


class GoalFilterSet(django_filters.FilterSet):
    metric = django_filters.CharFilter(label=_("Metric"))
    scope = django_filters.ChoiceFilter(choices=ScopeLevel.choices, label=_("Scope"))
    status = django_filters.ChoiceFilter(choices=Goal.Status.choices, label=_("Status"))
    pace = django_filters.ChoiceFilter(choices=Goal.Pace.choices, label=_("Pace"))
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Team"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), label=_("Rep"))

    class Meta:
        model = Goal
        fields = []


class KpiSnapshotFilterSet(django_filters.FilterSet):
    metric = django_filters.CharFilter()
    scope = django_filters.ChoiceFilter(choices=ScopeLevel.choices)
    scope_id = IdFilter()
    period_kind = django_filters.ChoiceFilter(choices=KpiSnapshot.Kind.choices)
    start = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")

    class Meta:
        model = KpiSnapshot
        fields = []
