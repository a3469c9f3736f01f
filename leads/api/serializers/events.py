"""Behaviour events in the API. Input is validated by leads.services.events (one path for every
caller); the input serializer here documents the shape for the OpenAPI schema."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ...models import LeadEvent


class LeadEventSerializer(serializers.ModelSerializer):
    type = serializers.SlugRelatedField(source="event_type", slug_field="code", read_only=True)
    type_name = serializers.CharField(source="event_type.label", read_only=True)

    class Meta:
        model = LeadEvent
        fields = ["id", "lead", "type", "type_name", "occurred_at", "external_id", "received_at"]
        read_only_fields = fields


class LeadEventInputSerializer(serializers.Serializer):
    """One event; POST this object or a JSON list of them (at most 1,000)."""

    lead = serializers.IntegerField(required=False, help_text=_("Lead id (or give `email`)."))
    email = serializers.EmailField(required=False, help_text=_("Lead email (or give `lead`)."))
    type = serializers.CharField(help_text=_("Event type code, e.g. webinar_attended."))
    occurred_at = serializers.DateTimeField()
    external_id = serializers.CharField(required=False, allow_null=True, max_length=200,
                                        help_text=_("Your id of the event: a retry with the same id is ignored."))


class EventItemStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["created", "duplicate"])
    id = serializers.IntegerField(allow_null=True)


class EventIngestResultSerializer(serializers.Serializer):
    created = serializers.SerializerMethodField()
    duplicates = serializers.SerializerMethodField()
    created_ids = serializers.SerializerMethodField()
    duplicate_external_ids = serializers.ListField(source="duplicates", child=serializers.CharField())
    leads_created = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    def get_created(self, result) -> int:
        return len(result.created)

    def get_duplicates(self, result) -> int:
        return len(result.duplicates)

    def get_created_ids(self, result) -> list[int]:
        return [event.pk for event in result.created]

    def get_leads_created(self, result) -> list[int]:
        return [lead.pk for lead in result.leads_created]

    def get_items(self, result) -> list[dict]:
        return [{"status": status, "id": pk} for status, pk in result.statuses]
