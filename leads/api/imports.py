from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import ImportMapping
from ..services.imports import import_upload_read, leads_import


class LeadImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV file, UTF-8, at most 20 MB; the first row names the columns."))
    mapping = serializers.SlugRelatedField(slug_field="name", queryset=ImportMapping.objects.all(),
                                           help_text=_("Name of a saved import mapping."))
    dry_run = serializers.BooleanField(default=False, help_text=_("Validate and preview; save nothing."))


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class LeadImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField(source="total_rows")
    to_create = serializers.IntegerField()
    created = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)
    duplicates = serializers.ListField(child=serializers.DictField())
    preview = serializers.ListField(child=serializers.DictField())
    lead_ids = serializers.ListField(child=serializers.IntegerField(), help_text=_("First and last new lead id."))


class LeadImportApi(APIView):
    """Import leads from CSV with a saved mapping. Any row error: 400 and nothing saved.
    `dry_run`: 200 with the preview and every error."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": LeadImportInputSerializer},
                   responses={200: LeadImportResultSerializer, 201: LeadImportResultSerializer,
                              400: LeadImportResultSerializer})
    def post(self, request):
        serializer = LeadImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = leads_import(by=request.user, data=import_upload_read(upload=data["file"]),
                              mapping=data["mapping"], dry_run=data["dry_run"])
        code = (status.HTTP_400_BAD_REQUEST if not result.ok
                else status.HTTP_200_OK if result.dry_run else status.HTTP_201_CREATED)
        return Response(LeadImportResultSerializer(result).data, status=code)
