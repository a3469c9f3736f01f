import django_filters
from django.utils.translation import gettext_lazy as _

from salesops.filters import IdFilter

from .models import Payout, Quota, Team, User


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


# --- compensation (h9) ---------------------------------------------------------------------------

class PayoutFilterSet(django_filters.FilterSet):
    """One list filter for the payouts review page and /api/v1/payouts/."""

    user = IdFilter(field_name="user_id", label=_("User id"))
    team = django_filters.ModelChoiceFilter(field_name="user__team", queryset=Team.objects.all(), label=_("Team"))
    status = django_filters.ChoiceFilter(choices=Payout.Status.choices, label=_("Status"))
    period_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte", label=_("Period from"))
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label=_("Period to"))

    class Meta:
        model = Payout
        fields = []
