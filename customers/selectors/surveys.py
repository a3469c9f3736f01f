"""Reads of survey responses and invitations: those of the accounts you may see."""
from teams.selectors import VIEW, scope_for_user

from .accounts import ACCOUNT_OWNER_FIELDS, ACCOUNT_READ_ALL_ROLES


def survey_response_queryset_for(*, user, action: str = VIEW):
    from ..models import SurveyResponse
    return scope_for_user(SurveyResponse.objects.select_related("survey", "account", "contact"), user=user,
                          action=action, owner_fields=tuple(f"account__{f}" for f in ACCOUNT_OWNER_FIELDS),
                          read_all_roles=ACCOUNT_READ_ALL_ROLES)


def survey_invitation_queryset_for(*, user, action: str = VIEW):
    from ..models import SurveyInvitation
    return scope_for_user(SurveyInvitation.objects.select_related("survey", "account", "contact"), user=user,
                          action=action, owner_fields=tuple(f"account__{f}" for f in ACCOUNT_OWNER_FIELDS),
                          read_all_roles=ACCOUNT_READ_ALL_ROLES)



def survey_invitation_by_token(*, token: str):
    """The invitation behind a public survey link (no user: the token is the key); None if unknown."""
    from ..models import SurveyInvitation
    if not token or len(token) > 64:
        return None
    return SurveyInvitation.objects.select_related("survey", "account", "contact").filter(token=token).first()


