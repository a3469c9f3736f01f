"""Compensation API: plans (+ calculator preview, what-if, publish, new version), payouts with
their lines (+ approve), disputes on lines (raise, answer). Reads are scoped by
teams.selectors.compensation; every write goes through teams.services.compensation."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..filters import PayoutFilterSet
from ..models import CommissionTier, CompensationPlan, Payout, PayoutDispute, PayoutLine, PlanComponent
from ..payouts import period_label
from ..selectors import compensation as read
from ..services import compensation as comp

ID_REGEX = r"[0-9]{1,18}"


class PlanComponentSerializer(serializers.ModelSerializer):
    metric_codes = serializers.ListField(child=serializers.CharField(max_length=60), min_length=1, max_length=6)

    class Meta:
        model = PlanComponent
        fields = ["key", "label", "metric_codes", "weight", "threshold", "accelerator", "cap", "target", "missing"]


class CommissionTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionTier
        fields = ["lower", "upper", "rate"]


class CompensationPlanSerializer(serializers.ModelSerializer):
    components = PlanComponentSerializer(many=True, min_length=1, max_length=comp.MAX_COMPONENTS)
    tiers = CommissionTierSerializer(many=True, required=False, max_length=comp.MAX_TIERS)

    class Meta:
        model = CompensationPlan
        fields = ["id", "name", "version", "status", "effective_from", "effective_to", "period", "target_bonus",
                  "currency", "commission_metric", "components", "tiers", "created_at", "published_at"]
        read_only_fields = ["version", "status", "effective_to", "created_at", "published_at"]
        validators = []  # name + version uniqueness is the service's (a clear message, not a 500)

    def create(self, validated_data):
        data = dict(validated_data)
        components = [dict(c) for c in data.pop("components")]
        tiers = [dict(t) for t in data.pop("tiers", [])]
        return comp.plan_create(by=self.context["request"].user, components=components, tiers=tiers, **data)


class PreviewInputSerializer(serializers.Serializer):
    values = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=10000, allow_null=True), required=False, default=dict,
        help_text=_("Metric code → value in percent (e.g. {\"quota_attainment\": 110}); codes the plan does not read are refused."))
    commission_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                                 allow_null=True)

    def validate_values(self, values):
        if len(values) > 30:
            raise serializers.ValidationError(_("At most 30 values."))
        return values


class ResultLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    key = serializers.CharField()
    label = serializers.CharField()
    metric = serializers.CharField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    weight = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    factor = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True)
    contribution = serializers.DecimalField(max_digits=14, decimal_places=2)
    notes = serializers.ListField(child=serializers.CharField())


class PreviewResultSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    bonus = serializers.DecimalField(max_digits=14, decimal_places=2)
    commission = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    lines = ResultLineSerializer(many=True)


class WhatIfRowSerializer(serializers.Serializer):
    payout = serializers.IntegerField()
    user = serializers.IntegerField()
    user_name = serializers.CharField()
    period_start = serializers.DateField()
    current = serializers.DecimalField(max_digits=14, decimal_places=2)
    preview = serializers.DecimalField(max_digits=14, decimal_places=2)
    difference = serializers.DecimalField(max_digits=14, decimal_places=2)


class NewVersionSerializer(serializers.Serializer):
    effective_from = serializers.DateField(required=False)


def preview_data(result, currency) -> dict:
    return {"total": result.total, "bonus": result.bonus, "commission": result.commission, "currency": currency,
            "lines": [{"kind": x.kind, "key": x.key, "label": x.label, "metric": x.metric, "value": x.value,
                       "weight": x.weight, "factor": x.factor, "contribution": x.contribution, "notes": list(x.notes)}
                      for x in result.lines]}


class CompensationPlanViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Bonus plans. A rep reads the published versions of their own plan, a manager the versions of
    their team's plans, administrators all (and create, version and publish them)."""

    serializer_class = CompensationPlanSerializer
    queryset = CompensationPlan.objects.none()
    filterset_fields = ["status", "period"]
    ordering_fields = ["name", "version", "effective_from"]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return read.plan_detail_queryset_for(user=self.request.user).order_by("name", "-version")

    def _fresh(self, plan) -> dict:
        return CompensationPlanSerializer(get_object_or_404(self.get_queryset(), pk=plan.pk)).data

    @extend_schema(request=PreviewInputSerializer, responses={200: PreviewResultSerializer},
                   summary="The calculator: the payout and its lines for explicit component values (writes nothing)")
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        plan = self.get_object()
        params = PreviewInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        result = comp.plan_preview(plan=plan, values=params.validated_data["values"],
                                   commission_amount=params.validated_data.get("commission_amount"))
        return Response(PreviewResultSerializer(preview_data(result, plan.currency)).data)

    @extend_schema(responses={200: WhatIfRowSerializer(many=True)},
                   summary="What-if: last period's payouts (that you may read) recomputed by this version")
    @action(detail=True, methods=["get"], url_path="what-if", filter_backends=[], pagination_class=None)
    def what_if(self, request, pk=None):
        rows = comp.plan_what_if(by=request.user, plan=self.get_object())
        return Response(WhatIfRowSerializer([
            {"payout": r["payout"].pk, "user": r["user"].pk, "user_name": str(r["user"]),
             "period_start": r["payout"].period_start, "current": r["current"], "preview": r["preview"],
             "difference": r["difference"]} for r in rows], many=True).data)

    @extend_schema(request=None, responses={200: CompensationPlanSerializer}, summary="Publish a draft version")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return Response(self._fresh(comp.plan_publish(by=request.user, plan=self.get_object())))

    @extend_schema(request=NewVersionSerializer, responses={201: CompensationPlanSerializer},
                   summary="A draft copy of this plan as its next version")
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        params = NewVersionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        plan = comp.plan_new_version(by=request.user, plan=self.get_object(),
                                     effective_from=params.validated_data.get("effective_from"))
        return Response(self._fresh(plan), status=status.HTTP_201_CREATED)


