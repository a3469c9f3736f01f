import django_filters
from django.utils.translation import gettext_lazy as _

from salesops.filters import IdFilter

from .models import Quota, Team, User


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    role = django_filters.ChoiceFilter(choices=User.Role.choices, label=_("Role"))
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Team"))

    class Meta:
        model = User
        fields = []

    def search(self, queryset, name, value):
        from django.db.models import Q
        return queryset.filter(Q(username__icontains=value) | Q(first_name__icontains=value)
                               | Q(last_name__icontains=value) | Q(email__icontains=value))


class QuotaFilterSet(django_filters.FilterSet):
    user = IdFilter(field_name="user_id", label=_("User id"))
    team = django_filters.ModelChoiceFilter(field_name="user__team", queryset=Team.objects.all(), label=_("Team"))
    period_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte", label=_("Period from"))
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label=_("Period to"))

    class Meta:
        model = Quota
        fields = []


# --- onboarding (h10): one FilterSet for the plans page and /api/v1/onboarding/plans/ ------------------
from .models import OnboardingPlan  # noqa: E402


class OnboardingPlanFilterSet(django_filters.FilterSet):
    hire = IdFilter(field_name="hire_id", label=_("New hire id"))
    owner = IdFilter(field_name="hire_id", label=_("New hire id (the metrics' drill-down)"))
    team = IdFilter(field_name="hire__team_id", label=_("Team id"))
    mentor = IdFilter(field_name="mentor_id", label=_("Mentor id"))
    closed = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", exclude=True,
                                          label=_("Closed"))
    first_deal_after = django_filters.DateFilter(field_name="first_deal_on", lookup_expr="gte",
                                                 label=_("First deal on or after"))
    first_deal_before = django_filters.DateFilter(field_name="first_deal_on", lookup_expr="lte",
                                                  label=_("First deal on or before"))

    class Meta:
        model = OnboardingPlan
        fields = []
