"""Reads of contracts, renewals, usage and tickets, scoped through the accounts they belong to."""
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from teams.selectors import VIEW, scope_for_user

from ..models import Contract, Ticket, UsageEvent
from .accounts import ACCOUNT_OWNERS as _ACCOUNT_OWNERS
from .accounts import ACCOUNT_READ_ALL_ROLES

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
