"""The metric registry over HTTP: list the metrics, read one for a period, a team or a rep."""
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops import metrics
from salesops.db_router import reads_from_replica
from salesops.metrics import Period

from ..metric_reads import UnknownGroup, metric_answer
from .serializers import MetricQuerySerializer, MetricSerializer, MetricValueSerializer


def _describe(metric) -> dict:
    return {"code": metric.code, "name": str(metric.name), "unit": metric.unit, "better": metric.better,
            "group_by": list(metric.group_by), "description": str(metric.description), "app": metric.app}


def _plain(value):
    """Extra figures as JSON: Decimal and nested dicts pass through DRF's encoder; dates as ISO strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class MetricListApi(APIView):
    """Every registered metric: code, name, unit, better direction, breakdown keys, definition."""

    pagination_class = None

    @extend_schema(operation_id="metrics_list", responses={200: MetricSerializer(many=True)})
    @reads_from_replica
    def get(self, request):
        return Response(MetricSerializer([_describe(m) for m in metrics.all_metrics()], many=True).data)


class MetricDetailApi(APIView):
    """One metric over a period (default: the last 3 months; `period=all` for every record), for the records
    you may see, narrowed to `team` / `owner` (a team or rep outside what you see gives empty figures):
    the value, how many records it counts, money per currency, rows per `group_by`, and drill-down links."""

    @extend_schema(operation_id="metrics_retrieve", parameters=[MetricQuerySerializer],
                   responses={200: MetricValueSerializer,
                              400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad dates or group_by."),
                              404: OpenApiResponse(OpenApiTypes.OBJECT, description="No metric with that code.")})
    @reads_from_replica
    def get(self, request, code):
        metric = metrics.find(code)
        if metric is None:
            raise NotFound(_("No metric with the code “%(code)s”.") % {"code": code})
        params = MetricQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            answer = metric_answer(metric=metric, user=request.user, period=Period(data["start"], data["end"]),
                                   team=data.get("team"), owner=data.get("owner"), group_by=data.get("group_by", ""))
        except UnknownGroup:
            raise ValidationError({"group_by": [_("This metric can be grouped by: %(keys)s.")
                                                % {"keys": ", ".join(metric.group_by) or "—"}]}) from None
        return Response(MetricValueSerializer({
            "code": metric.code, "name": str(metric.name), "unit": metric.unit, "start": data["start"],
            "end": data["end"], "value": answer.value, "count": answer.count, "per_currency": answer.per_currency,
            "extra": _plain(answer.extra), "group_by": answer.group_by, "rows": answer.rows,
            "drilldown": answer.drilldown}).data)
