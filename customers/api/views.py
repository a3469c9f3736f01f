from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS

from teams.selectors import CHANGE, VIEW

from .. import services
from ..filters import AccountFilterSet, ContactFilterSet, ActivityFilterSet
from ..models import Account, Contact
from ..selectors import account_queryset_for, activity_queryset_for, contact_queryset_for
from .serializers import AccountSerializer, ContactSerializer, ActivitySerializer


class AccountViewSet(viewsets.ModelViewSet):
    """Accounts (companies). Reps see and change their own, managers their team's, admins all;
    only admins delete (with the contacts and activity log; never an account with deals)."""

    serializer_class = AccountSerializer
    filterset_class = AccountFilterSet
    queryset = Account.objects.none()  # for the schema; requests read get_queryset()
    ordering_fields = ["name", "created_at", "employees"]

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
