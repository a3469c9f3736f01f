"""CSV import of leads through the API: a background job (202), followed with GET …/lead-import-jobs/{id}/."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a ValueError
from rest_framework.parsers import FormParser

from salesops.parsers import StrictMultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.import_api import ImportJobSerializer, require
from salesops.imports import upload_read
from teams.predicates import can_import

from ..models import ImportMapping, LeadImportJob
from ..selectors import lead_import_job_queryset_for
from ..services.imports import lead_import_job_confirm, lead_import_job_start


class LeadImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy(
        "CSV file, UTF-8, at most SALESOPS_IMPORT_MAX_BYTES (20 MB by default); the first row names the columns."))
    mapping = serializers.SlugRelatedField(slug_field="name", queryset=ImportMapping.objects.all(),
                                           help_text=gettext_lazy("Name of a saved import mapping."))
    dry_run = serializers.BooleanField(default=False, help_text=gettext_lazy(
        "Preview: check every row and save nothing (confirm it with …/lead-import-jobs/{id}/confirm/)."))


class LeadImportJobSerializer(ImportJobSerializer):
    class Meta(ImportJobSerializer.Meta):
        model = LeadImportJob
        fields = [*ImportJobSerializer.Meta.fields, "preview_of"]
        read_only_fields = fields


class LeadImportApi(APIView):
    """Start a lead import (or a preview with `dry_run`) as a background job: 202 with the job.
    The file's size, text and mapped columns are checked at once (400); rows are checked by the job,
    which ends `done` or `failed` with its reason and row errors (all rows or none are imported)."""

    parser_classes = [StrictMultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": LeadImportInputSerializer}, responses={202: LeadImportJobSerializer})
    def post(self, request):
        require(can_import(request.user, "leads"), _("You may not import leads."))
        serializer = LeadImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = lead_import_job_start(by=request.user, data=upload_read(upload=data["file"]), file_name=data["file"].name,
                                    mapping=data["mapping"], preview=data["dry_run"])
        return Response(LeadImportJobSerializer(job).data, status=202)


class LeadImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your lead import jobs (administrators: all): status, progress, failure reason, row errors."""

    serializer_class = LeadImportJobSerializer
    queryset = LeadImportJob.objects.none()
    filterset_fields = ["status", "preview"]

    def get_queryset(self):
        return lead_import_job_queryset_for(user=self.request.user)

    @extend_schema(request=None, responses={202: LeadImportJobSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Import the file a finished preview (dry run) checked: 202 with the new job."""
        preview = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(LeadImportJobSerializer(lead_import_job_confirm(by=request.user, job=preview)).data, status=202)
