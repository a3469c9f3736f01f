"""Scoring API: rule sets with their rules, backtest (GET) and publish (POST), rescore jobs."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.api import query_param_errors, raise_query_param_errors
from teams.predicates import can_backtest_scoring, can_manage_scoring, is_active_user

from ..models import AttributeRule, BehaviourRule, EventType, GradeBand, RescoreJob, RuleSet, Source
from ..selectors import rule_set_queryset
from ..services import scoring as services
from ..services.scoring_quality import QualityFilterForm, rule_set_quality


class CanManageScoringOrReadOnly(permissions.BasePermission):
    """Everyone signed in reads rule sets (scores are explainable); marketing and admins write."""

    def has_permission(self, request, view):
        if not is_active_user(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            if getattr(view, "action", None) in ("backtest", "quality"):
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
                  "previous_rule_set", "heartbeat_at", "attempts", "started_at", "finished_at", "created_at",
                  "chunks_total", "chunks_done"]
        read_only_fields = fields


class RuleSetCopySerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


BacktestSerializer = inline_serializer("Backtest", fields={
    "total": serializers.IntegerField(),
    "grades": serializers.ListField(child=serializers.DictField()),
    "moves": serializers.ListField(child=serializers.DictField()),
    "sample": serializers.ListField(child=serializers.DictField()),
})


_RATE = {"allow_null": True, "help_text": "0–1; null where there are no leads"}
_INTERVAL = serializers.ListField(child=serializers.FloatField(), allow_null=True,
                                  help_text="95 % Wilson interval [low, high]; null where there are no leads")
QualitySerializer = inline_serializer("RuleSetQuality", fields={
    "rule_set": inline_serializer("RuleSetQualityRuleSet", fields={
        "id": serializers.IntegerField(), "version": serializers.IntegerField(), "name": serializers.CharField(),
        "status": serializers.CharField()}),
    "segment": inline_serializer("RuleSetQualitySegment", fields={
        "start": serializers.DateField(allow_null=True), "end": serializers.DateField(allow_null=True),
        "source": serializers.ListField(child=serializers.CharField()), "owner": serializers.IntegerField(allow_null=True),
        "team": serializers.IntegerField(allow_null=True)}),
    "leads": serializers.IntegerField(), "converted": serializers.IntegerField(),
    "conversion": serializers.FloatField(**_RATE), "won": serializers.IntegerField(),
    "win_rate": serializers.FloatField(**_RATE),
    "auc": serializers.FloatField(allow_null=True, help_text="ROC AUC of the score for conversion (Mann–Whitney, ties "
                                                             "count half); null without both outcomes"),
    "won_auc": serializers.FloatField(allow_null=True, help_text="ROC AUC of the score for a won deal"),
    "deciles": inline_serializer("RuleSetQualityDecile", many=True, fields={
        "part": serializers.IntegerField(help_text="1 = the highest scores"), "leads": serializers.IntegerField(),
        "positives": serializers.FloatField(help_text="converted leads; a score shared with the next decile is "
                                                      "split in proportion, hence fractions"),
        "conversion": serializers.FloatField(), "lift": serializers.FloatField(allow_null=True),
        "min_score": serializers.IntegerField(), "max_score": serializers.IntegerField(),
        "cumulative_share": serializers.FloatField(allow_null=True)}),
    "grades": inline_serializer("RuleSetQualityGrade", many=True, fields={
        "grade": serializers.CharField(), "lower_bound": serializers.IntegerField(allow_null=True),
        "leads": serializers.IntegerField(), "converted": serializers.IntegerField(),
        "conversion": serializers.FloatField(**_RATE), "interval": _INTERVAL, "won": serializers.IntegerField(),
        "win_rate": serializers.FloatField(**_RATE), "win_interval": _INTERVAL,
        "min_score": serializers.IntegerField(allow_null=True), "max_score": serializers.IntegerField(allow_null=True)}),
    "calibration": serializers.DictField(help_text="A rule set gives points, not probabilities: predicted is null "
                                                   "and calibration is the observed conversion per grade band"),
    "rules": inline_serializer("RuleSetQualityRule", many=True, fields={
        "rule": serializers.CharField(), "kind": serializers.ChoiceField(choices=["attribute", "behaviour"]),
        "points": serializers.IntegerField(), "fires": serializers.IntegerField(),
        "fire_rate": serializers.FloatField(**_RATE),
        "with": serializers.DictField(help_text="{leads, positives, conversion, interval} of the leads it fires on"),
        "without": serializers.DictField(help_text="the same for the other leads"),
        "lift": serializers.FloatField(allow_null=True)}),
    "histogram": serializers.ListField(child=serializers.DictField(), help_text="[{score, leads, converted, won}]"),
    "computed_at": serializers.DateTimeField(),
})
QUALITY_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="Leads created on or after this day"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Leads created on or before this day"),
    OpenApiParameter("source", OpenApiTypes.STR, many=True, enum=list(Source.values),
                     description="Lead sources (repeat for several)"),
    OpenApiParameter("owner", OpenApiTypes.INT, description="Owner's user id"),
    OpenApiParameter("team", OpenApiTypes.INT, description="Owner's team id"),
]


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

    @extend_schema(parameters=QUALITY_PARAMETERS, responses={200: QualitySerializer, 400: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def quality(self, request, pk=None):
        """How well the rule set finds the leads that convert, on the history of the leads you may see
        (created in the period, of the segment): AUC, deciles with lift, grade conversion with 95 %
        intervals, each rule's effect. A bad filter is a 400 naming it."""
        rule_set = self.get_object()
        form = QualityFilterForm(request.query_params)
        # `?start=` or a parameter twice is a 400, not "not given" (as every API filter)
        raise_query_param_errors(query_param_errors(request.query_params, names=form.fields, many_ok=("source",)))
        if not form.is_valid():
            raise serializers.ValidationError({"non_field_errors" if key == "__all__" else key: list(errors)
                                               for key, errors in form.errors.items()})
        return Response(rule_set_quality(rule_set=rule_set, user=request.user, segment=form.segment()))

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
