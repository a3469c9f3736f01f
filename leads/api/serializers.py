from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.models import User

from ..models import Lead
from ..selectors import BreakdownExplainer
from ..services import EDITABLE_FIELDS


class BreakdownItemSerializer(serializers.Serializer):
    rule = serializers.CharField()
    points = serializers.IntegerField()


SCORING_FIELDS = ["score", "grade", "score_breakdown", "scored_at", "mql_at", "assigned_at",
                  "first_touch_due_at", "first_touched_at", "sla_breached_at", "converted_at", "won_at",
                  "imported_from", "imported_at", "imported_converted"]  # imported history: read-only


class LeadSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)
    score_breakdown = serializers.SerializerMethodField(
        help_text="The rules behind the current score: [{rule, points}], rules with no points left out.")

    class Meta:
        model = Lead
        fields = ["id", *EDITABLE_FIELDS, *SCORING_FIELDS, "completeness", "created_at", "updated_at"]
        read_only_fields = [*SCORING_FIELDS, "completeness", "created_at", "updated_at"]
        validators = []  # email uniqueness is checked (case-insensitively) by the service
        extra_kwargs = {"email": {"validators": []}}

    @extend_schema_field(BreakdownItemSerializer(many=True))
    def get_score_breakdown(self, lead):
        explainer = self.context.get("explainer") or BreakdownExplainer()
        self.context["explainer"] = explainer
        return explainer(lead)
