"""Suggested weights API (issue 16): POST starts a background job (202), GET reads its result."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from teams.predicates import can_manage_scoring, is_active_user

from ..models import RuleSet, ScoringSuggestion, Source
from ..selectors.suggestions import suggestion_queryset_for
from ..services import scoring_suggest as services
from ..services.scoring_quality import Segment


class CanManageScoring(permissions.BasePermission):
    """The predicate of editing scoring rules: marketing and admins."""

    def has_permission(self, request, view):
        return is_active_user(request.user) and can_manage_scoring(request.user)


class SuggestionStartSerializer(serializers.Serializer):
    base_rule_set = serializers.PrimaryKeyRelatedField(
        queryset=RuleSet.objects.all(), help_text="The rule set to compare with; its grade names are used.")
    start = serializers.DateField(required=False, allow_null=True, help_text="Leads created on or after this day")
    end = serializers.DateField(required=False, allow_null=True, help_text="Leads created on or before this day")
    source = serializers.ListField(child=serializers.ChoiceField(choices=Source.choices), required=False,
                                   max_length=len(Source.choices), help_text="Only leads of these sources")
    owner = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    team = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    held_out_percent = serializers.IntegerField(required=False, default=25, min_value=10, max_value=50,
                                                help_text="Share of leads (by a stable hash of their id) kept "
                                                          "out of the fit and used to compare the two sets")
    targets = serializers.ListField(
        child=serializers.FloatField(min_value=0.001, max_value=0.999), required=False, max_length=20,
        help_text="Conversion (0–1) each grade with a lower bound aims at, highest grade first; default: "
                  "rising multiples of the overall conversion")

    def validate(self, data):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise serializers.ValidationError(_("The start date must not be after the end date."),
                                              code="start_after_end")
        return data


_WHY = inline_serializer("SuggestedRuleWhy", fields={
    "coefficient": serializers.FloatField(help_text="log-odds change per unit (per counted event for behaviour)"),
    "odds_ratio": serializers.FloatField(),
    "support": serializers.IntegerField(help_text="training leads it fires on"),
    "converted_with": serializers.IntegerField(), "converted_without": serializers.IntegerField(),
    "conversion_with": serializers.FloatField(allow_null=True),
    "conversion_without": serializers.FloatField(allow_null=True)})
_RULE = inline_serializer("SuggestedRule", fields={
    "kind": serializers.CharField(help_text="attribute or behaviour"),
    "field": serializers.CharField(allow_blank=True), "operator": serializers.CharField(allow_blank=True),
    "value": serializers.JSONField(allow_null=True), "event_type": serializers.CharField(allow_blank=True),
    "max_count": serializers.IntegerField(allow_null=True), "points": serializers.IntegerField(),
    "why": _WHY})
_GRADE = inline_serializer("SuggestedGrade", fields={
    "name": serializers.CharField(), "lower_bound": serializers.IntegerField(allow_null=True),
    "target": serializers.FloatField(allow_null=True), "train_leads": serializers.IntegerField(),
    "train_converted": serializers.IntegerField(), "train_conversion": serializers.FloatField(allow_null=True)})


class SuggestionSerializer(serializers.ModelSerializer):
    error = serializers.SerializerMethodField(help_text="Why it failed, in the user's language")
    rules = serializers.ListField(child=_RULE, read_only=True,
                                  help_text="The suggested rules with their points and why (training leads)")
    grades = serializers.ListField(child=_GRADE, read_only=True)
    figures = serializers.DictField(
        read_only=True, help_text="{base, suggested}: each the quality figures of /scoring/rule-sets/{id}/quality/ "
                                  "(auc, deciles, grades, rules…) on the same held-out leads")
    draft_rule_set = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                        help_text="The draft to edit and publish (null until the job is done)")

    class Meta:
        model = ScoringSuggestion
        fields = ["id", "status", "error_code", "error", "requested_by", "base_rule_set", "draft_rule_set",
                  "rerun_of", "start", "end", "filters", "held_out_percent", "targets", "as_of", "random_state",
                  "max_leads", "leads_used", "train_size", "held_out_size", "library_versions", "model_info",
                  "features", "rules", "grades", "figures", "attempts", "created_at", "started_at", "finished_at"]
        read_only_fields = fields

    def get_error(self, suggestion) -> str:
        return services.error_message(suggestion)


class SuggestionListSerializer(SuggestionSerializer):
    class Meta(SuggestionSerializer.Meta):
        fields = ["id", "status", "error_code", "error", "requested_by", "base_rule_set", "draft_rule_set",
                  "rerun_of", "start", "end", "held_out_percent", "leads_used", "train_size", "held_out_size",
                  "created_at", "finished_at"]
        read_only_fields = fields


class ScoringSuggestionViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """Suggested weights: a background job learns integer points from converted / not-converted
    history and saves them as a draft rule set (never published by itself), measured beside the
    base set on held-out leads. POST answers 202 with the queued record; poll GET `{id}` until
    `status` is `done` (or `failed`, with `error`). Marketing and admins only."""

    permission_classes = [CanManageScoring]
    queryset = ScoringSuggestion.objects.none()
    filterset_fields = ["status", "base_rule_set"]

    def get_queryset(self):
        return suggestion_queryset_for(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return SuggestionStartSerializer
        return SuggestionListSerializer if self.action == "list" else SuggestionSerializer

    @extend_schema(request=SuggestionStartSerializer, responses={202: SuggestionSerializer})
    def create(self, request, *args, **kwargs):
        params = SuggestionStartSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        suggestion = services.suggestion_start(
            by=request.user, base_rule_set=data["base_rule_set"],
            segment=Segment(start=data.get("start"), end=data.get("end"), sources=tuple(data.get("source") or ()),
                            owner=data.get("owner"), team=data.get("team")),
            held_out_percent=data["held_out_percent"], targets=data.get("targets"))
        return Response(SuggestionSerializer(suggestion).data, status=202)

    @extend_schema(request=None, responses={202: SuggestionSerializer})
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        """A new suggestion with the same inputs (period, segment, share, targets, as-of moment, random
        state): on the same data it gives the same rules and figures."""
        suggestion = services.suggestion_rerun(by=request.user, suggestion=self.get_object())
        return Response(SuggestionSerializer(suggestion).data, status=202)
