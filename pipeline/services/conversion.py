"""Lead conversion: a qualified lead becomes an account, a contact and a deal (pipeline calls leads and customers)."""
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Account
from customers.services import account_create, contact_create, lead_activities_follow
from leads.models import Lead
from leads.selectors import lead_queryset_for
from leads.services import lead_lock_for_conversion, lead_mark_converted
from teams.selectors import CHANGE

from ..models import (
    Opportunity,
    OpportunityActivity,
)
from .deals import opportunity_create


# --- lead conversion ----------------------------------------------------------------------------
@transaction.atomic
def lead_convert(*, lead: Lead, by, account: Account | None = None, opportunity_name: str = "",
                 amount: Decimal = Decimal("0"), expected_close_date=None) -> Opportunity:
    """A qualified lead becomes account + contact + opportunity; the lead is marked converted (link kept);
    its logged activities move onto the account and contact and are linked to the new deal."""
    if not lead_queryset_for(user=by, action=CHANGE).filter(pk=lead.pk).exists():
        raise PermissionDenied(_("You cannot convert this lead."))
    locked = lead_lock_for_conversion(lead_id=lead.pk)
    owner = locked.owner or by
    if account is None:
        account = account_create(by=by, name=locked.company or locked.name, industry=locked.industry,
                                 employees=locked.company_size, region=locked.region, owner=owner)
    contact = contact_create(by=by, account=account, name=locked.name, email=locked.email, phone=locked.phone,
                             title=locked.job_title)
    opp = opportunity_create(by=by, name=opportunity_name or _("%(company)s deal") % {"company": account.name},
                             account=account, contact=contact, owner=owner, lead=locked, amount=amount,
                             expected_close_date=expected_close_date)
    # the lead's activities follow it: onto the account and contact (one UPDATE), linked to the deal
    followed = lead_activities_follow(lead_id=locked.pk, account=account, contact=contact)
    OpportunityActivity.objects.bulk_create([OpportunityActivity(opportunity=opp, activity_id=pk) for pk in followed],
                                            batch_size=500)
    lead_mark_converted(lead_id=locked.pk, at=timezone.now())
    return opp
