"""Admin: KPI snapshots and goals are read here; goals are set on the goals page or the API (one door)."""
from django.contrib import admin

from .models import Goal, KpiSnapshot, SnapshotJob


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["metric", "scope", "scope_id", "period_kind", "period_start", "period_end", "value", "count"]
    list_filter = ["period_kind", "scope", "metric"]
    date_hierarchy = "period_start"


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ["metric", "scope", "team", "owner", "baseline", "target", "start", "deadline", "status", "pace"]
    list_filter = ["status", "pace", "scope"]


@admin.register(SnapshotJob)
class SnapshotJobAdmin(ReadOnlyAdmin):
    list_display = ["start", "end", "metric", "status", "processed", "total", "written", "created_by", "created_at"]
