"""Writes of the sales-to-success handoff: fill in the checklist, confirm feasibility, open onboarding.

Every write locks the deal row first (one handoff per deal is created under that lock), checks the
named predicate (teams.predicates.can_change_handoff / can_confirm_feasibility) and bumps the
handoff's version (a stale `expected_version` is a VersionConflict: 409 in the API). Closing a deal
won (pipeline.services.transitions._move) calls `handoff_onboarding_open` on commit: the success
owner's onboarding tasks, opened once per deal and step (`task_open` keys), and a notification.
"""
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from customers.models import Activity, Contact
from customers.services import task_open
from salesops.errors import VersionConflict
from teams import predicates
from teams.services import check_known_fields, notify

from .. import handoff as rules
from ..models import Handoff, HandoffStakeholder, Opportunity
from ..models.handoff import MAX_PROMISES, PROMISE_MAX_LENGTH
from ..selectors.handoff import onboarding_task_key, won_deals_missing_onboarding

HANDOFF_FIELDS = ("success_criteria", "target_30", "target_60", "target_90", "promises", "stakeholders")
TEXT_FIELDS = ("success_criteria", "target_30", "target_60", "target_90")

# The onboarding tasks closing won opens for the success owner (settings.PIPELINE_ONBOARDING_STEPS
# replaces them: a list of {"step", "summary" (an English msgid with %(account)s / %(deal)s),
# "business_days" or "days" after the close}).
DEFAULT_ONBOARDING_STEPS = (
    {"step": "welcome_pack", "summary": gettext_noop("Send the welcome pack to %(account)s"), "business_days": 2},
    {"step": "kickoff", "summary": gettext_noop("Kickoff meeting with %(account)s (deal “%(deal)s”)"),
     "business_days": 5},
    {"step": "check_30", "summary": gettext_noop("30-day check with %(account)s: first targets met?"), "days": 30},
)


class HandoffConflict(VersionConflict):
    def __init__(self, *, current_version: int):
        super().__init__(_("This handoff was changed by someone else meanwhile. Reload it and try again."),
                         current_version=current_version)


def _lock(opportunity: Opportunity) -> tuple[Opportunity, Handoff]:
    """Lock the deal (serialising the handoff's creation), then return its handoff, created if new."""
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    opp = Opportunity.objects.select_related("account", "account__success_owner", "owner", "owner__team").get(pk=opp.pk)
    handoff, _created = Handoff.objects.select_for_update().get_or_create(opportunity=opp)
    return opp, handoff


def _check_version(handoff: Handoff, expected_version: int | None) -> None:
    if expected_version is not None and handoff.version != expected_version:
        raise HandoffConflict(current_version=handoff.version)


def _check_promises(value) -> list[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(p, str) for p in value):
        raise ValidationError({"promises": _("Promises are a list of texts.")})
    promises = rules.clean_promises(value)
    if len(promises) > MAX_PROMISES:
        raise ValidationError({"promises": _("At most %(count)d promises.") % {"count": MAX_PROMISES}})
    if any(len(p) > PROMISE_MAX_LENGTH for p in promises):
        raise ValidationError({"promises": _("A promise has at most %(count)d characters.")
                               % {"count": PROMISE_MAX_LENGTH}})
    return promises


def _set_stakeholders(*, handoff: Handoff, opportunity: Opportunity, stakeholders: dict) -> None:
    """`stakeholders`: role -> Contact (of the deal's account) or None to clear the role."""
    roles = set(HandoffStakeholder.Role.values)
    unknown = set(stakeholders) - roles
    if unknown:
        raise ValidationError({"stakeholders": _("Unknown stakeholder roles: %(roles)s")
                               % {"roles": ", ".join(sorted(map(str, unknown)))}})
    for contact in stakeholders.values():
        if contact is not None and (not isinstance(contact, Contact) or contact.account_id != opportunity.account_id):
            raise ValidationError({"stakeholders": _("A stakeholder must be a contact of the deal's account.")})
    for role, contact in stakeholders.items():
        if contact is None:
            HandoffStakeholder.objects.filter(handoff=handoff, role=role).delete()
        else:
            HandoffStakeholder.objects.update_or_create(handoff=handoff, role=role, defaults={"contact": contact})


