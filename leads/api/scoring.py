"""Scoring API: rule sets with their rules, backtest (GET) and publish (POST), rescore jobs."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from teams.predicates import can_backtest_scoring, can_manage_scoring, is_active_user

from ..models import AttributeRule, BehaviourRule, EventType, GradeBand, RescoreJob, RuleSet
from ..selectors import rule_set_queryset
from ..services import scoring as services


class CanManageScoringOrReadOnly(permissions.BasePermission):
    """Everyone signed in reads rule sets (scores are explainable); marketing and admins write."""

    def has_permission(self, request, view):
        if not is_active_user(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            if getattr(view, "action", None) == "backtest":
                return can_backtest_scoring(request.user)
            return True
        return can_manage_scoring(request.user)


class AttributeRuleSerializer(serializers.ModelSerializer):
    value = serializers.JSONField(required=False, allow_null=True)

    class Meta:
        model = AttributeRule
        fields = ["id", "field", "operator", "value", "points", "label"]
        read_only_fields = ["id"]


class BehaviourRuleSerializer(serializers.ModelSerializer):
    event_type = serializers.SlugRelatedField(slug_field="code", queryset=EventType.objects.all())

    class Meta:
        model = BehaviourRule
        fields = ["id", "event_type", "points", "max_count", "window_days", "label"]
        read_only_fields = ["id"]


class GradeBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradeBand
        fields = ["name", "lower_bound"]


class RuleSetSerializer(serializers.ModelSerializer):
    attribute_rules = AttributeRuleSerializer(many=True, required=False)
    behaviour_rules = BehaviourRuleSerializer(many=True, required=False)
    grades = GradeBandSerializer(many=True)

    class Meta:
        model = RuleSet
        fields = ["id", "name", "version", "status", "notes", "created_by", "created_at", "published_by",
                  "published_at", "attribute_rules", "behaviour_rules", "grades"]
        read_only_fields = ["version", "status", "created_by", "created_at", "published_by", "published_at"]

    # Rules and grades are replaced as a whole, so each needs its required fields even in a PATCH.
    REQUIRED = {"attribute_rules": ("field", "operator", "points"), "behaviour_rules": ("event_type", "points"),
                "grades": ("name",)}

    def _complete(self, name, rows):
        for row in rows:
            missing = [key for key in self.REQUIRED[name] if key not in row]
            if missing:
                raise serializers.ValidationError(_("Each entry needs: %(fields)s.") % {"fields": ", ".join(missing)})
        return rows

    def validate_attribute_rules(self, rows):
        return self._complete("attribute_rules", rows)

    def validate_behaviour_rules(self, rows):
        return self._complete("behaviour_rules", rows)

    def validate_grades(self, rows):
        return self._complete("grades", rows)

    def _save(self, instance=None):
        data = self.validated_data
        behaviour = [{**rule, "event_type": rule["event_type"].code} for rule in data.get("behaviour_rules", [])]
        return services.rule_set_save_draft(
            by=self.context["request"].user, rule_set=instance, name=data.get("name", getattr(instance, "name", "")),
            notes=data.get("notes", getattr(instance, "notes", "")),
            attribute_rules=[dict(rule) for rule in data.get("attribute_rules", [])],
            behaviour_rules=behaviour, grades=[dict(grade) for grade in data.get("grades", [])],
        )

    def create(self, validated_data):
        return self._save()

    def update(self, instance, validated_data):
        return self._save(instance)


class RescoreJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = RescoreJob
        fields = ["id", "rule_set", "status", "total", "processed", "changed", "percent", "error",
                  "previous_rule_set", "heartbeat_at", "attempts", "started_at", "finished_at", "created_at"]
        read_only_fields = fields


class RuleSetCopySerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


BacktestSerializer = inline_serializer("Backtest", fields={
    "total": serializers.IntegerField(),
    "grades": serializers.ListField(child=serializers.DictField()),
    "moves": serializers.ListField(child=serializers.DictField()),
    "sample": serializers.ListField(child=serializers.DictField()),
})


class RuleSetViewSet(viewsets.ModelViewSet):
    """Scoring rule sets. Drafts are edited (rules replaced as a whole) and published; published
    and archived sets are read-only. PUT/PATCH send the complete rules and grades."""

    serializer_class = RuleSetSerializer
    permission_classes = [CanManageScoringOrReadOnly]
    queryset = RuleSet.objects.none()
    filterset_fields = ["status"]
    ordering_fields = ["version", "created_at"]

    def get_queryset(self):
        return rule_set_queryset()

    def perform_destroy(self, instance):
        services.rule_set_delete_draft(rule_set=instance)

    @extend_schema(responses=BacktestSerializer)
    @action(detail=True, methods=["get"])
    def backtest(self, request, pk=None):
        return Response(services.rule_set_backtest(rule_set=self.get_object(), user=request.user))

    @extend_schema(request=None, responses={202: RescoreJobSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        job = services.rule_set_publish(rule_set=self.get_object(), by=request.user)
        return Response(RescoreJobSerializer(job).data, status=202)

    @extend_schema(request=RuleSetCopySerializer, responses={201: RuleSetSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        source = self.get_object()
        params = RuleSetCopySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        name = params.validated_data.get("name") or f"{source.name} (v{source.version} copy)"[:100]
        draft = services.rule_set_create_draft(by=request.user, name=name, copy_from=source)
        return Response(RuleSetSerializer(get_object_or_404(rule_set_queryset(), pk=draft.pk)).data, status=201)


class RescoreJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Progress of the set-based rescore started by publishing a rule set."""

    serializer_class = RescoreJobSerializer
    queryset = RescoreJob.objects.all()
    filterset_fields = ["rule_set", "status"]
