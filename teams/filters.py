import django_filters
from django.utils.translation import gettext_lazy as _

from salesops.filters import IdFilter

from .models import Award, CertificationGrant, ExamAttempt, Payout, Quota, Team, User


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


# --- training, certification and awards (h11) -------------------------------------------------

class ExamAttemptFilterSet(django_filters.FilterSet):
    exam = IdFilter(field_name="exam_id", label=_("Exam id"))
    course = IdFilter(field_name="exam__course_id", label=_("Course id"))
    user = IdFilter(field_name="user_id", label=_("User id"))
    team = IdFilter(field_name="user__team_id", label=_("Team id"))
    passed = django_filters.BooleanFilter(label=_("Passed"))
    taken_from = django_filters.DateFilter(field_name="taken_at__date", lookup_expr="gte", label=_("Taken from"))
    taken_to = django_filters.DateFilter(field_name="taken_at__date", lookup_expr="lte", label=_("Taken until"))

    class Meta:
        model = ExamAttempt
        fields = []


class CertificationGrantFilterSet(django_filters.FilterSet):
    certification = IdFilter(field_name="certification_id", label=_("Certification id"))
    user = IdFilter(field_name="user_id", label=_("User id"))
    team = IdFilter(field_name="user__team_id", label=_("Team id"))
    valid_on = django_filters.DateFilter(method="filter_valid_on", label=_("Valid on"))
    required = django_filters.BooleanFilter(method="filter_required", label=_("Required for the holder's role"))

    class Meta:
        model = CertificationGrant
        fields = []

    def filter_valid_on(self, queryset, name, value):
        from .selectors.training import valid_on_q

        return queryset.filter(valid_on_q(value))

    def filter_required(self, queryset, name, value):
        from .selectors.training import required_q

        return queryset.filter(required_q()) if value else queryset.exclude(required_q())


class AwardFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Award.Kind.choices, label=_("Kind"))
    user = IdFilter(field_name="user_id", label=_("User id"))
    team = IdFilter(field_name="team_id", label=_("Team id"))

    class Meta:
        model = Award
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
