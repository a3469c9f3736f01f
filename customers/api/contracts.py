"""Contracts (with the renewal action), usage events and support tickets in the API.

Contracts: full CRUD through customers.services (the account's owners and their managers write,
support and product read; deleting: admins and managers). Usage events and tickets: GET lists with
filters, and POST of one item or a JSON list of up to 1,000 (all-or-nothing, idempotent by
`external_id`, the shared salesops.ingest pattern).
"""
from django.conf import settings
from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from salesops.api import reject_nul_characters
from salesops.ingest import BatchError, batch_error_body, request_items
from teams.selectors import CHANGE, VIEW

from .. import services
from ..filters import ContractFilterSet, TicketFilterSet, UsageEventFilterSet
from ..models import Account, Contract, Ticket, UsageEvent
from ..selectors import contract_queryset_for, ticket_queryset_for, usage_event_queryset_for

BAD_INPUT = OpenApiResponse(OpenApiTypes.OBJECT, description="invalid input: {field: [messages]}")


# --- serializers -------------------------------------------------------------------------------

class ContractSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    currency = serializers.ChoiceField(choices=[], required=False)
    outcome = serializers.ChoiceField(choices=Contract.Outcome.choices, allow_blank=True, read_only=True,
                                      help_text=gettext_lazy("Empty until the renewal outcome is recorded."))

    class Meta:
        model = Contract
        fields = ["id", "account", "product", "term", "start", "end", "mrr", "currency", "status", "outcome",
                  "outcome_at", "renewed_by", "last_reminder_days", "external_ref", "created_at", "updated_at"]
        read_only_fields = ["status", "outcome", "outcome_at", "renewed_by", "last_reminder_days", "created_at",
                            "updated_at"]
        extra_kwargs = {"mrr": {"max_digits": 14, "decimal_places": 2, "min_value": 0}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = list(settings.CURRENCIES)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["account"].read_only = True  # a contract stays with its account
        return fields


class RenewalSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Contract.Outcome.choices)
    mrr = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                   help_text=gettext_lazy("The successor's monthly recurring value (not for churned; "
                                                          "renewed: the same, may be left out)."))
    start = serializers.DateField(required=False, help_text=gettext_lazy("Default: the day after the end."))
    end = serializers.DateField(required=False, help_text=gettext_lazy("Default: the same term again."))
    term = serializers.ChoiceField(choices=Contract.Term.choices, required=False)


class RenewalResultSerializer(serializers.Serializer):
    contract = ContractSerializer(help_text=gettext_lazy("The contract, with its outcome."))
    successor = ContractSerializer(allow_null=True, help_text=gettext_lazy("The new contract (none on churn)."))


class UsageEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = UsageEvent
        fields = ["id", "account", "external_id", "feature", "quantity", "occurred_at", "received_at"]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["id", "account", "external_id", "subject", "priority", "opened_at", "closed_at", "satisfaction",
                  "received_at"]
        read_only_fields = fields


class _AccountRefInput(serializers.Serializer):
    account = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                       help_text=gettext_lazy("Account id (or give `account_ref`)."))
    account_ref = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=100,
                                        help_text=gettext_lazy("The account's external reference (or give `account`)."))
    external_id = serializers.CharField(max_length=100, help_text=gettext_lazy("Your id: a retry with the same id "
                                                                               "stores nothing new."))


class UsageEventInputSerializer(_AccountRefInput):
    """One usage event; POST this object or a JSON list of them (at most 1,000)."""

    feature = serializers.CharField(max_length=100)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                        allow_null=True, help_text=gettext_lazy("Default 1."))
    occurred_at = serializers.DateTimeField()


class TicketInputSerializer(_AccountRefInput):
    """One ticket; POST this object or a JSON list of them (at most 1,000). A known external id
    updates the ticket's closed_at, satisfaction and priority (the fields given)."""

    subject = serializers.CharField(max_length=300, required=False, allow_blank=True, allow_null=True)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False, allow_blank=True,
                                       allow_null=True, help_text=gettext_lazy("Default normal."))
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(required=False, allow_null=True)
    satisfaction = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)


class IngestItemSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["created", "updated", "duplicate"])
    id = serializers.IntegerField()


