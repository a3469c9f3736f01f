from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Account, Contact, Activity
from salesops.api import QuerySerializer
from teams.models import User

from ..models import (
    Approval, ChecklistItem, Competitor, GateCriterion, LossReason, Opportunity, OpportunityLine, Stage, StageTransition,
)

MAX_INT = 2**31 - 1


class CriterionSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()

    class Meta:
        model = GateCriterion
        fields = ["id", "applies_on", "kind", "target", "label"]

    def get_target(self, criterion) -> str:
        if criterion.kind == GateCriterion.Kind.CHECKLIST_ITEM:
            return criterion.checklist_item.code if criterion.checklist_item_id else ""
        return criterion.target

    def get_label(self, criterion) -> str:
        return str(criterion)


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "name", "name_zh_hans", "label", "order"]


class StageSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)
    checklist_items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = Stage
        fields = ["id", "code", "name", "name_zh_hans", "label", "order", "probability", "is_won", "is_lost",
                  "is_active", "criteria", "checklist_items"]


class OpportunityLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpportunityLine
        fields = ["id", "product", "quantity", "unit_price", "margin_percent"]


class OpportunitySerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), allow_null=True, required=False)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    competitors = serializers.PrimaryKeyRelatedField(queryset=Competitor.objects.all(), many=True, required=False)
    need_tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=30, required=False)
    stage_code = serializers.CharField(source="stage.code", read_only=True)
    stage_name = serializers.CharField(source="stage.label", read_only=True)
    lines = OpportunityLineSerializer(many=True, read_only=True)
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT,
                                       help_text="Read: the current version. Send it back on update to detect "
                                                 "concurrent changes (409 when it no longer matches).")

    class Meta:
        model = Opportunity
        fields = ["id", "name", "account", "contact", "owner", "team", "lead", "stage", "stage_code", "stage_name",
                  "stage_entered_at", "amount", "currency", "discount_percent", "stage_probability",
                  "model_probability", "rep_probability", "forecast_category", "expected_close_date", "closed_at",
                  "confirmed_needs", "need_tags", "decision_makers", "next_step", "competitors", "loss_reason",
                  "loss_note", "stalled_at", "lines", "version", "created_at", "updated_at",
                  "amount_known", "amount_estimate", "date_unknown"]
        read_only_fields = ["team", "lead", "stage", "stage_entered_at", "stage_probability", "model_probability",
                            "closed_at", "loss_reason", "loss_note", "stalled_at", "created_at", "updated_at",
                            "amount_known", "amount_estimate", "date_unknown"]
        extra_kwargs = {
            "amount_known": {"help_text": "False: the source gave no value; `amount` is then 0 and means “empty”."},
            "amount_estimate": {"help_text": "An estimate (e.g. the product's list price), never the amount."},
            "date_unknown": {"help_text": "The source gave no date: created_at is the import's, not a fact; "
                                          "the deal is left out of every dated period."},
        }


class StageRefField(serializers.Field):
    """A stage by id (`3`) or code (`"needs_confirmed"`)."""

    default_error_messages = {"unknown": "Unknown stage."}

    def to_internal_value(self, data):
        lookup = None
        if isinstance(data, str) and data.isdigit() and len(data) < 19:
            data = int(data)
        if isinstance(data, int) and not isinstance(data, bool) and 0 < data <= 2**63 - 1:
            lookup = {"pk": data}
        elif isinstance(data, str) and 0 < len(data) <= 50:
            lookup = {"code": data}
        stage = Stage.objects.filter(**lookup).first() if lookup else None
        if stage is None:
            self.fail("unknown")
        return stage

    def to_representation(self, value):
        return value.pk


extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})(StageRefField)


class TransitionSerializer(serializers.Serializer):
    stage = StageRefField(help_text="Target stage: id or code.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT,
                                       help_text="The version you saw; 409 when the deal changed since.")
    loss_reason = serializers.PrimaryKeyRelatedField(queryset=LossReason.objects.filter(is_active=True),
                                                     required=False, allow_null=True)
    competitor = serializers.PrimaryKeyRelatedField(queryset=Competitor.objects.filter(is_active=True),
                                                    required=False, allow_null=True)


class CorrectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the closed deal is corrected (required).")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100,
                                                required=False)
    currency = serializers.CharField(min_length=3, max_length=3, required=False)
    expected_close_date = serializers.DateField(required=False, allow_null=True)


class UnmetSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class TransitionRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the deal cannot move, in the user's language.")
    code = serializers.CharField(help_text="Always `unmet_criteria`.")
    unmet = UnmetSerializer(many=True, help_text="Every criterion that is not met, with a stable code.")


class TransitionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="The conflict, in the user's language.")
    code = serializers.CharField(help_text="Always `version_conflict`.")
    version = serializers.IntegerField(help_text="The deal's current version.")
    stage = serializers.IntegerField(help_text="The deal's current stage id.")


class StageTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageTransition
        fields = ["id", "from_stage", "to_stage", "by", "at", "reason", "amount", "currency", "probability", "kind"]


class ApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Approval
        fields = ["id", "opportunity", "kind", "value", "status", "requested_by", "requested_at", "decided_by",
                  "decided_at", "note"]
        read_only_fields = fields


class ApprovalRequestSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class OpportunityActivitySerializer(serializers.ModelSerializer):
    """Input of `POST …/opportunities/{id}/activities/`: the account is the deal's."""

    class Meta:
        model = Activity
        fields = ["contact", "kind", "occurred_at", "summary"]


class CompetitorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Competitor
        fields = ["id", "name", "website", "value_proposition", "objection_answers", "strengths", "weaknesses",
                  "is_active"]


class LossReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LossReason
        fields = ["id", "code", "name", "name_zh_hans", "label", "requires_competitor", "is_active"]


# --- metrics and forecast ----------------------------------------------------------------------
MAX_PERIOD_DAYS = 3660


class FunnelQuerySerializer(QuerySerializer):
    start = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD); default: 3 months before end.")
    end = serializers.DateField(required=False, help_text="Last day (YYYY-MM-DD), inclusive; default: today.")
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="Team id.")
    owner = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="Owner (user) id.")
    period = serializers.ChoiceField(choices=["all"], required=False,
                                     help_text="`all`: every deal whatever its date, deals of unknown date included "
                                               "(no start / end).")

    def validate(self, attrs):
        from django.utils import timezone
        from django.utils.translation import gettext as _

        from ..forecasting import default_funnel_period
        if attrs.get("period") == "all":
            if "start" in attrs or "end" in attrs:
                raise serializers.ValidationError({"period": _("Give either period=all or start / end, not both.")})
            return {**attrs, "start": None, "end": None}
        default_start, default_end = default_funnel_period(timezone.localdate())
        end = attrs.get("end") or default_end
        start = attrs.get("start") or (default_funnel_period(end)[0] if "end" in attrs else default_start)
        if start > end:
            raise serializers.ValidationError({"start": _("The start must be on or before the end.")})
        if (end - start).days > MAX_PERIOD_DAYS:
            raise serializers.ValidationError({"start": _("The period may cover at most ten years.")})
        return {**attrs, "start": start, "end": end}


class CurrencyAmountSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)


class FunnelStageSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    is_won = serializers.BooleanField()
    is_lost = serializers.BooleanField()
    count = serializers.IntegerField()
    amounts = CurrencyAmountSerializer(many=True, help_text="Amount per currency (never added across currencies).")


class FunnelConversionSerializer(serializers.Serializer):
    from_stage = serializers.CharField()
    to_stage = serializers.CharField()
    from_name = serializers.CharField()
    to_name = serializers.CharField()
    reached_from = serializers.IntegerField()
    reached_to = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="Percent; null when no deal reached from_stage.")


class CycleSerializer(serializers.Serializer):
    deals = serializers.IntegerField()
    average_days = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)


class _WonRowSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="One row per currency.")
    deals = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)


class WonByOwnerSerializer(_WonRowSerializer):
    owner_id = serializers.IntegerField()
    name = serializers.CharField()


class WonByTeamSerializer(_WonRowSerializer):
    team_id = serializers.IntegerField(allow_null=True)
    team_name = serializers.CharField(allow_null=True)


