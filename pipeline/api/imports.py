"""Maven CRM import through the API: POST the four files (202 with the job), then GET the job."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.parsers import FormParser

from salesops.parsers import StrictMultiPartParser
from rest_framework.response import Response

from salesops.import_api import ImportJobSerializer, require
from salesops.imports import upload_read
from teams.predicates import can_import

from .. import maven
from ..importing import FILES, opportunity_import_job_start
from ..models import OpportunityImportJob
from ..selectors import opportunity_import_job_queryset_for


class OpportunityImportInputSerializer(serializers.Serializer):
    pipeline = serializers.FileField(help_text=gettext_lazy("sales_pipeline.csv"))
    accounts = serializers.FileField(help_text=gettext_lazy("accounts.csv"))
    products = serializers.FileField(help_text=gettext_lazy("products.csv"))
    teams = serializers.FileField(help_text=gettext_lazy("sales_teams.csv"))
    engaging_stage = serializers.ChoiceField(choices=maven.ENGAGING_CHOICES, default="needs_confirmed")


class OpportunityImportJobSerializer(ImportJobSerializer):
    class Meta(ImportJobSerializer.Meta):
        model = OpportunityImportJob


class OpportunityImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                                  viewsets.GenericViewSet):
    """Imports of the Maven CRM layout: your jobs (administrators: all) with status, progress,
    failure reason and row errors. POST the four files to start one (202)."""

    serializer_class = OpportunityImportJobSerializer
    queryset = OpportunityImportJob.objects.none()
    filterset_fields = ["status"]

    def get_parsers(self):
        if getattr(self, "action", None) == "create" or getattr(self.request, "method", "") == "POST":
            return [StrictMultiPartParser(), FormParser()]
        return super().get_parsers()

    def get_queryset(self):
        return opportunity_import_job_queryset_for(user=self.request.user)

    @extend_schema(request={"multipart/form-data": OpportunityImportInputSerializer},
                   responses={202: OpportunityImportJobSerializer})
    def create(self, request, *args, **kwargs):
        require(can_import(request.user, "opportunities"), _("You may not import opportunities."))
        params = OpportunityImportInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = {key: upload_read(upload=params.validated_data[key], field_name=key) for key, _name in FILES}
        job = opportunity_import_job_start(by=request.user, data=data,
                                           engaging_stage=params.validated_data["engaging_stage"])
        return Response(OpportunityImportJobSerializer(job).data, status=202)