class PayoutDisputeSerializer(serializers.ModelSerializer):
    raised_by_name = serializers.CharField(source="raised_by", read_only=True)
    answered_by_name = serializers.CharField(source="answered_by", read_only=True, allow_null=True)

    class Meta:
        model = PayoutDispute
        fields = ["id", "line", "raised_by", "raised_by_name", "text", "status", "answer", "answered_by",
                  "answered_by_name", "created_at", "answered_at"]
        read_only_fields = fields


class PayoutLineSerializer(serializers.ModelSerializer):
    disputes = PayoutDisputeSerializer(many=True, read_only=True)
    record_count = serializers.SerializerMethodField()

    class Meta:
        model = PayoutLine
        fields = ["id", "kind", "component_key", "label", "metric_code", "value", "weight", "factor", "contribution",
                  "notes", "parts", "records_url", "record_count", "corrects_period_start", "disputes"]
        read_only_fields = fields

    def get_record_count(self, line) -> int:
        return len(line.record_ids or [])


class PayoutSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user", read_only=True)
    plan_name = serializers.CharField(source="plan", read_only=True)
    period = serializers.SerializerMethodField()
    lines = PayoutLineSerializer(many=True, read_only=True)

    class Meta:
        model = Payout
        fields = ["id", "user", "user_name", "plan", "plan_name", "period", "period_start", "period_end", "status",
                  "target_bonus", "bonus", "commission", "corrections", "total", "currency", "computed_at",
                  "approved_by", "approved_at", "lines"]
        read_only_fields = fields

    def get_period(self, payout) -> str:
        return period_label(payout.period_start, payout.plan.period)


class PayoutViewSet(viewsets.ReadOnlyModelViewSet):
    """Payouts with their explained lines: a rep reads their own, a manager their team's."""

    serializer_class = PayoutSerializer
    filterset_class = PayoutFilterSet
    queryset = Payout.objects.none()
    ordering_fields = ["period_start", "total"]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return read.payout_detail_queryset_for(user=self.request.user).order_by("-period_start", "user__username", "id")

    @extend_schema(request=None, responses={200: PayoutSerializer},
                   summary="Approve a computed payout (the person's manager, after the period)")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        payout = comp.payout_approve(by=request.user, payout=self.get_object())
        return Response(PayoutSerializer(get_object_or_404(self.get_queryset(), pk=payout.pk)).data)


class DisputeRaiseSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class DisputeAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000)


class PayoutLineViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One payout line (of a payout you may read); its person disputes it."""

    serializer_class = PayoutLineSerializer
    queryset = PayoutLine.objects.none()
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return read.payout_line_queryset_for(user=self.request.user).prefetch_related("disputes")

    @extend_schema(request=DisputeRaiseSerializer, responses={201: PayoutDisputeSerializer},
                   summary="Dispute this line of your own statement")
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        params = DisputeRaiseSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        dispute = comp.dispute_raise(by=request.user, line=self.get_object(), text=params.validated_data["text"])
        return Response(PayoutDisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


class PayoutDisputeViewSet(viewsets.ReadOnlyModelViewSet):
    """Disputes on payout lines you may read; the person's manager answers them."""

    serializer_class = PayoutDisputeSerializer
    queryset = PayoutDispute.objects.none()
    filterset_fields = ["status"]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return read.dispute_queryset_for(user=self.request.user).select_related("answered_by").order_by("-created_at", "-id")

    @extend_schema(request=DisputeAnswerSerializer, responses={200: PayoutDisputeSerializer},
                   summary="Answer a dispute (the person's manager)")
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        params = DisputeAnswerSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        dispute = comp.dispute_answer(by=request.user, dispute=self.get_object(), answer=params.validated_data["answer"])
        return Response(PayoutDisputeSerializer(dispute).data)
