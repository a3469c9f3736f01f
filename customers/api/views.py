from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS

from teams.api.permissions import ScopedQuerysetMixin
from teams.selectors import CHANGE, VIEW

from .. import services
from ..filters import AccountFilterSet, ContactFilterSet, InteractionFilterSet
from ..models import Account, Contact
from ..selectors import interaction_queryset_for
from .serializers import AccountSerializer, ContactSerializer, InteractionSerializer


class AccountViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    """Accounts (companies). Reps see and change their own, managers their team's, admins all;
    only admins delete (with the contacts and interaction log; never an account with deals)."""

    serializer_class = AccountSerializer
    filterset_class = AccountFilterSet
    queryset = Account.objects.all()
    ordering_fields = ["name", "created_at", "employees"]

    def perform_create(self, serializer):
        serializer.instance = services.account_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.account_update(account=serializer.instance, by=self.request.user,
                                                      **serializer.validated_data)

    def perform_destroy(self, instance):
        services.account_delete(account=instance, by=self.request.user)


class ContactViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    """Contacts of the accounts you can see (changed by whoever may change the account)."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    queryset = Contact.objects.select_related("account")
    scope_owner_field = "account__owner"

    def perform_create(self, serializer):
        serializer.instance = services.contact_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.contact_update(contact=serializer.instance, by=self.request.user,
                                                      **serializer.validated_data)

    def perform_destroy(self, instance):
        services.contact_delete(contact=instance, by=self.request.user)


class InteractionViewSet(viewsets.ModelViewSet):
    """The interaction log: your own entries, plus (read) those on accounts you can see."""

    serializer_class = InteractionSerializer
    filterset_class = InteractionFilterSet
    ordering_fields = ["occurred_at", "logged_at"]

    def get_queryset(self):
        action = VIEW if self.request.method in SAFE_METHODS else CHANGE
        return interaction_queryset_for(user=self.request.user, action=action)

    def perform_create(self, serializer):
        serializer.instance = services.interaction_log(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.interaction_update(interaction=serializer.instance, by=self.request.user,
                                                          **serializer.validated_data)

    def perform_destroy(self, instance):
        services.interaction_delete(interaction=instance, by=self.request.user)
