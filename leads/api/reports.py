"""Lead-quality report API: per source and month, leads -> MQLs -> opportunities -> won."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.api import query_param_errors, raise_query_param_errors
from salesops.db_router import reads_from_replica

from ..models import Source
from ..selectors.reports import LeadQualityFilterForm, lead_quality_report


MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
QUERY_MONTH_PATTERN = r"^(20\d\d|2100)-(0[1-9]|1[0-2])$"  # the months LeadQualityFilterForm accepts


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-05"})
class MonthField(serializers.DateField):
    """A calendar month, written YYYY-MM (not a date: the schema says so)."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class LeadQualityRowSerializer(serializers.Serializer):
    month = MonthField(help_text="Month of creation (YYYY-MM, in the business time zone).")
    source = serializers.CharField()
    source_label = serializers.CharField()
    leads = serializers.IntegerField()
    mqls = serializers.IntegerField(help_text="Leads that reached the top grade (mql_at set).")
    mql_rate = serializers.FloatField(allow_null=True, help_text="mqls / leads (null when there are no leads).")
    opportunities = serializers.IntegerField(help_text="MQLs converted to an opportunity.")
    mql_to_opportunity_rate = serializers.FloatField(allow_null=True, help_text="opportunities / mqls.")
    won = serializers.IntegerField(help_text="MQLs won.")
    mql_to_won_rate = serializers.FloatField(allow_null=True, help_text="won / mqls.")


class LeadQualityReportSerializer(serializers.Serializer):
    start = MonthField()
    end = MonthField()
    source = serializers.CharField(allow_blank=True)
    results = LeadQualityRowSerializer(many=True)


class LeadQualityReportApi(APIView):
    """Lead quality per source and month, over the leads you can see (reps: their own)."""

    @extend_schema(
        operation_id="reports_lead_quality",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.STR, description="First month, YYYY-MM (default: 11 months "
                             "before `end`)", pattern=QUERY_MONTH_PATTERN),
            OpenApiParameter("end", OpenApiTypes.STR, description="Last month, YYYY-MM (default: this month)",
                             pattern=QUERY_MONTH_PATTERN),
            OpenApiParameter("source", OpenApiTypes.STR, enum=list(Source.values), description="Only this source"),
        ],
        responses={200: LeadQualityReportSerializer, 400: OpenApiTypes.OBJECT},
    )
    @reads_from_replica
    def get(self, request):
        form = LeadQualityFilterForm(request.query_params)
        raise_query_param_errors(query_param_errors(request.query_params, names=form.fields))
        if not form.is_valid():
            raise ValidationError({field if field != "__all__" else "non_field_errors": list(errors)
                                   for field, errors in form.errors.items()})
        data = form.cleaned_data
        rows = lead_quality_report(user=request.user, start=data["start"], end=data["end"], source=data["source"])
        return Response(LeadQualityReportSerializer(
            {"start": data["start"], "end": data["end"], "source": data["source"], "results": rows}).data)
