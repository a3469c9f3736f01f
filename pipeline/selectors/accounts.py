"""The deals of one account, as the customer-360 page's "Deals" panel shows them.

Whoever may see an account reads its deals on the 360 page (success, support and product too: the
page is shared by sales, success, support and product); a deal links to its own page only for those
who may open it (opportunity_queryset_for)."""
from django.db.models import Count, F, Q, Sum

from . import opportunity_queryset_for

DEALS_SHOWN = 20


def account_deals_for(*, user, account, limit: int = DEALS_SHOWN) -> dict:
    """Open deals first (soonest expected close), then closed ones (latest first), at most `limit`,
    with per-currency totals: open amount, won amount and counts; `linked` holds the ids of the shown
    deals `user` may open. Three queries, whatever the account holds. The caller has checked that
    `user` may see `account`."""
    from ..models import Opportunity

    deals = Opportunity.objects.select_related("stage", "owner").filter(account=account)
    shown = list(deals.order_by(F("closed_at").desc(nulls_first=True), F("expected_close_date").asc(nulls_last=True),
                                "-created_at", "-id")[:limit])
    linked = set(opportunity_queryset_for(user=user).filter(pk__in=[deal.pk for deal in shown])
                 .values_list("pk", flat=True)) if shown else set()
    open_q, won_q = Q(closed_at__isnull=True), Q(closed_at__isnull=False, stage__is_won=True)
    totals = list(deals.order_by().values("currency").annotate(
        open_count=Count("pk", filter=open_q), open_amount=Sum("amount", filter=open_q),
        won_count=Count("pk", filter=won_q), won_amount=Sum("amount", filter=won_q),
        count=Count("pk")).order_by("currency"))
    total = sum(row["count"] for row in totals)
    return {"deals": shown, "linked": linked, "totals": totals, "total": total, "more": max(total - len(shown), 0)}


ORIGIN_LEADS_SHOWN = 5


def account_origin_leads_for(*, user, account, limit: int = ORIGIN_LEADS_SHOWN) -> list:
    """The leads whose conversion made deals of this account (first converted first), those `user`
    may see: one query."""
    from leads.selectors import lead_queryset_for

    from ..models import Opportunity

    lead_ids = Opportunity.objects.filter(account=account, lead__isnull=False).values("lead_id")
    return list(lead_queryset_for(user=user).filter(pk__in=lead_ids).order_by("converted_at", "pk")[:limit])
