"""`/api/v1/saved-filters/`: the signed-in user's own saved filters of the lists (list, create, delete)."""
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from ..models import SavedFilter
from ..selectors.saved_filters import saved_filters_for
from ..services.saved_filters import saved_filter_create, saved_filter_delete


class SavedFilterSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedFilter
        fields = ["id", "list_key", "name", "query", "created_at"]
        read_only_fields = ["id", "created_at"]
        # the service checks names (unique per user and list) with a translated message
        validators = []
        extra_kwargs = {"query": {"required": False, "allow_blank": True}}


class SavedFilterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your saved filters (nobody else's: another user's answers 404). `list_key` is one of the
    lists (leads, deals, accounts, activities); `query` their query string, e.g. `status=new&owner=3`."""

    serializer_class = SavedFilterSerializer
    queryset = SavedFilter.objects.none()
    filterset_class = None

    def get_queryset(self):
        return saved_filters_for(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = saved_filter_create(user=request.user, list_key=data["list_key"], name=data["name"],
                                    query=data.get("query", ""))
        return Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        saved_filter_delete(user=self.request.user, saved_filter=instance)
