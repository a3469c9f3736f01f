from rest_framework import serializers

from teams.models import User

from ..models import Lead
from ..services import EDITABLE_FIELDS


class LeadSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Lead
        fields = ["id", *EDITABLE_FIELDS, "completeness", "created_at", "updated_at"]
        read_only_fields = ["completeness", "created_at", "updated_at"]
        validators = []  # email uniqueness is checked (case-insensitively) by the service
        extra_kwargs = {"email": {"validators": []}}
