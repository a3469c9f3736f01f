"""API for MQL routing: lead assign/touch actions (mixed into LeadViewSet) and the assignment log."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from teams.selectors import assignable_users_for, scope_for_user

from ..models import Assignment
from ..selectors import LEAD_READ_ALL_ROLES
from ..services.routing import lead_assign, lead_assignable_queryset_for, lead_touch


class LeadAssignSerializer(serializers.Serializer):
    rep = serializers.IntegerField(min_value=1, max_value=2**62, help_text="Id of the user who gets the lead.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


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
        if not (request.user.is_admin_role or request.user.is_manager):
            raise PermissionDenied(_("Only managers and administrators can assign leads."))
        lead = get_object_or_404(lead_assignable_queryset_for(user=request.user), pk=pk)
        data = LeadAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rep = assignable_users_for(user=request.user).filter(pk=data.validated_data["rep"]).first()
        if rep is None:
            raise serializers.ValidationError({"rep": [_("You cannot assign leads to this user.")]})
        lead = lead_assign(lead=lead, rep=rep, by=request.user, reason=data.validated_data["reason"])
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
