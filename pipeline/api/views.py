from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.api.serializers import ActivitySerializer
from teams.api.permissions import ScopedQuerysetMixin
from teams.selectors import VIEW, scope_for_user

from .. import services
from salesops.sync import SyncViewSetMixin

from ..filters import OpportunityApiFilterSet
from ..models import Approval, Competitor, LossReason, Opportunity
from ..selectors import metrics, opportunity_activities, opportunity_queryset_for, stage_queryset_with_criteria
from .serializers import (
    ApprovalRequestSerializer, ApprovalSerializer, CompetitorSerializer, CorrectionSerializer, ForecastAccuracyQuerySerializer,
    ForecastAccuracySerializer, ForecastQuerySerializer, ForecastSerializer, FunnelQuerySerializer, FunnelSerializer,
    LossReasonSerializer, OpportunitySerializer, StageSerializer, StageTransitionSerializer,
    TransitionConflictSerializer, TransitionRefusedSerializer, TransitionSerializer,
)
from .checklist import ChecklistActionsMixin
from .winprob import WinProbabilityActionMixin
from .serializers import OpportunityActivitySerializer


def _conflict(exc: services.TransitionConflict) -> Response:
    return Response({"detail": exc.messages[0], "code": "version_conflict", "version": exc.current_version,
                     "stage": exc.current_stage.pk},
                    status=status.HTTP_409_CONFLICT)


