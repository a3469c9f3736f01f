"""Reads for customers, scoped by teams.selectors (the one permission layer)."""
from django.db.models import QuerySet

from teams.models import User
from teams.selectors import CHANGE, VIEW, owner_q, scope_for_user

from .models import Account, Contact, Activity


# An account is in the scope of its sales owner and its success owner (and their managers).
ACCOUNT_OWNER_FIELDS = ("owner", "success_owner")
# Support and product read every account's customer-360 page and change nothing.
ACCOUNT_READ_ALL_ROLES = (User.Role.SUPPORT, User.Role.PRODUCT)


def account_queryset_for(*, user, action: str = VIEW) -> QuerySet[Account]:
    return scope_for_user(Account.objects.select_related("owner", "success_owner"), user=user, action=action,
                          owner_fields=ACCOUNT_OWNER_FIELDS, read_all_roles=ACCOUNT_READ_ALL_ROLES)


def contact_queryset_for(*, user, action: str = VIEW) -> QuerySet[Contact]:
    return scope_for_user(Contact.objects.select_related("account"), user=user, action=action,
                          owner_fields=tuple(f"account__{f}" for f in ACCOUNT_OWNER_FIELDS),
                          read_all_roles=ACCOUNT_READ_ALL_ROLES)


def activity_queryset_for(*, user, action: str = VIEW) -> QuerySet[Activity]:
    """Your own activities; reading also covers those logged on accounts you may see."""
    qs = Activity.objects.select_related("account", "contact", "owner")
    q = owner_q(user=user, action=action)
    if action == VIEW:
        q = q | owner_q(user=user, owner_fields=tuple(f"account__{f}" for f in ACCOUNT_OWNER_FIELDS),
                        action=action, read_all_roles=ACCOUNT_READ_ALL_ROLES)
    return qs.filter(q)



# --- surveys (h5): responses and invitations of the accounts you may see -----------------------
def survey_response_queryset_for(*, user, action: str = VIEW):
    from .models import SurveyResponse
    return scope_for_user(SurveyResponse.objects.select_related("survey", "account", "contact"), user=user,
                          action=action, owner_fields=tuple(f"account__{f}" for f in ACCOUNT_OWNER_FIELDS),
                          read_all_roles=ACCOUNT_READ_ALL_ROLES)


def survey_invitation_queryset_for(*, user, action: str = VIEW):
    from .models import SurveyInvitation
    return scope_for_user(SurveyInvitation.objects.select_related("survey", "account", "contact"), user=user,
                          action=action, owner_fields=tuple(f"account__{f}" for f in ACCOUNT_OWNER_FIELDS),
                          read_all_roles=ACCOUNT_READ_ALL_ROLES)



def survey_invitation_by_token(*, token: str):
    """The invitation behind a public survey link (no user: the token is the key); None if unknown."""
    from .models import SurveyInvitation
    if not token or len(token) > 64:
        return None
    return SurveyInvitation.objects.select_related("survey", "account", "contact").filter(token=token).first()


__all__ = ["CHANGE", "VIEW", "account_queryset_for", "contact_queryset_for", "activity_queryset_for",
           "survey_response_queryset_for", "survey_invitation_queryset_for", "survey_invitation_by_token"]
