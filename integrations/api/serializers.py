from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from teams.models import User

from .. import events, keys
from ..models import ChangeEvent, Delivery, DeliveryAttempt, IntegrationKey, Subscription


class ChangeEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeEvent
        fields = ["id", "event_type", "object_type", "object_id", "owner", "payload", "created_at"]
        extra_kwargs = {"id": {"help_text": _("The cursor: ask for ?after=<this id> to read on.")}}


class ChangeFeedSerializer(serializers.Serializer):
    results = ChangeEventSerializer(many=True)
    next_cursor = serializers.IntegerField(help_text=_("Give it as `after` for the next page."))
    has_more = serializers.BooleanField()


class ChangeQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1, default=0,
                                     help_text=_("Return changes with a larger id (the cursor)."))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
    event_type = serializers.ChoiceField(choices=[], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = events.choices()


class WebhookEventTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    object_type = serializers.CharField()


class SubscriptionSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.CharField(max_length=60), allow_empty=False, max_length=50)

    class Meta:
        model = Subscription
        fields = ["id", "name", "url", "event_types", "is_active", "max_attempts", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"max_attempts": {"min_value": 1, "max_value": 20}}


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text=_("The signing secret (also shown to administrators)."))

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "status_code", "response_excerpt", "duration_ms", "error", "at"]


class DeliverySerializer(serializers.ModelSerializer):
    event_type = serializers.CharField(source="event.event_type", read_only=True)
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "subscription", "event", "event_type", "status", "attempts", "next_attempt_at", "status_code",
                  "response_excerpt", "duration_ms", "failure_reason", "redelivery_of", "created_at", "finished_at",
                  "attempt_log"]


class IntegrationKeySerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=keys.SCOPES), allow_empty=False)
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True),
                                              help_text=_("The service user the key acts as."))

    class Meta:
        model = IntegrationKey
        fields = ["id", "name", "prefix", "user", "scopes", "rate_limit_per_minute", "expires_at", "revoked_at",
                  "rotated_from", "last_used_at", "created_at"]
        read_only_fields = ["prefix", "revoked_at", "rotated_from", "last_used_at", "created_at"]
        extra_kwargs = {"rate_limit_per_minute": {"min_value": 1, "max_value": 100000}}


class IntegrationKeyCreatedSerializer(IntegrationKeySerializer):
    key = serializers.CharField(read_only=True, help_text=_("The key itself: shown this once, never again."))

    class Meta(IntegrationKeySerializer.Meta):
        fields = [*IntegrationKeySerializer.Meta.fields, "key"]


class RotateSerializer(serializers.Serializer):
    grace_hours = serializers.IntegerField(required=False, default=24, min_value=0, max_value=24 * 30)
