"""REST API of integrations: the change feed (any signed-in caller, scoped), webhook subscriptions
and deliveries, integration keys (administrators)."""
from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.api import QuerySerializer
from teams.predicates import can_manage_integrations

from .. import events, services
from ..models import DeliveryAttempt
from ..selectors import change_feed_for, delivery_queryset, key_queryset, subscription_queryset
from .serializers import (
    ChangeEventSerializer, ChangeFeedSerializer, ChangeQuerySerializer, DeliverySerializer, WebhookEventTypeSerializer,
    IntegrationKeyCreatedSerializer, IntegrationKeySerializer, RotateSerializer, SubscriptionCreatedSerializer,
    SubscriptionSerializer,
)


class ManagesIntegrations(permissions.BasePermission):
    def has_permission(self, request, view):
        return can_manage_integrations(request.user)


class _StrictQuery(ChangeQuerySerializer, QuerySerializer):
    pass


class ChangeFeedView(APIView):
    """Changes in id order, for pull-based sync: `GET /api/v1/changes/?after=<cursor>&limit=<n>`.
    Only changes of records you may see; `next_cursor` is the `after` of the next call."""

    @extend_schema(tags=["changes"], parameters=[ChangeQuerySerializer], responses={200: ChangeFeedSerializer})
    def get(self, request):
        query = _StrictQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        rows = list(change_feed_for(user=request.user, after=after, event_type=query.validated_data.get("event_type"),
                                    settle=timedelta(seconds=settings.INTEGRATIONS_CHANGES_SETTLE_SECONDS))[:limit + 1])
        page = rows[:limit]
        return Response({"results": ChangeEventSerializer(page, many=True).data,
                         "next_cursor": page[-1].pk if page else after, "has_more": len(rows) > limit})


class SubscriptionViewSet(viewsets.ModelViewSet):
    """Webhook subscriptions (administrators). The signing secret is in the creation answer and
    in `rotate-secret`'s; deliveries are signed with it (README "Webhooks")."""

    permission_classes = [permissions.IsAuthenticated, ManagesIntegrations]
    serializer_class = SubscriptionSerializer
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return subscription_queryset()

    @extend_schema(tags=["webhooks"], responses={201: SubscriptionCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.subscription_create(by=request.user, **serializer.validated_data)
        return Response(SubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.subscription_update(subscription=serializer.instance, by=self.request.user,
                                                           **serializer.validated_data)

    def perform_destroy(self, instance):
        services.subscription_delete(subscription=instance, by=self.request.user)

    @extend_schema(tags=["webhooks"], request=None, responses={200: SubscriptionCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        subscription = services.subscription_rotate_secret(subscription=self.get_object(), by=request.user)
        return Response(SubscriptionCreatedSerializer(subscription).data)

    @extend_schema(tags=["webhooks"], responses={200: WebhookEventTypeSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="event-types", pagination_class=None, filter_backends=[])
    def event_types(self, request):
        """The event types a subscription may choose."""
        return Response(WebhookEventTypeSerializer([{"code": t.code, "name": str(t.label), "object_type": t.object_type}
                                             for t in events.event_types()], many=True).data)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log (administrators): status code, response excerpt, duration and attempts."""

    permission_classes = [permissions.IsAuthenticated, ManagesIntegrations]
    serializer_class = DeliverySerializer
    filterset_fields = ["subscription", "status"]
    ordering_fields = ["id", "created_at"]

    def get_queryset(self):
        return delivery_queryset().prefetch_related(Prefetch("attempt_log", DeliveryAttempt.objects.order_by("number")))

    @extend_schema(tags=["webhooks"], request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        again = services.delivery_redeliver(delivery=self.get_object(), by=request.user)
        return Response(DeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)


class IntegrationKeyViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    """Integration keys (administrators, signed in as themselves: keys cannot manage keys).
    The key itself is in the creation (and rotation) answer only."""

    permission_classes = [permissions.IsAuthenticated, ManagesIntegrations]
    serializer_class = IntegrationKeySerializer

    def get_queryset(self):
        return key_queryset()

    @extend_schema(tags=["integration keys"], responses={201: IntegrationKeyCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row, key = services.key_create(by=request.user, **serializer.validated_data)
        row.key = key
        return Response(IntegrationKeyCreatedSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=["integration keys"], request=RotateSerializer, responses={201: IntegrationKeyCreatedSerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        options = RotateSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        row, key = services.key_rotate(key=self.get_object(), by=request.user, **options.validated_data)
        row.key = key
        return Response(IntegrationKeyCreatedSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=["integration keys"], request=None, responses={200: IntegrationKeySerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return Response(IntegrationKeySerializer(services.key_revoke(key=self.get_object(), by=request.user)).data)
