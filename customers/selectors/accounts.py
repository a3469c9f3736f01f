"""Who sees which accounts, contacts and activities: the scopes every customers read builds on
(teams.selectors is the one permission layer), and the account pages' reads."""
from django.db.models import Count, Q, QuerySet, Window

from leads.selectors import lead_queryset_for
from teams.models import User
from teams.selectors import VIEW, owner_q, scope_for_user

from ..duplicates import normalize_domain
from ..models import Account, Activity, Contact

# An account is in the scope of its sales owner and its success owner (and their managers).
ACCOUNT_OWNER_FIELDS = ("owner", "success_owner")
# Support and product read every account's customer-360 page and change nothing.
ACCOUNT_READ_ALL_ROLES = (User.Role.SUPPORT, User.Role.PRODUCT)
ACCOUNT_OWNERS = tuple(f"account__{f}" for f in ACCOUNT_OWNER_FIELDS)


def account_queryset_for(*, user, action: str = VIEW) -> QuerySet[Account]:
    return scope_for_user(Account.objects.select_related("owner", "success_owner"), user=user, action=action,
                          owner_fields=ACCOUNT_OWNER_FIELDS, read_all_roles=ACCOUNT_READ_ALL_ROLES)


def contact_queryset_for(*, user, action: str = VIEW) -> QuerySet[Contact]:
    return scope_for_user(Contact.objects.select_related("account"), user=user, action=action,
                          owner_fields=ACCOUNT_OWNERS, read_all_roles=ACCOUNT_READ_ALL_ROLES)


def activity_queryset_for(*, user, action: str = VIEW) -> QuerySet[Activity]:
    """Your own activities (a manager: also the team's). Reading also covers those logged on accounts
    you may see and on leads you may see (the lead's visibility decides, leads.selectors)."""
    qs = Activity.objects.select_related("account", "lead", "contact", "owner")
    own = owner_q(user=user, action=action)
    if action != VIEW or not own:  # changing: only the own scope; an empty Q is "everything" (admins)
        return qs.filter(own)
    on_accounts = owner_q(user=user, owner_fields=tuple(f"account__{f}" for f in ACCOUNT_OWNER_FIELDS),
                          action=action, read_all_roles=ACCOUNT_READ_ALL_ROLES)
    on_leads = Q(lead__in=lead_queryset_for(user=user).values("pk"))
    # (Q() | x is x in Django, so an account scope of "all" is spelled out as "on any account")
    return qs.filter(own | (Q(account__isnull=False) & on_accounts) | on_leads)


DUPLICATES_SHOWN = 10


def account_duplicates_for(*, user, name: str = "", domain: str = "", exclude_pk: int | None = None) -> dict:
    """Possible duplicates of an account named `name` with web domain `domain`: accounts with the
    same name (ignoring case) or the same domain, across every account. Answers `visible` (at most
    DUPLICATES_SHOWN accounts `user` may see, to link to) and `hidden` (how many others exist that
    `user` may not see: named nowhere, counted so a rep knows to ask). Two queries at most."""
    name, domain = " ".join((name or "").split()), normalize_domain(domain)
    terms = Q(pk__in=[])
    if name:
        terms |= Q(name__iexact=name)
    if domain:
        terms |= Q(domain__iexact=domain)
    if not name and not domain:
        return {"visible": [], "hidden": 0}
    matches = Account.objects.filter(terms)
    if exclude_pk:
        matches = matches.exclude(pk=exclude_pk)
    visible = list(account_queryset_for(user=user).filter(pk__in=matches.values("pk"))[:DUPLICATES_SHOWN])
    hidden = matches.exclude(pk__in=account_queryset_for(user=user).values("pk")).count()
    return {"visible": visible, "hidden": hidden}


def account_contacts_preview(*, account: Account, limit: int) -> tuple[list[Contact], int]:
    """The first `limit` contacts of an account (by name) and how many it has, in one query (a
    window count rides along on each row). The caller has checked that the account is visible."""
    rows = list(account.contacts.annotate(total=Window(Count("pk"))).order_by("name", "id")[:limit])
    return rows, (rows[0].total if rows else 0)


def account_owner_choices_for(*, user) -> QuerySet[User]:
    """The people a user may pick in the account list's owner and success-owner filters: active
    users who can own accounts (no point listing marketing, support or product)."""
    if not user or not user.is_authenticated:
        return User.objects.none()
    return User.objects.filter(is_active=True).exclude(role__in=(User.Role.MARKETING, *ACCOUNT_READ_ALL_ROLES)) \
        .order_by("first_name", "last_name", "username")
