from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from teams.api.permissions import ScopedQuerysetMixin

from .. import services
from salesops.sync import SyncViewSetMixin

from ..filters import LeadApiFilterSet
from ..models import Lead
from ..selectors import LEAD_READ_ALL_ROLES
from .routing import LeadRoutingActionsMixin
from .upsert import LeadUpsertActionMixin
from .serializers import LeadDisqualifySerializer, LeadSerializer, LeadTransitionSerializer

CONFLICT = OpenApiResponse(description="changed by someone else: {detail, version}")


class LeadViewSet(LeadUpsertActionMixin, SyncViewSetMixin, LeadRoutingActionsMixin, ScopedQuerysetMixin, viewsets.ModelViewSet):
    """Leads. Reps see and change their own, managers their team's, marketing reads all.

    `status` is read-only: it changes with the actions (`touch`, `qualify`, `nurturing`, `disqualify`),
    by conversion and by the pool return. A changed `owner` is an assignment (audit row, notification,
    first-touch SLA). Send `version` to detect concurrent changes (409). Only admins delete (audited).
    """

    serializer_class = LeadSerializer
    filterset_class = LeadApiFilterSet
    queryset = Lead.objects.select_related("owner")
    scope_read_all_roles = LEAD_READ_ALL_ROLES
    ordering_fields = ["created_at", "name", "company", "company_size", "completeness", "updated_at", "id"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.lead_create(by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.lead_update(lead=serializer.instance, by=self.request.user,
                                                   expected_version=version, **data)

    def perform_destroy(self, instance):
        services.lead_delete(lead=instance, by=self.request.user)

    def _transition(self, service, params_class, extra=lambda data: {}):
        params = params_class(data=self.request.data)
        params.is_valid(raise_exception=True)
        lead = service(lead=self.get_object(), by=self.request.user,
                       expected_version=params.validated_data.get("version"), **extra(params.validated_data))
        return Response(self.get_serializer(lead).data)

    @extend_schema(request=LeadTransitionSerializer, responses={200: LeadSerializer, 409: CONFLICT},
                   summary="Mark a lead qualified (it may then be converted)")
    @action(detail=True, methods=["post"])
    def qualify(self, request, pk=None):
        return self._transition(services.lead_qualify, LeadTransitionSerializer)

    @extend_schema(request=LeadTransitionSerializer, responses={200: LeadSerializer, 409: CONFLICT},
                   summary="Move a lead to nurturing")
    @action(detail=True, methods=["post"])
    def nurturing(self, request, pk=None):
        return self._transition(services.lead_nurture, LeadTransitionSerializer)

    @extend_schema(request=LeadDisqualifySerializer, responses={200: LeadSerializer, 409: CONFLICT},
                   summary="Disqualify a lead, with a reason")
    @action(detail=True, methods=["post"])
    def disqualify(self, request, pk=None):
        return self._transition(services.lead_disqualify, LeadDisqualifySerializer,
                                extra=lambda data: {"reason": data["reason"]})
