"""FilterSets for the customers API (and pages, when they come)."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region
from salesops.filters import IdFilter

from .models import Account, Contact, Activity
from .models import Survey, SurveyResponse


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


class SurveyResponseFilterSet(django_filters.FilterSet):
    """Survey answers (the responses page, the metric drill-downs and /api/v1/survey-responses/)."""

    survey = IdFilter(field_name="survey_id", label=_("Survey id"))
    account = IdFilter(field_name="account_id", label=_("Account id"))
    owner = IdFilter(field_name="account__owner_id", label=_("Account owner id"))
    team = IdFilter(field_name="account__owner__team_id", label=_("Account owner's team id"))
    kind = django_filters.ChoiceFilter(choices=Survey.Kind.choices, label=_("Kind"))
    category = django_filters.ChoiceFilter(method="by_category", label=_("Answer"), choices=[
        ("promoter", _("Promoters (NPS 9–10)")), ("passive", _("Passives (NPS 7–8)")),
        ("detractor", _("Detractors (NPS 0–6)")), ("satisfied", _("Satisfied (CSAT 4–5)")),
        ("low", _("Low CSAT (1–2)"))])
    responded_after = django_filters.DateFilter(field_name="responded_at", lookup_expr="date__gte",
                                                label=_("Answered on or after"))
    responded_before = django_filters.DateFilter(field_name="responded_at", lookup_expr="date__lte",
                                                 label=_("Answered on or before"))
    sent_after = django_filters.DateFilter(field_name="invitation__sent_at", lookup_expr="date__gte",
                                           label=_("Invitation sent on or after"))
    sent_before = django_filters.DateFilter(field_name="invitation__sent_at", lookup_expr="date__lte",
                                            label=_("Invitation sent on or before"))

    class Meta:
        model = SurveyResponse
        fields = []

    CATEGORIES = {
        "promoter": Q(kind="nps", score__gte=9), "passive": Q(kind="nps", score__gte=7, score__lte=8),
        "detractor": Q(kind="nps", score__lte=6), "satisfied": Q(kind="csat", score__gte=4),
        "low": Q(kind="csat", score__lte=2),
    }

    def by_category(self, queryset, name, value):
        return queryset.filter(self.CATEGORIES[value])
