"""One FilterSet for the HTML list, the board and the API."""
from decimal import Decimal

import django_filters
from salesops.sync import UpdatedRangeFilterSet
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.filters import IdFilter
from salesops.list_filters import ANY, CHIPS, AnyBooleanSelect, PickerWidget, SortFilter
from teams.selectors.saved_filters import person_labels, team_labels
from salesops.metric_tools import between_q

from .models import Opportunity, Stage, StageTransition

MAX_AMOUNT = Decimal("999999999999.99")  # fits the amount column (14 digits, 2 decimals)


class OpportunityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=200)
    stage = django_filters.ModelMultipleChoiceFilter(queryset=Stage.objects.filter(is_active=True),
                                                     label=_("Stage"), widget=CHIPS)
    owner = IdFilter(field_name="owner_id", label=_("Owner"),
                     widget=PickerWidget(lookup="teams:people-lookup", labels=person_labels))
    team = IdFilter(field_name="team_id", label=_("Team"),
                    widget=PickerWidget(lookup="teams:teams-lookup", labels=team_labels))
    close_after = django_filters.DateFilter(field_name="expected_close_date", lookup_expr="gte",
                                            label=_("Expected close on or after"))
    close_before = django_filters.DateFilter(field_name="expected_close_date", lookup_expr="lte",
                                             label=_("Expected close on or before"))
    min_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("Amount at least"),
                                             min_value=Decimal("0"), max_value=MAX_AMOUNT)
    max_amount = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label=_("Amount at most"),
                                             min_value=Decimal("0"), max_value=MAX_AMOUNT)
    is_open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", label=_("Open"),
                                         widget=AnyBooleanSelect)
    stalled = django_filters.BooleanFilter(method="filter_stalled", label=_("Stalled"), widget=AnyBooleanSelect)
    # drill-down filters of the metrics (pipeline.selectors.kpis): the same whole-day periods
    entered_after = django_filters.DateFilter(method="filter_dated", label=_("In stage since on or after"))
    entered_before = django_filters.DateFilter(method="filter_dated", label=_("In stage since on or before"))
    closed_after = django_filters.DateFilter(field_name="closed_at", lookup_expr="date__gte",
                                             label=_("Closed on or after"))
    closed_before = django_filters.DateFilter(field_name="closed_at", lookup_expr="date__lte",
                                              label=_("Closed on or before"))
    outcome = django_filters.ChoiceFilter(choices=(("won", _("Won")), ("lost", _("Lost"))), method="filter_outcome",
                                          label=_("Outcome"), empty_label=ANY)
    moved_after = django_filters.DateFilter(method="filter_pair", label=_("Left a stage on or after"))
    moved_before = django_filters.DateFilter(method="filter_pair", label=_("Left a stage on or before"))
    left_stage = IdFilter(method="filter_left_stage", label=_("Left the stage with this id"))
    forecast_after = django_filters.DateFilter(method="filter_pair", label=_("In the forecast from"))
    forecast_before = django_filters.DateFilter(method="filter_pair", label=_("In the forecast until"))
    # h10: drill-down of the metric deals_created (onboarding's "first opportunity")
    created_after = django_filters.DateFilter(method="filter_dated", label=_("Created on or after"))
    created_before = django_filters.DateFilter(method="filter_dated", label=_("Created on or before"))
    # what an import kept verbatim (issue 13)
    sector = django_filters.CharFilter(field_name="account__sector__name", label=_("Sector (as imported)"),
                                       max_length=100)
    office = django_filters.CharFilter(field_name="team__regional_office", label=_("Regional office"),
                                       max_length=100)
    amount_known = django_filters.BooleanFilter(field_name="amount_known", label=_("Amount known"),
                                                widget=AnyBooleanSelect)
    date_unknown = django_filters.BooleanFilter(field_name="date_unknown", label=_("Date unknown"),
                                                widget=AnyBooleanSelect)
    ordering = SortFilter(
        fields={"created_at": _("Created"), "name": _("Opportunity"), "account": _("Account"),
                "stage": _("Stage"), "amount": _("Amount"), "expected_close_date": _("Expected close"),
                "owner": _("Owner"),
                # sync clients (issue 15): by last change, or by id; the id breaks ties either way
                "updated_at": _("Last changed"), "id": _("ID")},
        paths={"account": "account__name", "stage": "stage__order", "owner": "owner__first_name"})

    class Meta:
        model = Opportunity
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(account__name__icontains=value))

    def filter_dated(self, queryset, name, value):
        """A created / in-stage-since bound: deals imported without a date are in no dated range."""
        field = "created_at" if name.startswith("created") else "stage_entered_at"
        lookup = f"{field}__date__gte" if name.endswith("_after") else f"{field}__date__lte"
        return queryset.filter(**{lookup: value}, date_unknown=False)

    def filter_stalled(self, queryset, name, value):
        return queryset.filter(stalled_at__isnull=not value)

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(stage__is_won=True) if value == "won" else queryset.filter(stage__is_lost=True)

    def filter_left_stage(self, queryset, name, value: int):
        return queryset  # applied with the moved_after / moved_before period in filter_queryset

    def filter_pair(self, queryset, name, value):
        return queryset  # applied together with its other end in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        moved, left = (data.get("moved_after"), data.get("moved_before")), data.get("left_stage")
        if any(moved) or left:  # a stay ended in the period: a ledger move out of a stage (that stage)
            moves = StageTransition.objects.filter(between_q("at", *moved), from_stage__isnull=False)
            if left:
                moves = moves.filter(from_stage_id=left)
            queryset = queryset.filter(pk__in=moves.values("opportunity_id"))
        forecast = (data.get("forecast_after"), data.get("forecast_before"))
        if any(forecast):  # won in the period, or open and expected to close in it
            open_q = Q(closed_at__isnull=True, expected_close_date__isnull=False)
            if forecast[0]:
                open_q &= Q(expected_close_date__gte=forecast[0])
            if forecast[1]:
                open_q &= Q(expected_close_date__lte=forecast[1])
            queryset = queryset.filter(open_q | (Q(stage__is_won=True) & between_q("closed_at", *forecast)))
        return queryset


class OpportunityApiFilterSet(OpportunityFilterSet, UpdatedRangeFilterSet):
    """The API's filters: the list's, plus those of sync clients (changed since, the other system's id)."""

    external_ref = django_filters.CharFilter(field_name="external_ref", label=_("External reference (exact)"))

    class Meta(OpportunityFilterSet.Meta):
        pass
