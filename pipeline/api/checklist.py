"""A deal's checklist through the API (issue 15): a headless integration ticks the items a stage's
gate requires (e.g. the solution demo) and then moves the deal, as a rep does on the page."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..models import ChecklistItem
from ..selectors import opportunity_checklist


class ChecklistTickInputSerializer(serializers.Serializer):
    item = serializers.SlugRelatedField(
        slug_field="code", queryset=ChecklistItem.objects.filter(is_active=True),
        help_text=_("The checklist item's code (see the stages' `checklist_items`)."))
    ticked = serializers.BooleanField(default=True, help_text=_("True to tick the item, false to untick it."))


class ChecklistEntrySerializer(serializers.Serializer):
    item = serializers.CharField(source="item.code", help_text=_("The checklist item's code."))
    label = serializers.CharField(source="item.label", help_text=_("The item's name in the user's language."))
    stage = serializers.CharField(source="item.stage.code", help_text=_("The code of the stage the item belongs to."))
    ticked = serializers.SerializerMethodField(help_text=_("Whether the item is ticked on this deal."))
    ticked_by = serializers.SerializerMethodField(help_text=_("Id of the user who ticked it (null: not ticked)."))
    ticked_at = serializers.SerializerMethodField(help_text=_("When it was ticked (null: not ticked)."))

    def get_ticked(self, entry) -> bool:
        return entry["tick"] is not None

    def get_ticked_by(self, entry) -> int | None:
        return entry["tick"].ticked_by_id if entry["tick"] is not None else None

    def get_ticked_at(self, entry) -> str | None:
        return serializers.DateTimeField().to_representation(entry["tick"].ticked_at) if entry["tick"] else None


class ChecklistActionsMixin:
    """`GET/POST /api/v1/opportunities/{id}/checklist/` on the opportunity viewset."""

    @extend_schema(methods=["GET"], responses=ChecklistEntrySerializer(many=True),
                   summary="The deal's checklist up to its current stage, with the ticks")
    @extend_schema(methods=["POST"], request=ChecklistTickInputSerializer, responses=ChecklistEntrySerializer(many=True),
                   summary="Tick or untick a checklist item of the deal",
                   examples=[OpenApiExample("Tick the solution demo", request_only=True,
                                            value={"item": "solution_accepted", "ticked": True})])
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def checklist(self, request, pk=None):
        opportunity = self.get_object()
        if request.method == "POST":
            params = ChecklistTickInputSerializer(data=request.data)
            params.is_valid(raise_exception=True)
            services.checklist_tick(opportunity=opportunity, item=params.validated_data["item"], by=request.user,
                                    ticked=params.validated_data["ticked"])
        return Response(ChecklistEntrySerializer(opportunity_checklist(opportunity=opportunity), many=True).data)
