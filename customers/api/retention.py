"""API for retention (h6): sales and marketing spend (CRUD) and the combined retention report
(`GET /api/v1/metrics/retention/`, routed before the generic /metrics/{code}/)."""
from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.api import QuerySerializer
from salesops.metrics import Scope
from teams.predicates import can_record_spend, can_see_scope_figures
from teams.models import Team, User

from .. import services
from ..models import Spend
from ..retention import add_months
from ..retention_selectors import TERM_KEY, retention_report

ID = {"min_value": 1, "max_value": 2**63 - 1}
MAX_DAYS = 3 * 366 + 1  # a report covers at most three years (one query per month)


# --- spend --------------------------------------------------------------------------------------
class MaySeeSpend(permissions.BasePermission):
    message = gettext_lazy("Only administrators, managers and marketing record sales and marketing spend.")

    def has_permission(self, request, view):
        return can_record_spend(request.user)


class SpendFilterSet(django_filters.FilterSet):
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", label=gettext_lazy("From month"))
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte", label=gettext_lazy("To month"))
    channel = django_filters.MultipleChoiceFilter(choices=Spend.Channel.choices, label=gettext_lazy("Channel"))
    currency = django_filters.CharFilter(max_length=3, label=gettext_lazy("Currency"))

    class Meta:
        model = Spend
        fields = []


class SpendSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, required=False,
                                      help_text="Three-letter code; default: the project's currency.")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    class Meta:
        model = Spend
        fields = ["id", "month", "channel", "amount", "currency", "note", "recorded_by", "created_at", "updated_at"]
        read_only_fields = ["recorded_by", "created_at", "updated_at"]
        validators = []  # the service checks "one per month, channel and currency" and answers 400

    def validate_month(self, value):
        return value.replace(day=1)


def _responses(ok: dict, *codes: int) -> dict:
    """The documented answers of a spend endpoint: `ok` plus the given error codes."""
    errors = {400: "Bad input.", 401: "Not signed in.", 403: "Not allowed.", 404: "No such entry."}
    return {**ok, **{code: OpenApiResponse(description=errors[code]) for code in codes}}


@extend_schema_view(
    list=extend_schema(responses=_responses({200: SpendSerializer(many=True)}, 400, 401, 403)),
    create=extend_schema(responses=_responses({201: SpendSerializer}, 400, 401, 403)),
    retrieve=extend_schema(responses=_responses({200: SpendSerializer}, 401, 403, 404)),
    update=extend_schema(responses=_responses({200: SpendSerializer}, 400, 401, 403, 404)),
    partial_update=extend_schema(responses=_responses({200: SpendSerializer}, 400, 401, 403, 404)),
    destroy=extend_schema(responses=_responses({204: None}, 401, 403, 404)),
)
class SpendViewSet(viewsets.ModelViewSet):
    """Sales and marketing spend per month, channel and currency (the CAC input). Administrators, managers
    and marketing read and write it (`can_record_spend`); one entry per month, channel and currency."""

    serializer_class = SpendSerializer
    filterset_class = SpendFilterSet
    permission_classes = [permissions.IsAuthenticated, MaySeeSpend]
    queryset = Spend.objects.select_related("recorded_by")
    ordering_fields = ["month", "amount"]

    def perform_create(self, serializer):
        serializer.instance = services.spend_record(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.spend_update(spend=serializer.instance, by=self.request.user,
                                                    **serializer.validated_data)

    def perform_destroy(self, instance):
        services.spend_delete(spend=instance, by=self.request.user)


# --- the retention report -----------------------------------------------------------------------
def default_period(today):
    """The last whole month."""
    first = add_months(today.replace(day=1), -1)
    return first, today.replace(day=1) - timedelta(days=1)


class RetentionQuerySerializer(QuerySerializer):
    start = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD); default: the last whole month.")
    end = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD), inclusive; default: the last "
                                                          "whole month. At most three years after start.")
    group_by = serializers.ChoiceField(choices=[TERM_KEY], required=False,
                                       help_text="`contract_type`: rows per contract type.")
    team = serializers.IntegerField(required=False, help_text="Narrow to this team (inside what you may see).", **ID)
    owner = serializers.IntegerField(required=False, help_text="Narrow to this rep (inside what you may see).", **ID)
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, required=False,
                                      help_text="Revenue figures in this currency; default: that of most contracts.")

    def validate(self, attrs):
        today = timezone.localdate()
        start, end = default_period(today)
        if "end" in attrs and "start" not in attrs:
            start = attrs["end"].replace(day=1)  # the end's month
        if "start" in attrs and "end" not in attrs:
            end = max(attrs["start"], today)  # to today
        start, end = attrs.get("start", start), attrs.get("end", end)
        if start > end:
            raise serializers.ValidationError({"start": _("The start must be on or before the end.")})
        if (end - start).days > MAX_DAYS:
            raise serializers.ValidationError({"end": _("A report covers at most three years.")})
        return {**attrs, "start": start, "end": end}


class FiguresSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`total`, a month (YYYY-MM) or a contract type.")
    label = serializers.CharField(allow_blank=True)
    accounts = serializers.IntegerField(source="movement.accounts", help_text="The starting cohort.")
    churned_accounts = serializers.IntegerField(source="movement.churned_accounts")
    retained_accounts = serializers.IntegerField(source="movement.retained_accounts")
    start_mrr = serializers.DecimalField(source="movement.start_mrr", max_digits=20, decimal_places=2)
    end_mrr = serializers.DecimalField(source="movement.end_mrr", max_digits=20, decimal_places=2)
    expansion = serializers.DecimalField(source="movement.expansion", max_digits=20, decimal_places=2)
    contraction = serializers.DecimalField(source="movement.contraction", max_digits=20, decimal_places=2)
    churned_mrr = serializers.DecimalField(source="movement.churned_mrr", max_digits=20, decimal_places=2)
    logo_churn = serializers.FloatField(allow_null=True, help_text="A share (0.265 = 26.5 %).")
    revenue_churn = serializers.FloatField(allow_null=True)
    grr = serializers.FloatField(allow_null=True)
    nrr = serializers.FloatField(allow_null=True)
    tenure_churned = serializers.FloatField(allow_null=True, help_text="Mean whole months, churned accounts.")
    tenure_retained = serializers.FloatField(allow_null=True, help_text="Mean whole months, retained accounts.")


class RetentionSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    gross_margin = serializers.FloatField()
    total = FiguresSerializer()
    months = FiguresSerializer(many=True)
    by_contract_type = FiguresSerializer(many=True, help_text="Empty unless group_by=contract_type.")
    monthly_logo_churn = serializers.FloatField(allow_null=True)
    monthly_revenue_churn = serializers.FloatField(allow_null=True)
    lifetime_months = serializers.FloatField(allow_null=True)
    arpa = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    ltv = serializers.FloatField(allow_null=True)
    cac_shown = serializers.BooleanField(help_text="CAC figures are for administrators, managers and marketing, "
                                                   "at organisation level (no team/owner).")
    new_customers = serializers.IntegerField(allow_null=True)
    spend = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    cac = serializers.FloatField(allow_null=True)
    ltv_cac = serializers.FloatField(allow_null=True)
    cac_payback_months = serializers.FloatField(allow_null=True)


def _narrowing(user, data):
    """Team / owner ids -> a Scope: an unknown one is a 400, one the viewer may not narrow to a 403."""
    team = Team.objects.filter(pk=data["team"]).first() if data.get("team") else None
    owner = User.objects.select_related("team").filter(pk=data["owner"]).first() if data.get("owner") else None
    if data.get("team") and team is None:
        raise ValidationError({"team": [_("No such team or person.")]})
    if data.get("owner") and owner is None:
        raise ValidationError({"owner": [_("No such team or person.")]})
    if (team or owner) and not can_see_scope_figures(user, team=team, owner=owner):
        raise PermissionDenied(_("You may not read these figures."))
    return Scope(user=user, team_id=team.pk if team else None, owner_id=owner.pk if owner else None)


class RetentionApi(APIView):
    """Churn, retention and unit economics for a period over the accounts you may see (a rep: their own, a
    manager: their team's, admins, support and product: all), narrowed to `team` / `owner`: logo and revenue
    churn over the period's starting cohort, GRR, NRR, per-month figures, tenure of churned vs retained,
    LTV, and (administrators, managers, marketing) CAC, LTV:CAC and CAC payback. Definitions: README
    "Retention"."""

    @extend_schema(operation_id="metrics_retention", parameters=[RetentionQuerySerializer], responses={
        200: RetentionSerializer,
        400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad dates, group_by, currency, team or owner."),
        401: OpenApiResponse(OpenApiTypes.OBJECT, description="Not signed in."),
        403: OpenApiResponse(OpenApiTypes.OBJECT, description="A team or rep whose figures you may not read.")})
    def get(self, request):
        params = RetentionQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        report = retention_report(scope=_narrowing(request.user, data), start=data["start"], end=data["end"],
                                  currency=data.get("currency"))
        if data.get("group_by") != TERM_KEY:
            report.by_contract_type = []
        return Response(RetentionSerializer(report).data)

