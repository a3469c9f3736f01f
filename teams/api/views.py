from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..filters import QuotaFilterSet, UserFilterSet
from ..models import Quota, Team
from .permissions import ReadOnlyOrAdminRole, ScopedQuerysetMixin
from .serializers import QuotaSerializer, TeamSerializer, UserSerializer


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


@extend_schema(tags=["auth"])
class TokenView(ObtainAuthToken):
    """POST username and password; returns `{"token": "<key>"}` for `Authorization: Token <key>`."""
