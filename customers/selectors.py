"""Reads for customers, scoped by teams.selectors (the one permission layer)."""
from django.db.models import QuerySet

from teams.selectors import CHANGE, VIEW, owner_q, scope_for_user

from .models import Account, Contact, Interaction


def account_queryset_for(*, user, action: str = VIEW) -> QuerySet[Account]:
    return scope_for_user(Account.objects.select_related("owner"), user=user, action=action)


def contact_queryset_for(*, user, action: str = VIEW) -> QuerySet[Contact]:
    return scope_for_user(Contact.objects.select_related("account"), user=user, action=action,
                          owner_field="account__owner")


def interaction_queryset_for(*, user, action: str = VIEW) -> QuerySet[Interaction]:
    """Your own interactions; reading also covers those logged on accounts you may see."""
    qs = Interaction.objects.select_related("account", "contact", "owner")
    q = owner_q(user=user, action=action)
    if action == VIEW:
        q = q | owner_q(user=user, owner_field="account__owner", action=action)
    return qs.filter(q)


__all__ = ["CHANGE", "VIEW", "account_queryset_for", "contact_queryset_for", "interaction_queryset_for"]
