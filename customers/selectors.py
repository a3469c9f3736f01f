"""Reads for customers, scoped by teams.selectors (the one permission layer)."""
from django.db.models import Count, Q, QuerySet, Window

from teams.models import User
from teams.selectors import CHANGE, VIEW, owner_q, scope_for_user

from .duplicates import normalize_domain
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


# --- accounts and contacts pages (h1) ----------------------------------------------------------

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


__all__ = ["CHANGE", "VIEW", "account_queryset_for", "contact_queryset_for", "activity_queryset_for"]


# --- contracts, usage and tickets (h3) ---------------------------------------------------------
from datetime import date, datetime, time, timedelta  # noqa: E402

from django.db.models import Sum  # noqa: E402
from django.db.models.functions import TruncDate  # noqa: E402
from django.utils import timezone  # noqa: E402

from .models import Contract, Ticket, UsageEvent  # noqa: E402

_ACCOUNT_OWNERS = tuple(f"account__{f}" for f in ACCOUNT_OWNER_FIELDS)
RENEWAL_WINDOW_DAYS = 90


def contract_queryset_for(*, user, action: str = VIEW) -> QuerySet[Contract]:
    """Contracts of the accounts `user` may see (VIEW) or change (CHANGE); support and product read all."""
    return scope_for_user(Contract.objects.select_related("account", "account__owner", "account__success_owner"),
                          user=user, action=action, owner_fields=_ACCOUNT_OWNERS,
                          read_all_roles=ACCOUNT_READ_ALL_ROLES)


def usage_event_queryset_for(*, user) -> QuerySet[UsageEvent]:
    return scope_for_user(UsageEvent.objects.select_related("account"), user=user, owner_fields=_ACCOUNT_OWNERS,
                          read_all_roles=ACCOUNT_READ_ALL_ROLES)


def ticket_queryset_for(*, user) -> QuerySet[Ticket]:
    return scope_for_user(Ticket.objects.select_related("account"), user=user, owner_fields=_ACCOUNT_OWNERS,
                          read_all_roles=ACCOUNT_READ_ALL_ROLES)


def renewal_due_q(*, today: date, days: int = RENEWAL_WINDOW_DAYS) -> Q:
    """Active contracts without a renewal outcome that end within `days` of `today` (or ended already
    and still wait for their outcome)."""
    return Q(status=Contract.Status.ACTIVE, outcome="", end__isnull=False, end__lte=today + timedelta(days=days))


def in_force_q(*, today: date) -> Q:
    """Active contracts that have started (a renewal's successor counts from its start)."""
    return Q(status=Contract.Status.ACTIVE, start__lte=today)


def renewals_due_for(*, user, today: date, days: int = RENEWAL_WINDOW_DAYS) -> QuerySet[Contract]:
    """The renewals due list: soonest end first."""
    return contract_queryset_for(user=user).filter(renewal_due_q(today=today, days=days)).order_by("end", "id")


def contract_panel_data(*, account, today: date) -> dict:
    """The 360 page's contracts section in two queries: the contracts in force or pending (with MRR
    per currency and the next renewal), and the last recorded renewal outcomes."""
    current = list(Contract.objects.filter(account=account, status=Contract.Status.ACTIVE).order_by("end", "id")[:50])
    mrr: dict[str, object] = {}
    for contract in current:
        if contract.start <= today:
            mrr[contract.currency] = mrr.get(contract.currency, 0) + contract.mrr
    pending = [c for c in current if not c.outcome and c.end is not None]
    outcomes = list(Contract.objects.filter(account=account).exclude(outcome="")
                    .select_related("renewed_by").order_by("-outcome_at", "-id")[:5])
    return {"contracts": current, "mrr": dict(sorted(mrr.items())), "next_renewal": pending[0] if pending else None,
            "outcomes": outcomes, "today": today}


def usage_panel_data(*, account, today: date, weeks: int = 12) -> dict:
    """The 360 page's usage and tickets section in three queries: open tickets, the last 10 tickets
    and the usage per week (Monday-based) over the last `weeks` weeks, with empty weeks as zero."""
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.combine(first_monday, time.min))
    tickets = Ticket.objects.filter(account=account)
    open_count = tickets.filter(closed_at__isnull=True).aggregate(n=Count("id"))["n"]
    recent = list(tickets.order_by("-opened_at", "-id")[:10])
    per_day = (UsageEvent.objects.filter(account=account, occurred_at__gte=since)
               .annotate(day=TruncDate("occurred_at")).values("day").annotate(total=Sum("quantity")).order_by("day"))
    totals = {first_monday + timedelta(weeks=i): 0 for i in range(weeks)}
    for row in per_day:
        monday = row["day"] - timedelta(days=row["day"].weekday())
        if monday in totals:
            totals[monday] += float(row["total"] or 0)
    return {"open_tickets": open_count, "tickets": recent,
            "usage_weeks": [(monday, total) for monday, total in totals.items()]}
