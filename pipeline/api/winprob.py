"""The learnt win probability through the API (issue 16 items 4–5).

- `GET /api/v1/opportunities/{id}/probability/`: the deal's stage, model and rep probabilities with
  the model's provenance and the factors behind it (scoped like the deal: 404 for a deal you cannot see).
- `/api/v1/win-models/`: the trainings with their inputs and figures (read: anyone signed in; the
  figures are organisation-wide aggregates, no deal is named); `POST` queues a training (managers and
  admins, `teams.predicates.can_train_win_model`); `…/{id}/rerun/` trains again on the same inputs;
  `…/{id}/activate/` and `…/{id}/deactivate/` choose the source of the model probability (admins).
"""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from .. import services
from ..models import WinProbabilityModel
from ..selectors.winprob import excluded_in_words, win_model_list, win_probability_for


class FactorSerializer(serializers.Serializer):
    feature = serializers.CharField(help_text="days_in_stage, age, amount, amount_unknown, discount, "
                                              "activities_<kind>, stage, team, product or source.")
    levels = serializers.ListField(child=serializers.CharField(),
                                   help_text="For a category: the deal's own level ids (or codes).")
    direction = serializers.ChoiceField(choices=["above", "below", "is"],
                                        help_text="A number above or below its training average; a category.")
    points = serializers.FloatField(help_text="Percentage points this factor adds to (or takes from) the "
                                              "probability, against the factor at its training average.")
    text = serializers.CharField(help_text="The factor in words, in the user's language.")
    label = serializers.CharField(help_text="Words and points, e.g. “Amount above average +6 pts”.")


class ModelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trained_at = serializers.DateTimeField(allow_null=True)
    brier = serializers.FloatField(allow_null=True, help_text="Held-out Brier score of the model.")
    stage_table_brier = serializers.FloatField(allow_null=True,
                                               help_text="Held-out Brier score of the stage table, same deals.")
    is_active = serializers.BooleanField()


class ModelProbabilitySerializer(serializers.Serializer):
    probability = serializers.IntegerField(allow_null=True)
    # plain strings, not enums: a "source" enum beside the lead's would make the schema's enum names collide
    source = serializers.CharField(help_text="Which model wrote the probability: trained_model, stage_table or none.")
    model = ModelRefSerializer(allow_null=True)
    scored_at = serializers.DateTimeField(allow_null=True)
    factors = FactorSerializer(many=True)


class StageProbabilitySerializer(serializers.Serializer):
    probability = serializers.IntegerField()
    stage = serializers.CharField(help_text="The stage's code.")
    name = serializers.CharField()


class RepProbabilitySerializer(serializers.Serializer):
    probability = serializers.IntegerField(allow_null=True)


class ChosenProbabilitySerializer(serializers.Serializer):
    probability = serializers.IntegerField()
    source = serializers.CharField(help_text="rep, model or stage.")


class WinProbabilitySerializer(serializers.Serializer):
    opportunity = serializers.IntegerField()
    stage = StageProbabilitySerializer()
    model = ModelProbabilitySerializer()
    rep = RepProbabilitySerializer()
    chosen = ChosenProbabilitySerializer(help_text="What the forecast uses: rep's, else model's, else stage's.")


class WinProbabilityActionMixin:
    """`GET /api/v1/opportunities/{id}/probability/` on the opportunity viewset."""

    @extend_schema(responses={200: WinProbabilitySerializer, 404: OpenApiResponse(description="not found or not yours")})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def probability(self, request, pk=None):
        """The deal's three probabilities (none overwrites another) and the factors behind the model's."""
        return Response(WinProbabilitySerializer(win_probability_for(opportunity=self.get_object())).data)


# --- trainings ------------------------------------------------------------------------------------
class WinModelSerializer(serializers.ModelSerializer):
    failure = serializers.CharField(source="failure_message", read_only=True)
    excluded_features = serializers.SerializerMethodField()

    class Meta:
        model = WinProbabilityModel
        fields = ["id", "status", "failure", "window_start", "cutoff", "holdout_quarters", "random_state", "params",
                  "activate", "rerun_of", "features", "excluded_features", "library_versions", "data_fingerprint",
                  "coefficients", "figures", "training_deals", "holdout_deals", "holdout_start", "brier",
                  "stage_table_brier", "is_active", "trained_by", "created_at", "started_at", "trained_at"]
        read_only_fields = fields

    def get_excluded_features(self, obj) -> list[dict]:
        return excluded_in_words(obj.features or [])


class WinModelRequestSerializer(serializers.Serializer):
    window_start = serializers.DateField(required=False, allow_null=True, help_text="Use deals closed from this day.")
    cutoff = serializers.DateTimeField(required=False, allow_null=True, help_text="Use deals closed before this.")
    holdout_quarters = serializers.IntegerField(min_value=1, max_value=8, default=1)
    random_state = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=0)
    C = serializers.FloatField(min_value=0.0001, max_value=1000, default=1.0, help_text="Inverse regularisation.")
    activate = serializers.ChoiceField(choices=WinProbabilityModel.Activate.choices, default="auto")


class WinModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """Trainings of the deal win-probability model, newest first. POST queues one (202)."""

    serializer_class = WinModelSerializer
    filterset_class = None

    def get_queryset(self):
        return win_model_list()

    @extend_schema(request=WinModelRequestSerializer, responses={202: WinModelSerializer,
                                                                 403: OpenApiResponse(description="not allowed")})
    def create(self, request, *args, **kwargs):
        params = WinModelRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            model = services.win_model_request(by=request.user, **params.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        model.refresh_from_db()
        return Response(WinModelSerializer(model).data, status=status.HTTP_202_ACCEPTED)

    def _run(self, service, **kwargs):
        try:
            return service(model=self.get_object(), by=self.request.user, **kwargs)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    @extend_schema(request=None, responses={202: WinModelSerializer})
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        """Train again with this training's inputs (window, cutoff, held-out quarters, random state)."""
        model = self._run(services.win_model_rerun)
        model.refresh_from_db()
        return Response(WinModelSerializer(model).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: WinModelSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Admins: this model's probability becomes every open deal's model probability."""
        return Response(WinModelSerializer(self._run(services.win_model_activate)).data)

    @extend_schema(request=None, responses={200: WinModelSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Admins: back to the win-rate table per team and stage."""
        return Response(WinModelSerializer(self._run(services.win_model_deactivate)).data)
