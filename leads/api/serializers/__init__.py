from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.models import User

from ...models import Lead
from ...selectors import BreakdownExplainer
from ...services import EDITABLE_FIELDS, status_rule_message


class BreakdownItemSerializer(serializers.Serializer):
    rule = serializers.CharField()
    points = serializers.IntegerField()


SCORING_FIELDS = ["score", "grade", "score_breakdown", "scored_at", "mql_at", "assigned_at",
                  "first_touch_due_at", "first_touched_at", "sla_breached_at", "converted_at", "won_at",
                  "imported_from", "imported_at", "imported_converted",  # imported history: read-only
                  "source_detail", "business_segment", "lead_type", "date_unknown"]  # as imported (issue 13)


class LeadSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    score_breakdown = serializers.SerializerMethodField(
        help_text="The rules behind the current score: [{rule, points}], rules with no points left out.")
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text="Read: the current version. Send it back on update to detect concurrent changes (409).")

    class Meta:
        model = Lead
        fields = ["id", *EDITABLE_FIELDS, "status", "disqualified_reason", *SCORING_FIELDS, "completeness",
                  "version", "created_at", "updated_at"]
        read_only_fields = ["status", "disqualified_reason", *SCORING_FIELDS, "completeness", "created_at",
                            "updated_at"]
        validators = []  # email uniqueness is checked (case-insensitively) by the service
        extra_kwargs = {"email": {"validators": []}}

    def validate(self, attrs):
        # `status` is read-only: a request that tries to change it is refused, not silently ignored.
        wanted = self.initial_data.get("status") if hasattr(self.initial_data, "get") else None
        current = self.instance.status if self.instance is not None else Lead.Status.NEW
        if wanted is not None and wanted != current:
            raise serializers.ValidationError({"status": [status_rule_message()]})
        return attrs

    @extend_schema_field(BreakdownItemSerializer(many=True))
    def get_score_breakdown(self, lead):
        explainer = self.context.get("explainer") or BreakdownExplainer()
        self.context["explainer"] = explainer
        return explainer(lead)


class LeadDisqualifySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why the lead is disqualified (kept on the lead).")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                       help_text="The version you saw; 409 when the lead changed since.")


class LeadTransitionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                       help_text="The version you saw; 409 when the lead changed since.")
