from django.db.models import Q
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied

from teams.models import User
from teams.predicates import can_run_snapshots

from .. import goal_services, snapshots
from ..filters import GoalFilterSet, KpiSnapshotFilterSet
from ..goal_selectors import goal_queryset_for
from ..models import KpiSnapshot, SnapshotJob
from .goal_serializers import GoalSerializer, KpiSnapshotSerializer, SnapshotJobSerializer


class GoalViewSet(viewsets.ModelViewSet):
    """SMART goals the user may see (organisation goals: everyone; a team's: its members and manager;
    a rep's: the rep and their manager). Setting, changing and removing go through the goal services:
    admins any scope, managers their teams and reps, marketing organisation goals on lead metrics."""

    serializer_class = GoalSerializer
    filterset_class = GoalFilterSet
    ordering_fields = ["deadline", "start", "metric"]

    def get_queryset(self):
        return goal_queryset_for(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = goal_services.goal_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = goal_services.goal_update(goal=serializer.instance, by=self.request.user,
                                                        **serializer.validated_data)

    def perform_destroy(self, instance):
        goal_services.goal_delete(goal=instance, by=self.request.user)


class KpiSnapshotViewSet(viewsets.ReadOnlyModelViewSet):
    """Immutable KPI snapshots of the scopes the user may see: the organisation's for everyone, their
    team's (or managed teams') and their own (or their reps'); admins all."""

    serializer_class = KpiSnapshotSerializer
    filterset_class = KpiSnapshotFilterSet
    queryset = KpiSnapshot.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        user = self.request.user
        rows = KpiSnapshot.objects.all()
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        if user.is_admin_role:
            return rows
        teams = set(user.managed_teams.values_list("pk", flat=True)) | ({user.team_id} if user.team_id else set())
        reps = set(User.objects.filter(team__manager=user).values_list("pk", flat=True)) | {user.pk}
        return rows.filter(Q(scope="organisation") | Q(scope="team", scope_id__in=teams)
                           | Q(scope="rep", scope_id__in=reps))


class SnapshotJobViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """On-demand KPI snapshot runs (managers and admins): POST {start, end, metric} — all optional,
    default yesterday and every metric; complete days only. Follow `percent` until `done`."""

    serializer_class = SnapshotJobSerializer
    queryset = SnapshotJob.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        if not can_run_snapshots(self.request.user):
            raise PermissionDenied()
        return snapshots.snapshot_job_queryset_for(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = snapshots.snapshot_job_create(by=self.request.user, **serializer.validated_data)
