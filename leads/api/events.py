from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from salesops.api import reject_nul_characters
from salesops.ingest import MAX_BATCH, batch_error_body, request_items
from salesops.schema import ONE_OR_MANY
from teams.api.permissions import ScopedQuerysetMixin

from ..filters import LeadEventFilterSet
from ..models import LeadEvent
from ..selectors import LEAD_READ_ALL_ROLES
from ..services.events import EventBatchError, events_ingest
from .serializers.events import EventIngestResultSerializer, LeadEventInputSerializer, LeadEventSerializer


class EventBatchErrorSerializer(serializers.Serializer):
    """The 400 body of a batch (a JSON list): nothing was stored; errors by item index."""

    detail = serializers.CharField(help_text="How many items are invalid; nothing was stored.")
    code = serializers.CharField(help_text="Always `invalid_items`.")
    items = serializers.DictField(child=serializers.DictField(), help_text=(
        "By item index (\"0\", \"1\", ...): {field: [messages], code, codes} as for a single item."))


class LeadEventViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """Behaviour events of the leads you can see. POST one event or a list (all-or-nothing)."""

    serializer_class = LeadEventSerializer
    filterset_class = LeadEventFilterSet
    queryset = LeadEvent.objects.select_related("event_type")
    scope_owner_field = "lead__owner"
    scope_read_all_roles = LEAD_READ_ALL_ROLES
    ordering_fields = ["occurred_at", "received_at"]

    @extend_schema(
        request=LeadEventInputSerializer, extensions={ONE_OR_MANY: MAX_BATCH},
        responses={201: EventIngestResultSerializer, 400: EventBatchErrorSerializer},
        examples=[OpenApiExample("A batch", request_only=True, value=[
            {"email": "ada@example.com", "type": "site_visit", "occurred_at": "2026-05-01T10:00:00Z",
             "external_id": "evt-1"},
            {"email": "ada@example.com", "type": "webinar_attended", "occurred_at": "2026-05-02T09:30:00+08:00",
             "external_id": "evt-2"}])])
    def create(self, request, *args, **kwargs):
        reject_nul_characters(request.data)
        items, many = request_items(request.data)
        try:
            result = events_ingest(by=request.user, items=items)
        except EventBatchError as exc:
            detail = _("No events were stored: %(bad)s of %(total)s items are invalid.") % {
                "bad": len(exc.item_errors), "total": exc.total}
            return Response(batch_error_body(exc, many=many, detail=detail), status=status.HTTP_400_BAD_REQUEST)
        return Response(EventIngestResultSerializer(result).data, status=status.HTTP_201_CREATED)
