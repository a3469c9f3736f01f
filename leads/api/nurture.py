"""Nurture API: tracks with their steps (read: everyone signed in; write: marketing and admins) and
enrolments of the leads you can see (POST enrolls through leads.services.nurture)."""
import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from salesops.filters import IdFilter
from teams.api.permissions import ScopedQuerysetMixin
from teams.predicates import can_manage_nurture, is_active_user

from ..models import Lead, NurtureEnrollment, NurtureSend, NurtureStep, NurtureTrack
from ..selectors import LEAD_READ_ALL_ROLES, lead_queryset_for
from ..services import nurture as services

MAX_INT = 2**31 - 1


class MarketingWritesOrReadOnly(permissions.BasePermission):
    """Everyone signed in reads tracks; marketing and admins create and change them."""

    def has_permission(self, request, view):
        if not is_active_user(request.user):
            return False
        return request.method in permissions.SAFE_METHODS or can_manage_nurture(request.user)


class NurtureStepSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    delay_days = serializers.IntegerField(min_value=0, max_value=3650, required=False, default=0)

    class Meta:
        model = NurtureStep
        fields = ["id", "order", "delay_days", "subject", "body", "link_url"]
        read_only_fields = ["id"]


class NurtureTrackSerializer(serializers.ModelSerializer):
    steps = NurtureStepSerializer(many=True, required=False)

    class Meta:
        model = NurtureTrack
        fields = ["id", "name", "description", "is_active", "steps"]
        read_only_fields = ["id"]

    def validate_steps(self, steps):
        # Steps are replaced as a whole, so each needs its required fields even in a PATCH.
        for step in steps:
            missing = [name for name in ("order", "subject", "body") if name not in step]
            if missing:
                raise serializers.ValidationError(
                    _("Each step needs: %(fields)s.") % {"fields": ", ".join(missing)})
        orders = [step["order"] for step in steps]
        if len(orders) != len(set(orders)):
            raise serializers.ValidationError(_("Each step needs a different order."))
        return steps

    def _save(self, instance=None):
        data = dict(self.validated_data)
        steps = data.pop("steps", None)
        return services.nurture_track_save(by=self.context["request"].user, track=instance,
                                           steps=[dict(step) for step in steps] if steps is not None else None,
                                           **data)

    def create(self, validated_data):
        return self._save()

    def update(self, instance, validated_data):
        return self._save(instance)


class NurtureTrackViewSet(viewsets.ModelViewSet):
    """Nurture tracks and their timed steps. Tracks are not deleted: deactivate them (is_active=false)."""

    serializer_class = NurtureTrackSerializer
    permission_classes = [MarketingWritesOrReadOnly]
    queryset = NurtureTrack.objects.prefetch_related("steps")
    filterset_fields = ["is_active"]
    ordering_fields = ["name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class NurtureSendSerializer(serializers.ModelSerializer):
    step_order = serializers.IntegerField(source="step.order", read_only=True)
    subject = serializers.CharField(source="step.subject", read_only=True)

    class Meta:
        model = NurtureSend
        fields = ["id", "step", "step_order", "subject", "status", "sent_at", "clicked_at"]


class NurtureEnrollmentSerializer(serializers.ModelSerializer):
    sends = NurtureSendSerializer(many=True, read_only=True)

    class Meta:
        model = NurtureEnrollment
        fields = ["id", "lead", "track", "status", "next_step", "next_due_at", "enrolled_at", "sends"]
        read_only_fields = fields


class NurtureEnrollInputSerializer(serializers.Serializer):
    lead = serializers.PrimaryKeyRelatedField(queryset=Lead.objects.none())
    track = serializers.PrimaryKeyRelatedField(queryset=NurtureTrack.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["lead"].queryset = lead_queryset_for(user=request.user if request else None)  # others': invalid


class NurtureEnrollmentFilterSet(django_filters.FilterSet):
    lead = IdFilter(field_name="lead_id", label=_("Lead id"))
    track = IdFilter(field_name="track_id", label=_("Track id"))
    status = django_filters.ChoiceFilter(choices=NurtureEnrollment.Status.choices, label=_("Status"))

    class Meta:
        model = NurtureEnrollment
        fields = []


class NurtureEnrollmentViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    """Nurture enrolments of the leads you can see. POST {lead, track} enrolls (idempotent: 200 if already)."""

    serializer_class = NurtureEnrollmentSerializer
    filterset_class = NurtureEnrollmentFilterSet
    queryset = NurtureEnrollment.objects.select_related("track").prefetch_related("sends__step")
    scope_owner_field = "lead__owner"
    scope_read_all_roles = LEAD_READ_ALL_ROLES
    ordering_fields = ["enrolled_at", "next_due_at"]

    @extend_schema(request=NurtureEnrollInputSerializer, responses={201: NurtureEnrollmentSerializer,
                                                                   200: NurtureEnrollmentSerializer})
    def create(self, request, *args, **kwargs):
        data = NurtureEnrollInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        lead, track = data.validated_data["lead"], data.validated_data["track"]
        existed = NurtureEnrollment.objects.filter(lead=lead, track=track).exists()
        enrollment = services.nurture_enroll(lead=lead, track=track, by=request.user)  # 400 / 403 on refusal
        return Response(self.get_serializer(enrollment).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)
