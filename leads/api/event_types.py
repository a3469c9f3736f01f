"""The event-type catalogue (issue 15): the codes lead events and scoring rules refer to."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets

from ..models import EventType


class EventTypeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text=_("The code to send as an event's `type`."))
    label = serializers.CharField(read_only=True, help_text=_("The name in the user's language."))
    is_active = serializers.BooleanField(read_only=True, help_text=_(
        "Inactive types are refused on new events; rules may still refer to them."))

    class Meta:
        model = EventType
        fields = ["code", "label", "is_active"]


class EventTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Behaviour event types: the `type` codes lead events take and scoring rules refer to, with
    their labels in the user's language. Readable by everyone signed in."""

    serializer_class = EventTypeSerializer
    queryset = EventType.objects.order_by("code")
    lookup_field = "code"
    pagination_class = None
    filterset_class = None
    ordering_fields = ["code"]
