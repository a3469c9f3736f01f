"""API for MQL routing: lead assign/touch actions (mixed into LeadViewSet) and the assignment log."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from teams.models import User
from teams.predicates import can_assign_lead, can_work_lead_queue
from teams.selectors import scope_for_user

from ..models import Assignment
from ..selectors import LEAD_READ_ALL_ROLES
from ..services.routing import lead_assign, lead_assignable_queryset_for, lead_touch


class LeadAssignSerializer(serializers.Serializer):
    rep = serializers.IntegerField(min_value=1, max_value=2**62, help_text="Id of the user who gets the lead.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                       help_text="The lead's version you saw; 409 when it changed since.")


class AssignmentSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.__str__", read_only=True, default=None)
    rule_name = serializers.CharField(source="rule.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Assignment
        fields = ["id", "lead", "rep", "rep_name", "previous_owner", "assigned_by", "rule", "rule_name", "reason",
                  "created_at"]
        read_only_fields = fields


class LeadRoutingActionsMixin:
    """`POST /leads/{id}/assign/` (managers and admins) and `POST /leads/{id}/touch/` (the owner)."""

    @extend_schema(request=LeadAssignSerializer, summary="Assign a lead to a rep (managers and admins)")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        if not can_work_lead_queue(request.user):
            raise PermissionDenied(_("Only managers and administrators can assign leads."))
        lead = get_object_or_404(lead_assignable_queryset_for(user=request.user), pk=pk)
        data = LeadAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rep = User.objects.filter(pk=data.validated_data["rep"]).first()
        if rep is None or not can_assign_lead(request.user, lead, rep):
            raise serializers.ValidationError({"rep": [_("You cannot assign leads to this user.")]})
        lead = lead_assign(lead=lead, rep=rep, by=request.user, reason=data.validated_data["reason"],
                           expected_version=data.validated_data.get("version"))
        return Response(self.get_serializer(lead).data)

    @extend_schema(request=None, summary="Record the first contact with a lead (its owner)")
    @action(detail=True, methods=["post"])
    def touch(self, request, pk=None):
        lead = lead_touch(lead=self.get_object(), by=request.user)
        return Response(self.get_serializer(lead).data)


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Assignment audit log of the leads the user can see; filter by `lead` or `rep`."""

    serializer_class = AssignmentSerializer
    queryset = Assignment.objects.none()
    filterset_fields = ["lead", "rep"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        queryset = Assignment.objects.select_related("rep", "rule")
        return scope_for_user(queryset, user=self.request.user, owner_field="lead__owner",
                              read_all_roles=LEAD_READ_ALL_ROLES)
