from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops import metrics as registry
from teams.models import Team, User

from ..models import Goal, KpiSnapshot, SnapshotJob


class GoalSerializer(serializers.ModelSerializer):
    """A goal; `better`, the baseline source, pace, last value and status are read-only (the
    baseline may be given, else it comes from the snapshot of the month before the start)."""

    metric = serializers.CharField(max_length=60)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                               allow_null=True)
    metric_name = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    # "" until the first daily check has measured the goal
    pace = serializers.ChoiceField(choices=Goal.Pace.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "metric", "metric_name", "scope", "team", "owner", "baseline", "baseline_source", "target",
                  "better", "start", "deadline", "note", "status", "pace", "current", "progress", "checked_at",
                  "created_by", "created_at"]
        read_only_fields = ["baseline_source", "better", "status", "pace", "current", "checked_at", "created_by",
                            "created_at"]

    def validate_metric(self, value):
        if registry.find(value) is None:
            raise serializers.ValidationError(_("Unknown metric “%(code)s”.") % {"code": value})
        return value

    def get_metric_name(self, goal) -> str:
        metric = registry.find(goal.metric)
        return str(metric.name) if metric else goal.metric

    def get_progress(self, goal) -> float | None:
        from ..goals import progress

        return progress(goal.baseline, goal.target, goal.current) if goal.baseline is not None else None


class KpiSnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiSnapshot
        fields = ["id", "metric", "scope", "scope_id", "period_kind", "period_start", "period_end", "value", "count",
                  "per_currency", "computed_at"]


class SnapshotJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = SnapshotJob
        fields = ["id", "status", "start", "end", "metric", "total", "processed", "percent", "written", "error",
                  "created_by", "created_at", "started_at", "finished_at"]
        read_only_fields = ["status", "total", "processed", "written", "error", "created_by", "created_at",
                            "started_at", "finished_at"]
        extra_kwargs = {"start": {"required": False}, "end": {"required": False}, "metric": {"required": False}}
