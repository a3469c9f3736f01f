"""Lead-quality report API: per source and month, leads -> MQLs -> opportunities -> won."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.db_router import reads_from_replica

from ..models import Source
from ..selectors.reports import LeadQualityFilterForm, lead_quality_report


class LeadQualityRowSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m", help_text="Month of creation (YYYY-MM, in the business time zone).")
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
    start = serializers.DateField(format="%Y-%m")
    end = serializers.DateField(format="%Y-%m")
    source = serializers.CharField(allow_blank=True)
    results = LeadQualityRowSerializer(many=True)


class LeadQualityReportApi(APIView):
    """Lead quality per source and month, over the leads you can see (reps: their own)."""

    @extend_schema(
        operation_id="reports_lead_quality",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.STR, description="First month, YYYY-MM (default: 11 months "
                             "before `end`)", pattern=r"^\d{4}-\d{2}$"),
            OpenApiParameter("end", OpenApiTypes.STR, description="Last month, YYYY-MM (default: this month)",
                             pattern=r"^\d{4}-\d{2}$"),
            OpenApiParameter("source", OpenApiTypes.STR, enum=list(Source.values), description="Only this source"),
        ],
        responses={200: LeadQualityReportSerializer, 400: OpenApiTypes.OBJECT},
    )
    @reads_from_replica
    def get(self, request):
        form = LeadQualityFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({field if field != "__all__" else "non_field_errors": list(errors)
                                   for field, errors in form.errors.items()})
        data = form.cleaned_data
        rows = lead_quality_report(user=request.user, start=data["start"], end=data["end"], source=data["source"])
        return Response(LeadQualityReportSerializer(
            {"start": data["start"], "end": data["end"], "source": data["source"], "results": rows}).data)
