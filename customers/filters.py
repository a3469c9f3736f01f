"""FilterSets shared by the customers pages and API (one FilterSet per list)."""
import django_filters
from salesops.sync import UpdatedRangeFilterSet
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override

from salesops.filters import MAX_ID, IdFilter
from salesops.list_filters import ANY, CHIPS, AnyBooleanSelect, PickerWidget, SortFilter
from teams.selectors.saved_filters import person_labels, team_labels
from salesops.metric_tools import between_q
from salesops.reference import Industry, Region

from .models import Account, Activity, Contact, Survey, SurveyResponse
from .selectors import account_owner_choices_for, late_q


def _owner_choices(request):
    return account_owner_choices_for(user=getattr(request, "user", None))


def _people_picker():
    return PickerWidget(lookup="teams:people-lookup", labels=person_labels)


def _team_picker():
    return PickerWidget(lookup="teams:teams-lookup", labels=team_labels)


class UserPickerFilter(django_filters.ModelChoiceFilter):
    """A person: picked by name with type-ahead on the page, a user id in the API (an unknown id is a 400)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _people_picker())
        super().__init__(*args, **kwargs)
        set_override(self, "field", {"type": "integer", "minimum": 1, "maximum": MAX_ID})


class AccountFilterSet(django_filters.FilterSet):
    """The account list (page and API): search on name and web domain, industry, region, the sales
    owner and the success owner (pickers on the page, ids in the API), and "mine"."""

    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=200)
    industry = django_filters.MultipleChoiceFilter(choices=Industry.choices, label=_("Industry"), widget=CHIPS)
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"), empty_label=ANY)
    sector = django_filters.CharFilter(field_name="sector__name", label=_("Sector (as imported)"), max_length=100)
    owner = UserPickerFilter(field_name="owner", queryset=_owner_choices, label=_("Sales owner"))
    success_owner = UserPickerFilter(field_name="success_owner", queryset=_owner_choices, label=_("Success owner"))
    mine = django_filters.BooleanFilter(method="filter_mine", widget=forms.CheckboxInput,
                                        label=_("Only mine (sales or success owner)"))
    team = IdFilter(field_name="owner__team_id", label=_("Sales owner's team"), widget=_team_picker())
    health = django_filters.ChoiceFilter(method="filter_health", label=_("Health"), empty_label=ANY, choices=[
        ("scored", _("With a health score")), ("healthy", _("Healthy")), ("at_risk", _("At risk")),
        ("critical", _("Critical"))])
    ordering = SortFilter(fields={"name": _("Name"), "industry": _("Industry"), "region": _("Region"),
                                  "owner": _("Sales owner"), "success_owner": _("Success owner"),
                                  "created_at": _("Created")},
                          paths={"owner": "owner__first_name", "success_owner": "success_owner__first_name"})

    class Meta:
        model = Account
        fields = []

    def filter_health(self, queryset, name, value):
        """The health metrics' drill-down: accounts with a current score, or those in one band."""
        if value == "scored":
            return queryset.filter(health__score__isnull=False)
        return queryset.filter(health__band=value)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value))

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(Q(owner=user) | Q(success_owner=user))


# the health filter is a choice of codes (the schema would otherwise guess the reverse health row's id)
set_override(AccountFilterSet.base_filters["health"], "field",
             {"type": "string", "enum": [code for code, _label in AccountFilterSet.base_filters["health"].extra["choices"]]})


class ContactFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=200)
    account = IdFilter(field_name="account_id", label=_("Account id"))
    owner = IdFilter(field_name="account__owner_id", label=_("Account's sales owner id"))
    success_owner = IdFilter(field_name="account__success_owner_id", label=_("Account's success owner id"))

    class Meta:
        model = Contact
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))


class ActivityFilterSet(django_filters.FilterSet):
    account = IdFilter(field_name="account_id", label=_("Account id"))
    lead = IdFilter(field_name="lead_id", label=_("Lead id"))
    contact = IdFilter(field_name="contact_id", label=_("Contact id"))
    owner = IdFilter(field_name="owner_id", label=_("Owner"), widget=_people_picker())
    team = IdFilter(field_name="owner__team_id", label=_("Owner's team"), widget=_team_picker())
    kind = django_filters.MultipleChoiceFilter(choices=Activity.Kind.choices, label=_("Kind"), widget=CHIPS)
    late = django_filters.BooleanFilter(method="filter_late", label=_("Logged more than 24 h after it happened"),
                                        widget=AnyBooleanSelect)
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte",
                                                      label=_("Occurred at or after"))
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte",
                                                       label=_("Occurred at or before"))
    logged_after = django_filters.DateFilter(method="filter_logged_after", label=_("Logged on or after"))
    logged_before = django_filters.DateFilter(method="filter_logged_before", label=_("Logged on or before"))
    ordering = SortFilter(fields={"kind": _("Kind"), "occurred_at": _("Occurred at"), "logged_at": _("Logged at"),
                                  "owner": _("Owner")}, paths={"owner": "owner__first_name"})

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
# --- contracts, usage and tickets (h3) ---------------------------------------------------------
from datetime import timedelta  # noqa: E402


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


class AccountApiFilterSet(AccountFilterSet, UpdatedRangeFilterSet):
    """The API's filters: the list's, plus those of sync clients (changed since, the other system's id)."""

    external_ref = django_filters.CharFilter(field_name="external_ref", label=_("External reference (exact)"))

    class Meta(AccountFilterSet.Meta):
        pass


class ContactApiFilterSet(ContactFilterSet, UpdatedRangeFilterSet):
    """The API's contact filters, with those of sync clients (changed since)."""

    class Meta(ContactFilterSet.Meta):
        pass


class ActivityApiFilterSet(ActivityFilterSet, UpdatedRangeFilterSet):
    """The API's activity filters, with those of sync clients (changed since)."""

    class Meta(ActivityFilterSet.Meta):
        pass
