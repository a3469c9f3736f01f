from rest_framework import viewsets

from teams.api.permissions import ScopedQuerysetMixin

from .. import services
from ..filters import LeadFilterSet
from ..models import Lead
from ..selectors import LEAD_READ_ALL_ROLES
from .routing import LeadRoutingActionsMixin
from .serializers import LeadSerializer


class LeadViewSet(LeadRoutingActionsMixin, ScopedQuerysetMixin, viewsets.ModelViewSet):
    """Leads. Reps see and change their own, managers their team's, marketing reads all."""

    serializer_class = LeadSerializer
    filterset_class = LeadFilterSet
    queryset = Lead.objects.select_related("owner")
    scope_read_all_roles = LEAD_READ_ALL_ROLES
    ordering_fields = ["created_at", "name", "company", "company_size", "completeness"]

    def perform_create(self, serializer):
        serializer.instance = services.lead_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.lead_update(lead=serializer.instance, by=self.request.user,
                                                   **serializer.validated_data)
