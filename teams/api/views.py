from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.throttling import LoginThrottle

from .. import selectors, services
from ..authentication import lockout_response, token_expires_at
from ..filters import QuotaFilterSet, UserFilterSet
from ..models import Quota, Team
from ..services import token_issue, tokens_revoke
from .permissions import ReadOnlyOrAdminRole, ScopedQuerysetMixin
from .serializers import QuotaSerializer, TeamSerializer, TokenSerializer, UserSerializer


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """People: readable by every signed-in user (names, roles, teams)."""

    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "last_name", "role"]

    def get_queryset(self):
        return selectors.user_directory_for(user=self.request.user)

    @action(detail=False)
    def me(self, request):
        return Response(UserSerializer(request.user).data)


class TeamViewSet(viewsets.ModelViewSet):
    """Teams: readable by every signed-in user; created, changed and deleted by admins, through
    teams.services (audited; a team with members is not deleted)."""

    serializer_class = TeamSerializer
    permission_classes = [ReadOnlyOrAdminRole]
    queryset = Team.objects.none()
    filterset_fields = ["manager"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.team_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.team_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.team_update(team=serializer.instance, by=self.request.user,
                                                   **serializer.validated_data)

    def perform_destroy(self, instance):
        services.team_delete(team=instance, by=self.request.user)


class QuotaViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Quotas: a rep reads their own, a manager their team's, an admin all."""

    serializer_class = QuotaSerializer
    filterset_class = QuotaFilterSet
    queryset = Quota.objects.select_related("user")
    scope_owner_field = "user"
    ordering_fields = ["period_start", "amount"]


@method_decorator(transaction.non_atomic_requests, name="dispatch")  # failed attempts are kept
class TokenView(ObtainAuthToken):
    """POST username and password; returns `{"token": "<key>", "expires_at": …}` for
    `Authorization: Token <key>`. After too many wrong passwords the login is locked: 429."""

    authentication_classes = []  # a stale `Authorization` header must not stop a new login
    throttle_classes = [LoginThrottle]  # per address, whatever the usernames tried (429, Retry-After)

    @extend_schema(tags=["auth"], request=AuthTokenSerializer,
                   responses={200: TokenSerializer, 400: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():  # answered, not raised: an error would roll back the failure count
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        token = token_issue(user=serializer.validated_data["user"])
        return Response(TokenSerializer({"token": token.key, "expires_at": token_expires_at(token)}).data)


class TokenRevokeView(APIView):
    """Revoke the caller's API token: it stops working at once. Ask for a new one to go on."""

    @extend_schema(tags=["auth"], request=None, responses={204: None})
    def post(self, request):
        tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