class OpportunityViewSet(WinProbabilityActionMixin, ChecklistActionsMixin, SyncViewSetMixin, ScopedQuerysetMixin,
                         viewsets.ModelViewSet):
    """Opportunities. Reps see and change their own, managers their team's, admins all.

    The stage is read-only here: it changes only with `POST …/{id}/transition/`, through the gates.
    New deals start in the first stage. A closed deal's amount, discount, close date and currency are
    frozen (400 "Reopen the deal to change …"): reopen it with a transition back to an open stage, or
    an administrator corrects it with `POST …/{id}/correct/` (reason required, in the ledger).
    Only admins delete (`opportunity_delete`: audited; the stage ledger stays, with the deal's id).
    """

    serializer_class = OpportunitySerializer
    filterset_class = OpportunityApiFilterSet
    queryset = Opportunity.objects.select_related("stage").prefetch_related("competitors", "lines")
    ordering_fields = ["created_at", "amount", "expected_close_date", "name", "updated_at", "id"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.opportunity_create(by=self.request.user, **data)

    def update(self, request, *args, **kwargs):
        try:
            return super().update(request, *args, **kwargs)
        except services.TransitionConflict as exc:
            return _conflict(exc)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.opportunity_update(opportunity=serializer.instance, by=self.request.user,
                                                          expected_version=version, **data)

    def perform_destroy(self, instance):
        services.opportunity_delete(opportunity=instance, by=self.request.user)

    @extend_schema(request=CorrectionSerializer, responses={200: OpportunitySerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Administrators: correct a closed deal's commercial fields without reopening it (audited in the
        ledger as a "correction" with the reason and every old -> new value)."""
        opportunity = self.get_object()
        params = CorrectionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        opportunity = services.opportunity_correct_closed(opportunity=opportunity, by=request.user,
                                                          reason=data.pop("reason"), **data)
        return Response(OpportunitySerializer(opportunity, context=self.get_serializer_context()).data)

    @extend_schema(request=TransitionSerializer, responses={
        200: OpportunitySerializer, 400: OpenApiResponse(TransitionRefusedSerializer, description="unmet criteria"),
        409: OpenApiResponse(TransitionConflictSerializer, description="changed by someone else")})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        opportunity = self.get_object()
        params = TransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            opportunity = services.opportunity_transition(
                opportunity=opportunity, to_stage=data["stage"], by=request.user, reason=data["reason"],
                expected_version=data.get("version"), loss_reason=data.get("loss_reason"),
                competitors=[data["competitor"]] if data.get("competitor") else None)
        except services.TransitionConflict as exc:
            return _conflict(exc)
        except services.TransitionRefused as exc:
            return Response({"detail": " ".join(exc.messages), "code": "unmet_criteria", "unmet": exc.unmet},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(OpportunitySerializer(opportunity, context=self.get_serializer_context()).data)

    @extend_schema(responses=StageTransitionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])  # one deal's whole list
    def history(self, request, pk=None):
        transitions = self.get_object().transitions.order_by("at", "id")
        return Response(StageTransitionSerializer(transitions, many=True).data)

    @extend_schema(methods=["GET"], responses=ActivitySerializer(many=True))
    @extend_schema(methods=["POST"], request=OpportunityActivitySerializer, responses={201: ActivitySerializer})
    @action(detail=True, methods=["get", "post"])
    def activities(self, request, pk=None):
        """The deal's activities (GET, paginated); POST logs one on the deal's account, linked to the deal."""
        opportunity = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(opportunity_activities(opportunity=opportunity, limit=None))
            return self.get_paginated_response(ActivitySerializer(page, many=True).data)
        params = OpportunityActivitySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        activity = services.opportunity_activity_log(opportunity=opportunity, by=request.user,
                                                           **params.validated_data)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ApprovalRequestSerializer, responses={201: ApprovalSerializer})
    @action(detail=True, methods=["post"], url_path="request-approval")
    def request_approval(self, request, pk=None):
        opportunity = self.get_object()
        params = ApprovalRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        approval = services.approval_request(opportunity=opportunity, by=request.user,
                                             note=params.validated_data["note"])
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)


class StageViewSet(viewsets.ReadOnlyModelViewSet):
    """Pipeline stages in order, with their entry/exit criteria and checklist items."""

    serializer_class = StageSerializer
    queryset = stage_queryset_with_criteria()
    filterset_class = None
    pagination_class = None


class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Manager approvals on the deals you can see; the owner's team manager or an admin decides."""

    serializer_class = ApprovalSerializer
    queryset = Approval.objects.select_related("opportunity")
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return scope_for_user(self.queryset.all(), user=self.request.user, owner_field="opportunity__owner",
                              action=VIEW)

    def _decide(self, request, approve: bool):
        params = ApprovalRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            approval = services.approval_decide(approval=self.get_object(), by=request.user, approve=approve,
                                                note=params.validated_data["note"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(ApprovalSerializer(approval).data)

    @extend_schema(request=ApprovalRequestSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=ApprovalRequestSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)


class CompetitorViewSet(viewsets.ReadOnlyModelViewSet):
    """Competitors with their battlecards (edited in the admin)."""

    serializer_class = CompetitorSerializer
    queryset = Competitor.objects.all()


class LossReasonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LossReasonSerializer
    queryset = LossReason.objects.all()
    pagination_class = None



# --- metrics and forecast: read-only figures, scoped by the permission layer ---------------------
def _scoped_filtered(request, params: dict):
    return opportunity_queryset_for(user=request.user, team=params.get("team"), owner=params.get("owner"))


class FunnelMetricsApi(APIView):
    """Funnel figures for a period: per-stage count and amount, stage conversion, win rate, sales cycle,
    won value per owner / team / product / sector. A rep gets their own figures, a manager their team's,
    an admin everyone's; `team` / `owner` narrow that further. See the README for the definitions."""

    @extend_schema(parameters=[FunnelQuerySerializer], responses={200: FunnelSerializer})
    def get(self, request):
        params = FunnelQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        figures = metrics.funnel_figures(queryset=_scoped_filtered(request, data), start=data["start"], end=data["end"])
        return Response(FunnelSerializer(figures).data)


class ForecastApi(APIView):
    """The current forecast of the month or quarter: per rep, per team (managers, admins) and in total.
    Weighted = won + open amount x chosen probability (the rep's, else the model's, else the stage's)."""

    @extend_schema(parameters=[ForecastQuerySerializer], responses={200: ForecastSerializer})
    def get(self, request):
        params = ForecastQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        figures = metrics.forecast_current(user=request.user, queryset=_scoped_filtered(request, data),
                                           kind=data["period"], day=data.get("date") or timezone.localdate())
        return Response(ForecastSerializer(figures).data)


class ForecastAccuracyApi(APIView):
    """Forecast accuracy of past periods: the weekly snapshot taken at each period's start against what
    was actually won, per rep, team (managers, admins) and everyone (admins)."""

    @extend_schema(parameters=[ForecastAccuracyQuerySerializer], responses={200: ForecastAccuracySerializer})
    def get(self, request):
        params = ForecastAccuracyQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        rows = metrics.forecast_accuracy(user=request.user, queryset=_scoped_filtered(request, data),
                                         kind=data["period"], day=data.get("date") or timezone.localdate(),
                                         periods=data["periods"], team=data.get("team"), owner=data.get("owner"))
        return Response(ForecastAccuracySerializer({"period": data["period"], "results": rows}).data)