class IngestResultSerializer(serializers.Serializer):
    created = serializers.SerializerMethodField()
    updated = serializers.SerializerMethodField()
    duplicates = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    def get_created(self, result) -> int:
        return result.count("created")

    def get_updated(self, result) -> int:
        return result.count("updated")

    def get_duplicates(self, result) -> int:
        return result.count("duplicate")

    @extend_schema_field(IngestItemSerializer(many=True))
    def get_items(self, result):
        return [{"status": s, "id": pk} for s, pk in result.statuses]


# --- viewsets ----------------------------------------------------------------------------------

class ContractViewSet(viewsets.ModelViewSet):
    """Contracts of the accounts you can see. The account's sales and success owners (and their
    managers) create, change and renew them; support and product read; admins and managers delete.
    `status`, `outcome` and the successor change only through `POST …/{id}/renewal/`."""

    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    queryset = Contract.objects.none()  # for the schema; requests read get_queryset()
    ordering_fields = ["end", "start", "mrr", "created_at"]

    def get_queryset(self):
        action_ = VIEW if self.request.method in SAFE_METHODS else CHANGE
        return contract_queryset_for(user=self.request.user, action=action_)

    def perform_create(self, serializer):
        serializer.instance = services.contract_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.contract_update(contract=serializer.instance, by=self.request.user,
                                                       **serializer.validated_data)

    def perform_destroy(self, instance):
        services.contract_delete(contract=instance, by=self.request.user)

    @extend_schema(request=RenewalSerializer, responses={200: RenewalResultSerializer, 400: BAD_INPUT},
                   summary="Record a contract's renewal outcome (renewed, expanded, contracted, churned)")
    @action(detail=True, methods=["post"])
    def renewal(self, request, pk=None):
        params = RenewalSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        contract = self.get_object()
        result = services.contract_record_renewal(contract=contract, by=request.user, **params.validated_data)
        contract.refresh_from_db()
        successor = result if result.pk != contract.pk else None
        return Response({"contract": ContractSerializer(contract).data,
                         "successor": ContractSerializer(successor).data if successor else None})


class _IngestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    parser_classes = [JSONParser]  # a batch is a JSON list
    ingest = None
    noun = ""

    def create(self, request, *args, **kwargs):
        reject_nul_characters(request.data)
        items, many = request_items(request.data)
        try:
            result = type(self).ingest(by=request.user, items=items)
        except BatchError as exc:
            detail = _("Nothing was stored: %(bad)s of %(total)s items are invalid.") % {
                "bad": len(exc.item_errors), "total": exc.total}
            return Response(batch_error_body(exc, many=many, detail=detail), status=status.HTTP_400_BAD_REQUEST)
        return Response(IngestResultSerializer(result).data, status=status.HTTP_201_CREATED)


class UsageEventViewSet(_IngestViewSet):
    """Product usage of the accounts you can see. POST one event or a list (all-or-nothing; a known
    `external_id` is a duplicate and changes nothing)."""

    serializer_class = UsageEventSerializer
    filterset_class = UsageEventFilterSet
    queryset = UsageEvent.objects.none()
    ordering_fields = ["occurred_at", "received_at"]
    ingest = staticmethod(services.usage_events_ingest)

    def get_queryset(self):
        return usage_event_queryset_for(user=self.request.user)

    @extend_schema(request=UsageEventInputSerializer(many=True),
                   responses={201: IngestResultSerializer, 400: BAD_INPUT})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class TicketViewSet(_IngestViewSet):
    """Support tickets of the accounts you can see. POST one ticket or a list (all-or-nothing; a
    known `external_id` updates closed_at, satisfaction and priority)."""

    serializer_class = TicketSerializer
    filterset_class = TicketFilterSet
    queryset = Ticket.objects.none()
    ordering_fields = ["opened_at", "closed_at", "received_at"]
    ingest = staticmethod(services.tickets_ingest)

    def get_queryset(self):
        return ticket_queryset_for(user=self.request.user)

    @extend_schema(request=TicketInputSerializer(many=True), responses={201: IngestResultSerializer, 400: BAD_INPUT})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
