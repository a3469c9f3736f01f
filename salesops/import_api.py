"""API glue shared by the import job endpoints of every app (salesops.jobs.ImportJobBase)."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    file = serializers.CharField()
    column = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField(source="total_rows")
    to_create = serializers.IntegerField()
    created = serializers.IntegerField()
    moved = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    duplicates = serializers.SerializerMethodField()
    first_and_last_id = serializers.ListField(source="ids", child=serializers.IntegerField())
    counts = serializers.DictField(child=serializers.IntegerField())
    preview = serializers.ListField(child=serializers.DictField())

    def get_duplicates(self, result) -> int:
        return len(result.duplicates)


class ImportJobSerializer(serializers.ModelSerializer):
    """A job's progress (`processed` of `total` rows), its outcome, the failure reason and row errors."""

    percent = serializers.IntegerField(read_only=True)
    error_count = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()

    class Meta:
        fields = ["id", "preview", "status", "file_name", "total", "processed", "percent", "error", "error_count",
                  "errors", "summary", "attempts", "created_at", "started_at", "finished_at"]
        read_only_fields = fields

    def get_error_count(self, job) -> int:
        return job.outcome.error_count

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_errors(self, job):
        return [error.as_dict() for error in job.outcome.errors]

    @extend_schema_field(ImportSummarySerializer(allow_null=True))
    def get_summary(self, job):
        return ImportSummarySerializer(job.outcome).data if job.result else None


def require(allowed: bool, message: str | None = None) -> None:
    """403 with a message unless a predicate allowed the call."""
    if not allowed:
        raise PermissionDenied(message or _("You may not do this."))