class WonByProductSerializer(_WonRowSerializer):
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()


class WonBySectorSerializer(_WonRowSerializer):
    sector = serializers.CharField(allow_blank=True)


class WonValueSerializer(serializers.Serializer):
    by_owner = WonByOwnerSerializer(many=True)
    by_team = WonByTeamSerializer(many=True)
    by_product = WonByProductSerializer(many=True)
    by_sector = WonBySectorSerializer(many=True)


class FunnelSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True, help_text="Null for period=all.")
    end = serializers.DateField(allow_null=True, help_text="Null for period=all.")
    stages = FunnelStageSerializer(many=True, help_text="Deals currently in each stage that entered it in the "
                                                        "period (closed stages: closed in the period).")
    conversion = FunnelConversionSerializer(many=True)
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    win_rate = serializers.FloatField(allow_null=True, help_text="won / (won + lost) closed in the period, percent.")
    won_amounts = CurrencyAmountSerializer(many=True, help_text="Won value per currency.")
    cycle = CycleSerializer(help_text="Days created -> closed of the deals won in the period.")
    won_value = WonValueSerializer()


class ForecastQuerySerializer(QuerySerializer):
    period = serializers.ChoiceField(choices=["month", "quarter"], default="quarter")
    date = serializers.DateField(required=False, help_text="A day in the period; default: today.")
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    owner = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class ForecastAccuracyQuerySerializer(ForecastQuerySerializer):
    periods = serializers.IntegerField(required=False, default=4, min_value=1, max_value=24,
                                       help_text="How many complete past periods.")


class ForecastFiguresSerializer(serializers.Serializer):
    deals = serializers.IntegerField(help_text="Open deals expected to close in the period.")
    won = serializers.DecimalField(max_digits=20, decimal_places=2)
    commit = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="won + open deals in commit")
    best_case = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="commit + open best case")
    pipeline = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="every open deal, unweighted")
    weighted = serializers.DecimalField(max_digits=20, decimal_places=2,
                                        help_text="won + open amount x chosen probability")


class ForecastTotalSerializer(ForecastFiguresSerializer):
    currency = serializers.CharField()


class ForecastRowSerializer(ForecastTotalSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class UndatedPipelineSerializer(serializers.Serializer):
    currency = serializers.CharField()
    deals = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="Sum of the known amounts.")
    amount_unknown = serializers.IntegerField(help_text="Deals whose amount the source did not give.")
    estimate = serializers.DecimalField(max_digits=20, decimal_places=2,
                                        help_text="Estimate of the deals without an amount (e.g. list prices): "
                                                  "an estimate, not part of any amount.")


class ForecastSerializer(serializers.Serializer):
    period = PeriodSerializer()
    currencies = serializers.ListField(child=serializers.CharField())
    totals = ForecastTotalSerializer(many=True, help_text="One row per currency: amounts of different currencies "
                                                          "are never added (no exchange rates).")
    reps = ForecastRowSerializer(many=True, help_text="One row per rep and currency.")
    teams = ForecastRowSerializer(many=True, help_text="One row per team and currency; managers and admins only.")
    undated = UndatedPipelineSerializer(many=True, help_text="Open deals without an expected close date (in no "
                                        "period), per currency.")


class ForecastAccuracyRowSerializer(serializers.Serializer):
    period = PeriodSerializer()
    scope = serializers.CharField(help_text="rep, team or all")
    key = serializers.CharField()
    currency = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    taken_on = serializers.DateField(help_text="Day of the snapshot used: the first one in the period.")
    commit = serializers.DecimalField(max_digits=20, decimal_places=2)
    best_case = serializers.DecimalField(max_digits=20, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=20, decimal_places=2)
    forecast = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="The weighted forecast.")
    actual = serializers.DecimalField(max_digits=20, decimal_places=2, help_text="Won in the period.")
    difference = serializers.DecimalField(max_digits=20, decimal_places=2)
    error_percent = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    accuracy_percent = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    commit_accuracy = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)


class ForecastAccuracySerializer(serializers.Serializer):
    period = serializers.CharField()
    results = ForecastAccuracyRowSerializer(many=True)
