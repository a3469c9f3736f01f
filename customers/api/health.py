"""Health over the API: health models as data (/health-models/) and an account's health with its
explanation (/accounts/{id}/health/). Writes go through customers.services.health."""
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from teams.predicates import can_manage_health_models, is_active_user

from .. import health as rules
from ..models import HealthBand, HealthComponent, HealthModel
from ..selectors import account_health_explained, account_queryset_for, health_model_queryset
from ..services.health import health_model_delete, health_model_save


# --- serializers ----------------------------------------------------------------------------------
class HealthComponentSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=HealthComponent.Code.choices)
    weight = serializers.IntegerField(min_value=1, max_value=rules.MAX_WEIGHT)
    parameters = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=10_000), required=False,
                                       default=dict, help_text="Whole-number parameters of the component "
                                       "(see the README for each component's names and bounds).")


class HealthBandSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=HealthBand.Code.choices)
    min = serializers.IntegerField(min_value=0, max_value=100)
    max = serializers.IntegerField(min_value=0, max_value=100)


class HealthModelSerializer(serializers.ModelSerializer):
    components = HealthComponentSerializer(many=True, max_length=rules.MAX_COMPONENTS, min_length=1)
    bands = HealthBandSerializer(many=True, max_length=len(rules.BAND_CODES), min_length=1)

    class Meta:
        model = HealthModel
        fields = ["id", "name", "segment", "onboarding_days", "is_active", "priority", "components", "bands",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class HealthPartSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="null: no data, the component is left out")
    sub_score = serializers.FloatField(allow_null=True)
    weight = serializers.IntegerField()
    normalised_weight = serializers.FloatField()
    contribution = serializers.FloatField()
    left_out = serializers.BooleanField()


class HealthHistorySerializer(serializers.Serializer):
    day = serializers.DateField()
    score = serializers.IntegerField(allow_null=True)
    band = serializers.CharField()
    model_id = serializers.IntegerField(allow_null=True)


class AccountHealthSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    score = serializers.IntegerField(allow_null=True)
    band = serializers.CharField()
    band_label = serializers.CharField()
    model = serializers.DictField(allow_null=True)
    computed_at = serializers.DateTimeField()
    trend = serializers.ChoiceField(choices=["up", "down", "flat", ""],
                                    help_text="Score now vs 30 days ago under the same model; empty when "
                                              "there is no comparable score.")
    components = HealthPartSerializer(many=True)
    history = HealthHistorySerializer(many=True)


# --- views ------------------------------------------------------------------------------------------
class CanManageHealthModelsOrReadOnly(BasePermission):
    """Everyone signed in reads health models (scores are explainable); success and admins write."""

    def has_permission(self, request, view):
        if not is_active_user(request.user):
            return False
        return request.method in SAFE_METHODS or can_manage_health_models(request.user)


def _service_args(data: dict) -> dict:
    args = {k: data[k] for k in ("name", "segment", "onboarding_days", "is_active", "priority") if k in data}
    if "components" in data:
        args["components"] = [dict(c) for c in data["components"]]
    if "bands" in data:
        args["bands"] = [dict(b) for b in data["bands"]]
    return args


@extend_schema_view(
    create=extend_schema(responses={201: HealthModelSerializer, 400: OpenApiResponse(OpenApiTypes.OBJECT),
                                    403: OpenApiResponse(OpenApiTypes.OBJECT)}),
    update=extend_schema(responses={200: HealthModelSerializer, 400: OpenApiResponse(OpenApiTypes.OBJECT),
                                    403: OpenApiResponse(OpenApiTypes.OBJECT),
                                    404: OpenApiResponse(OpenApiTypes.OBJECT)}),
    partial_update=extend_schema(responses={200: HealthModelSerializer, 400: OpenApiResponse(OpenApiTypes.OBJECT),
                                            403: OpenApiResponse(OpenApiTypes.OBJECT),
                                            404: OpenApiResponse(OpenApiTypes.OBJECT)}),
    destroy=extend_schema(responses={204: None, 403: OpenApiResponse(OpenApiTypes.OBJECT),
                                     404: OpenApiResponse(OpenApiTypes.OBJECT)}),
)
class HealthModelViewSet(viewsets.ModelViewSet):
    """Health models as data: per segment (every account, or an account's first days as a customer),
    weighted components with bounded parameters, and bands covering 0–100. Everyone reads them;
    customer success and administrators change them (scores follow at the next recompute)."""

    serializer_class = HealthModelSerializer
    permission_classes = [CanManageHealthModelsOrReadOnly]
    queryset = HealthModel.objects.none()  # for the schema; requests read get_queryset()

    def get_queryset(self):
        return health_model_queryset()

    def perform_create(self, serializer):
        serializer.instance = health_model_save(by=self.request.user, **_service_args(serializer.validated_data))

    def perform_update(self, serializer):
        model = serializer.instance
        args = {"name": model.name, "segment": model.segment, "onboarding_days": model.onboarding_days,
                "is_active": model.is_active, "priority": model.priority}
        args.update(_service_args(serializer.validated_data))
        serializer.instance = health_model_save(by=self.request.user, model=model, **args)

    def perform_destroy(self, instance):
        health_model_delete(by=self.request.user, model=instance)


class AccountHealthApi(APIView):
    """An account's health: score, band, the model that scored it, trend (like with like), and per
    component its value, sub-score, weight, normalised weight and contribution (contributions add up to
    the score before rounding; a component with no data is left out and its weight spread over the
    rest), with the last 180 days of history. 404 for an account you may not see or never scored."""

    @extend_schema(operation_id="accounts_health_retrieve",
                   responses={200: AccountHealthSerializer, 404: OpenApiResponse(OpenApiTypes.OBJECT)})
    def get(self, request, pk: int):
        account = account_queryset_for(user=request.user).filter(pk=pk).first()
        explained = account_health_explained(account=account) if account is not None else None
        if explained is None:
            raise NotFound(_("No health score for this account yet."))
        model = explained["model"]
        return Response(AccountHealthSerializer({
            "account": account.pk, "score": explained["score"], "band": explained["band"],
            "band_label": explained["band_label"],
            "model": {"id": model.pk, "name": model.name} if model else None,
            "computed_at": explained["computed_at"], "trend": explained["trend"],
            "components": explained["parts"], "history": explained["history"]}).data)