@transaction.atomic
def handoff_update(*, opportunity: Opportunity, by, expected_version: int | None = None, **fields) -> Handoff:
    """Fill in (part of) a deal's handoff checklist: success criteria, 30/60/90-day targets, promises
    (a list of texts, blank lines dropped), stakeholders ({role: contact or None}). Fields not given
    stay as they are."""
    check_known_fields(fields, HANDOFF_FIELDS)
    opp, handoff = _lock(opportunity)
    if not predicates.can_change_handoff(by, opp):
        raise PermissionDenied(_("You may not change this deal's handoff."))
    _check_version(handoff, expected_version)
    if "promises" in fields:
        fields["promises"] = _check_promises(fields["promises"])
    for name in TEXT_FIELDS:
        if name in fields and not isinstance(fields[name], str):
            raise ValidationError({name: _("Enter a text.")})
    stakeholders = fields.pop("stakeholders", None)
    if stakeholders is not None:
        if not isinstance(stakeholders, dict):
            raise ValidationError({"stakeholders": _("Stakeholders are given per role.")})
        _set_stakeholders(handoff=handoff, opportunity=opp, stakeholders=stakeholders)
    for name, value in fields.items():
        setattr(handoff, name, value.strip() if isinstance(value, str) else value)
    handoff.version += 1
    handoff.updated_by = by
    handoff.full_clean(exclude=["opportunity"])
    handoff.save()
    return handoff


@transaction.atomic
def handoff_confirm_feasibility(*, opportunity: Opportunity, by, note: str = "",
                                expected_version: int | None = None) -> Handoff:
    """Product confirms that what the deal sells is feasible (who and when are recorded)."""
    opp, handoff = _lock(opportunity)
    if not predicates.can_confirm_feasibility(by, opp):
        raise PermissionDenied(_("Only the product team confirms product feasibility."))
    _check_version(handoff, expected_version)
    if not isinstance(note, str):
        raise ValidationError({"note": _("Enter a text.")})
    handoff.feasibility_confirmed_by = by
    handoff.feasibility_confirmed_at = timezone.now()
    handoff.feasibility_note = note.strip()
    handoff.version += 1
    handoff.updated_by = by
    handoff.full_clean(exclude=["opportunity"])
    handoff.save()
    return handoff


def onboarding_steps() -> list[rules.OnboardingStep]:
    return rules.onboarding_steps(getattr(settings, "PIPELINE_ONBOARDING_STEPS", None) or DEFAULT_ONBOARDING_STEPS)


@transaction.atomic
def handoff_onboarding_open(*, opportunity_id: int, won_at=None) -> list[Activity]:
    """Open the won deal's onboarding tasks for the account's success owner (the deal owner while none is
    assigned) and notify them. Idempotent: each step's task has the key "handoff:<deal>:<step>", so a
    retried or repeated close (reopened and won again) opens nothing twice and notifies only when a task
    was new. A deal that is no longer won (or is gone) gets nothing."""
    opp = (Opportunity.objects.select_related("account", "account__success_owner", "owner", "stage")
           .filter(pk=opportunity_id).first())
    if opp is None or not opp.stage.is_won:
        return []
    owner = opp.account.success_owner or opp.owner
    won_on = timezone.localdate(won_at or opp.closed_at or timezone.now())
    steps = onboarding_steps()
    keys = {step.step: onboarding_task_key(opp.pk, step.step) for step in steps}
    existing = set(Activity.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    params = {"account": opp.account.name, "deal": opp.name}
    tasks = []
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the organisation's language
        for step in steps:
            due = timezone.make_aware(datetime.combine(rules.step_due(step, won_on), time(17, 0)))
            tasks.append(task_open(owner=owner, summary=_(step.summary) % params, due_at=due, account=opp.account,
                                   key=keys[step.step]))
    new = [t for t in tasks if t.key not in existing]
    if new:
        kickoff = next((t for t in tasks if t.key.endswith(":kickoff")), new[0])
        notify(recipient=owner, kind="handoff_won",
               text=gettext_noop("“%(deal)s” was won: %(count)d onboarding tasks for %(account)s are yours "
                                 "(kickoff by %(due)s)."),
               params={**params, "count": len(new), "due": timezone.localdate(kickoff.due_at).isoformat()},
               url=reverse("pipeline:handoff", args=[opp.pk]))
    return tasks


def handoff_onboarding_catch_up(*, days: int = 7, limit: int = 500, now=None) -> int:
    """Nightly (beat): open what an on-commit run missed (it failed, or the process died) for the deals
    won in the last `days` days; at most `limit` deals a run. Idempotent. Returns the deals handled."""
    since = (now or timezone.now()) - timedelta(days=days)
    ids = won_deals_missing_onboarding(since=since, step_count=len(onboarding_steps()), limit=limit)
    for pk in ids:
        handoff_onboarding_open(opportunity_id=pk)
    return len(ids)


def schedule_onboarding(*, opportunity_id: int, won_at=None) -> None:
    """After the close commits (never before): a failure is logged and never undoes the close; closing
    won again later (or the demo) runs it again and opens only what is missing."""
    transaction.on_commit(lambda: handoff_onboarding_open(opportunity_id=opportunity_id, won_at=won_at), robust=True)
