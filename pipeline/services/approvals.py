"""Approvals of gated steps (e.g. a discount above the limit): requested by the owner, decided by their manager."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from teams import predicates
from teams.services import notify

from ..models import (
    Approval,
    Opportunity,
)
from .transitions import _lock, discount_limit


# --- approvals ----------------------------------------------------------------------------------
def approvals_withdraw_uncovered(*, opportunity: Opportunity) -> int:
    """Withdraw the discount approvals (approved or waiting) whose value no longer covers the deal's
    discount: the gate they passed relied on it. The deal needs a new approval before it closes won."""
    return (Approval.objects.filter(opportunity=opportunity, kind=Approval.Kind.DISCOUNT,
                                    status__in=[Approval.Status.APPROVED, Approval.Status.PENDING])
            .filter(Q(value__isnull=True) | Q(value__lt=opportunity.discount_percent))
            .update(status=Approval.Status.WITHDRAWN))


@transaction.atomic
def approval_request(*, opportunity: Opportunity, by, kind: str = Approval.Kind.DISCOUNT, note: str = "") -> Approval:
    opp = _lock(opportunity)
    if kind == Approval.Kind.DISCOUNT and opp.discount_percent <= discount_limit():
        raise ValidationError(_("A discount up to %(limit)s%% needs no approval.") % {"limit": discount_limit()})
    if opp.approvals.filter(kind=kind, status=Approval.Status.PENDING).exists():
        raise ValidationError(_("An approval of this kind is already waiting for a decision."))
    approval = Approval.objects.create(opportunity=opp, kind=kind, value=opp.discount_percent, requested_by=by,
                                       note=note)
    team = opp.owner.team
    if team and team.manager_id and team.manager_id != getattr(by, "pk", None):
        notify(recipient=team.manager, kind="approval_requested", url=f"/pipeline/{opp.pk}/",
               text=gettext_noop("%(user)s asks you to approve a %(value)s%% discount on “%(opportunity)s”."),
               params={"user": str(by), "value": str(opp.discount_percent), "opportunity": opp.name})
    return approval


@transaction.atomic
def approval_decide(*, approval: Approval, by, approve: bool, note: str = "") -> Approval:
    approval = Approval.objects.select_for_update(of=("self",)).select_related("opportunity__owner__team").get(pk=approval.pk)
    if not predicates.can_decide_approval(by, approval.opportunity):
        raise PermissionDenied(_("Only the owner's team manager or an administrator can decide this approval."))
    if approval.status == Approval.Status.WITHDRAWN:
        raise ValidationError(_("This approval was withdrawn: the deal changed after it was requested."))
    if approval.status != Approval.Status.PENDING:
        raise ValidationError(_("This approval has already been decided."))
    approval.status = Approval.Status.APPROVED if approve else Approval.Status.REJECTED
    approval.decided_by, approval.decided_at = by, timezone.now()
    if note:
        approval.note = f"{approval.note}\n{note}".strip()
    approval.save()
    if approval.requested_by_id and approval.requested_by_id != by.pk:
        notify(recipient=approval.requested_by, kind="approval_decided",
               url=f"/pipeline/{approval.opportunity_id}/",
               text=gettext_noop("Your approval request on “%(opportunity)s” was %(status)s."),
               params={"opportunity": approval.opportunity.name, "status": approval.status})
    return approval
