from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from teams.predicates import can_change_customer_records
from teams.selectors import CHANGE, VIEW

from .. import services
from ..filters import AccountFilterSet, ContactFilterSet, ActivityFilterSet
from ..models import Account, Contact
from ..selectors import account_duplicates_for, account_queryset_for, activity_queryset_for, contact_queryset_for
from .serializers import (
    AccountDuplicatesQuerySerializer, AccountDuplicatesSerializer, AccountSerializer, ActivitySerializer,
    ContactSerializer,
)


class CustomerRecordsWritePermission(permissions.IsAuthenticated):
    """Reads for everyone signed in (scoped by the selectors); writes are refused with 403 to the
    roles that only read customers (support, product: teams.predicates.can_change_customer_records)."""

    message = gettext_lazy("Your role reads customers but does not change them.")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or can_change_customer_records(request.user)


class AccountViewSet(viewsets.ModelViewSet):
    """Accounts (companies). Reps see and change their own, customer success the accounts it is
    success owner of, managers their teams', admins all; support and product read every account and
    change nothing (403). Only admins delete (with the contacts and activity log; never an account
    with deals). Filters: `q` (name or web domain), `industry`, `region`, `owner`, `success_owner`
    (user ids), `mine` (you are its sales or success owner)."""

    serializer_class = AccountSerializer
    filterset_class = AccountFilterSet
    permission_classes = [CustomerRecordsWritePermission]
    queryset = Account.objects.none()  # for the schema; requests read get_queryset()
    ordering_fields = ["name", "created_at", "employees"]

    @extend_schema(parameters=[AccountDuplicatesQuerySerializer], responses={200: AccountDuplicatesSerializer},
                   summary="Possible duplicates of an account (same name ignoring case, or same web domain)")
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def duplicates(self, request):
        params = AccountDuplicatesQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = account_duplicates_for(user=request.user, name=params.validated_data.get("name", ""),
                                       domain=params.validated_data.get("domain", ""),
                                       exclude_pk=params.validated_data.get("exclude"))
        return Response(AccountDuplicatesSerializer(
            {"results": found["visible"], "hidden_count": found["hidden"]}).data)

    def get_queryset(self):
        action = VIEW if self.request.method in SAFE_METHODS else CHANGE
        return account_queryset_for(user=self.request.user, action=action)

    def perform_create(self, serializer):
        serializer.instance = services.account_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.account_update(account=serializer.instance, by=self.request.user,
                                                      **serializer.validated_data)

    def perform_destroy(self, instance):
        services.account_delete(account=instance, by=self.request.user)


class ContactViewSet(viewsets.ModelViewSet):
    """Contacts of the accounts you can see (changed by whoever may change the account)."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    permission_classes = [CustomerRecordsWritePermission]
    queryset = Contact.objects.none()  # for the schema; requests read get_queryset()

    def get_queryset(self):
        action = VIEW if self.request.method in SAFE_METHODS else CHANGE
        return contact_queryset_for(user=self.request.user, action=action)

    def perform_create(self, serializer):
        serializer.instance = services.contact_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.contact_update(contact=serializer.instance, by=self.request.user,
                                                      **serializer.validated_data)

    def perform_destroy(self, instance):
        services.contact_delete(contact=instance, by=self.request.user)


class ActivityViewSet(viewsets.ModelViewSet):
    """The activity log: your own entries, plus (read) those on accounts you can see."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    ordering_fields = ["occurred_at", "logged_at"]

    def get_queryset(self):
        action = VIEW if self.request.method in SAFE_METHODS else CHANGE
        return activity_queryset_for(user=self.request.user, action=action)

    def perform_create(self, serializer):
        serializer.instance = services.activity_log(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.activity_update(activity=serializer.instance, by=self.request.user,
                                                          **serializer.validated_data)

    def perform_destroy(self, instance):
        services.activity_delete(activity=instance, by=self.request.user)
