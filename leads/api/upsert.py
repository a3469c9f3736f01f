"""`POST /api/v1/leads/upsert/`: create or update up to MAX_UPSERT_BATCH leads by the other system's
id (leads.services.upsert), with a result per item."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.api import reject_nul_characters

from .. import services
from ..services.upsert import ERROR, MAX_UPSERT_BATCH, UpsertOutcome
from .events import EventBatchErrorSerializer
from .serializers import LeadSerializer


class LeadUpsertItemSerializer(LeadSerializer):
    """One record of the integration: the lead's editable fields; `external_ref` (with
    `source_system`) or `email` identifies it."""

    class Meta(LeadSerializer.Meta):
        fields = [*services.EDITABLE_FIELDS]
        read_only_fields = []
        extra_kwargs = {**LeadSerializer.Meta.extra_kwargs, "name": {"required": False}}  # required to create only


class UpsertItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=gettext_lazy("The item's position in the request (from 0)."))
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"],
                                     help_text=gettext_lazy("What happened to the item."))
    id = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("The lead's id (null on error)."))
    version = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("The lead's version now."))
    code = serializers.CharField(help_text=gettext_lazy(
        "Empty, or why the item failed: invalid, duplicate, conflict, permission_denied, ..."))
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text=gettext_lazy("Messages by field (empty unless status is error)."))
    existing_id = serializers.IntegerField(allow_null=True, help_text=gettext_lazy(
        "With code duplicate: the lead that already has this email or external reference."))


class UpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=gettext_lazy("Items that created a lead."))
    updated = serializers.IntegerField(help_text=gettext_lazy("Items that changed a lead."))
    unchanged = serializers.IntegerField(help_text=gettext_lazy("Items that matched a lead already as given."))
    errors = serializers.IntegerField(help_text=gettext_lazy("Items refused (see their results)."))
    results = UpsertItemResultSerializer(many=True)


def _result(index: int, outcome: UpsertOutcome) -> dict:
    lead = outcome.lead
    return {"index": index, "status": outcome.status, "id": lead.pk if lead else None,
            "version": lead.version if lead else None, "code": outcome.code, "errors": outcome.errors,
            "existing_id": outcome.existing_id}


class LeadUpsertActionMixin:
    """The upsert action of the lead viewset."""

    @extend_schema(
        request=LeadUpsertItemSerializer(many=True), responses={200: UpsertResultSerializer,
                                                                400: EventBatchErrorSerializer},
        summary="Create or update leads by external reference or email (idempotent; a result per item)",
        examples=[OpenApiExample("Two records from a marketing tool", request_only=True, value=[
            {"source_system": "hubspot", "external_ref": "hs-1001", "name": "Ada Lovelace",
             "email": "ada@example.com", "company": "Analytical Engines", "source": "website"},
            {"source_system": "hubspot", "external_ref": "hs-1002", "name": "Grace Hopper",
             "email": "grace@example.com"}])])
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def upsert(self, request):
        reject_nul_characters(request.data)
        items = request.data
        if not isinstance(items, list) or not items:
            raise exceptions.ValidationError({"non_field_errors": [_("Send a non-empty JSON list of leads.")]},
                                             code="not_a_list")
        if len(items) > MAX_UPSERT_BATCH:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Send at most %(max)s items at a time.") % {"max": MAX_UPSERT_BATCH}]},
                code="too_many_items")
        # Input the schema refuses (a wrong type, a value out of range) refuses the whole request
        # (400, nothing written); what only the data decides (a duplicate, a lead you cannot
        # change, a race) is reported per item.
        valid, invalid = [], {}
        for index, item in enumerate(items):
            serializer = LeadUpsertItemSerializer(data=item, partial=True, context=self.get_serializer_context())
            if not isinstance(item, dict):
                invalid[str(index)] = {"non_field_errors": [_("Each item must be a JSON object.")]}
            elif not serializer.is_valid():
                invalid[str(index)] = serializer.errors
            else:
                valid.append(dict(serializer.validated_data))
        if invalid:
            return Response({"detail": _("Nothing was saved: %(bad)s of %(total)s items are invalid.")
                             % {"bad": len(invalid), "total": len(items)}, "code": "invalid_items",
                             "items": invalid}, status=400)
        outcomes = services.leads_upsert(by=request.user, items=valid, changeable=self.get_queryset())
        results = [_result(index, outcome) for index, outcome in enumerate(outcomes)]
        counts = {status: sum(r["status"] == status for r in results) for status in ("created", "updated", "unchanged")}
        return Response({**counts, "errors": sum(r["status"] == ERROR for r in results), "results": results})
