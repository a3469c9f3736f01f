"""A lead's status moves only through named transitions; deleting a lead is audited.

- `lead_touch` (leads.services.routing): the first contact, new -> working
- `lead_qualify`, `lead_nurture`: manual moves of an open lead
- `lead_disqualify`: with a reason, which is stored on the lead
- conversion (pipeline calls `lead_lock_for_conversion` / `lead_mark_converted`) -> converted
- the pool return (`leads_return_to_pool`) empties the owner
Every transition locks and re-reads the row, bumps the version and writes a LeadAudit row.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from teams.predicates import can_change_lead, can_delete_lead

from ..models import Lead, LeadAudit, NurtureSend
from .core import lead_lock

S = Lead.Status
OPEN = (S.NEW, S.WORKING, S.NURTURING, S.QUALIFIED)
# target status -> (the statuses it may come from, the audit action)
TRANSITIONS = {
    S.QUALIFIED: ((S.NEW, S.WORKING, S.NURTURING), LeadAudit.Action.QUALIFIED),
    S.NURTURING: ((S.NEW, S.WORKING, S.QUALIFIED), LeadAudit.Action.NURTURING),
    S.DISQUALIFIED: (OPEN, LeadAudit.Action.DISQUALIFIED),
}
MAX_REASON = 1000


def _audit(*, lead: Lead, action: str, by, reason: str = "", details: dict | None = None) -> LeadAudit:
    return LeadAudit.objects.create(lead_id=lead.pk, lead_repr=str(lead)[:500], action=action, by=by,
                                    reason=reason, details=details or {})


@transaction.atomic
def _transition(*, lead: Lead, to: str, by, reason: str = "", expected_version: int | None = None) -> Lead:
    locked = lead_lock(lead=lead, expected_version=expected_version)
    if not can_change_lead(by, locked):
        raise PermissionDenied(_("You cannot change this lead."))
    sources, action = TRANSITIONS[to]
    if locked.status not in sources:
        raise ValidationError({"status": _("A lead in status “%(current)s” cannot become “%(target)s”.") % {
            "current": locked.get_status_display(), "target": S(to).label}})
    previous = locked.status
    locked.status = to
    fields = ["status"]
    if to == S.DISQUALIFIED:
        locked.disqualified_reason = reason
        fields.append("disqualified_reason")
    locked.version += 1
    locked.save(update_fields=[*fields, "version", "updated_at"])
    _audit(lead=locked, action=action, by=by, reason=reason, details={"from": previous})
    return locked


def lead_qualify(*, lead: Lead, by, expected_version: int | None = None) -> Lead:
    """The owner (or their manager, or an admin) marks an open lead qualified: it may now convert."""
    return _transition(lead=lead, to=S.QUALIFIED, by=by, expected_version=expected_version)


def lead_nurture(*, lead: Lead, by, expected_version: int | None = None) -> Lead:
    """Not ready to buy yet: the lead moves to nurturing."""
    return _transition(lead=lead, to=S.NURTURING, by=by, expected_version=expected_version)


def lead_disqualify(*, lead: Lead, by, reason: str, expected_version: int | None = None) -> Lead:
    """Close an open lead as disqualified; the reason is required and kept on the lead."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lead is disqualified.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Keep the reason under 1000 characters.")})
    return _transition(lead=lead, to=S.DISQUALIFIED, by=by, reason=reason, expected_version=expected_version)


def _deletion_entry(lead: Lead, by, reason: str, sends_kept: int) -> LeadAudit:
    return LeadAudit(lead_id=lead.pk, lead_repr=str(lead)[:500], action=LeadAudit.Action.DELETED, by=by,
                     reason=(reason or "")[:MAX_REASON],
                     details={"email": lead.email, "company": lead.company, "status": lead.status,
                              "owner": lead.owner_id, "version": lead.version, "nurture_sends_kept": sends_kept})


@transaction.atomic
def leads_delete(*, lead_ids, by, reason: str = "") -> list[LeadAudit]:
    """Delete leads (rule: teams.predicates.can_delete_lead, for every one of them, else nothing is
    deleted). One audit entry per lead keeps what it was. Records are never deleted with it: its
    assignment rows and its sent nurture emails stay with the lead emptied (SET_NULL; the sends keep
    the lead's id in `lead_ref`); its enrolments, events and score history go."""
    locked = list(Lead.objects.select_for_update().filter(pk__in=list(lead_ids)).order_by("pk"))
    refused = [lead for lead in locked if not can_delete_lead(by, lead)]
    if refused:
        raise PermissionDenied(_("You cannot delete this lead; disqualify it instead."))
    sends = dict(NurtureSend.objects.filter(lead_ref__in=[lead.pk for lead in locked])
                 .order_by().values("lead_ref").annotate(n=Count("pk")).values_list("lead_ref", "n"))
    entries = LeadAudit.objects.bulk_create([_deletion_entry(lead, by, reason, sends.get(lead.pk, 0))
                                             for lead in locked])
    Lead.objects.filter(pk__in=[lead.pk for lead in locked]).delete()
    return entries


@transaction.atomic
def lead_delete(*, lead: Lead, by, reason: str = "") -> LeadAudit:
    """Delete one lead (see `leads_delete`)."""
    if not can_delete_lead(by, lead):
        raise PermissionDenied(_("You cannot delete this lead; disqualify it instead."))
    lead_lock(lead=lead)  # refuses a lead deleted meanwhile
    return leads_delete(lead_ids=[lead.pk], by=by, reason=reason)[0]
