"""Stage transitions through the gates, the admin override and imported stages; the ledger (`_move`)."""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Contact, Activity
from leads.services import lead_record_won
from salesops.errors import VersionConflict
from integrations.events import publish
from salesops.queue import enqueue_on_commit
from teams import predicates

from .. import gates
from ..models import (
    Approval,
    ChecklistItem,
    ChecklistTick,
    GateCriterion,
    LossReason,
    Opportunity,
    OpportunityWinFactors,
    Stage,
    StageTransition,
)
from ..selectors import stage_infos, stage_list
from ..selectors.handoff import handoff_facts
from ..tasks import forecast_model_recompute_task, win_probability_rescore_task
from .forecast import model_probability_for
from .handoff import schedule_onboarding
from .ledger import ledger_stays_sync


# --- errors -------------------------------------------------------------------------------------
class TransitionRefused(ValidationError):
    """A refused move. `unmet` lists every unmet criterion as {"code", "message"}."""

    def __init__(self, unmet: list[dict]):
        self.unmet = unmet
        super().__init__([item["message"] for item in unmet], code="transition_refused")


class TransitionConflict(VersionConflict):
    """Someone else changed the deal since the caller read it (optimistic concurrency)."""

    def __init__(self, *, current_version: int, current_stage: Stage):
        self.current_stage = current_stage
        super().__init__(
            _("This opportunity was changed by someone else meanwhile (it is now in “%(stage)s”). "
              "Reload it and try again.") % {"stage": current_stage.label},
            current_version=current_version)

    def conflict_detail(self) -> dict:
        return {"version": self.current_version, "stage": self.current_stage.pk}


def discount_limit() -> Decimal:
    return Decimal(str(settings.PIPELINE_DISCOUNT_APPROVAL_LIMIT))


# --- messages -----------------------------------------------------------------------------------
def unmet_message(unmet: gates.Unmet, *, stages: dict[int, Stage], items: dict[str, ChecklistItem]) -> str:
    if unmet.kind == gates.REQUIRED_FIELD:
        if unmet.target == "loss_competitor":
            return _("The loss reason needs the competitor the deal was lost to: add it to the competitors.")
        if unmet.target == "loss_reason":
            return _("Closing a deal as lost needs a loss reason.")
        label = dict(GateCriterion.Field.choices).get(unmet.target, unmet.target)
        return _("“%(field)s” must be filled in.") % {"field": label}
    if unmet.kind == gates.CHECKLIST_ITEM:
        item = items.get(unmet.target)
        return _("Checklist item not ticked: “%(item)s”.") % {"item": item.label if item else unmet.target}
    if unmet.kind == gates.RELATED_RECORD:
        label = dict(GateCriterion.Record.choices).get(unmet.target, unmet.target)
        return _("Missing: %(record)s.") % {"record": label}
    if unmet.kind == gates.MANAGER_APPROVAL:
        if unmet.target == "discount":
            return _("The discount of %(discount)s%% is above the %(limit)s%% limit and needs a manager's approval.") % {
                "discount": unmet.params.get("discount"), "limit": unmet.params.get("limit")}
        return _("A manager's approval is needed.")
    if unmet.kind == gates.HANDOFF:
        return handoff_message(unmet.target)
    if unmet.code == gates.SAME_STAGE:
        return _("The opportunity is already in this stage.")
    if unmet.code == gates.STAGE_INACTIVE:
        return _("This stage is not in use.")
    if unmet.code == gates.SKIP_FORWARD:
        following = stages.get(unmet.params.get("next_stage_id"))
        return _("Stages cannot be skipped: move to “%(stage)s” first.") % {
            "stage": following.label if following else "?"}
    if unmet.code == gates.REASON_REQUIRED:
        return _("Moving a deal back (or reopening it) needs a reason.")
    return unmet.code


def handoff_message(item: str) -> str:
    """The translated message of one missing handoff item (pipeline.handoff.missing_items codes)."""
    messages = {
        "stakeholder_champion": _("Handoff: name the customer's champion (a contact of the account)."),
        "stakeholder_executive_sponsor": _("Handoff: name the customer's executive sponsor (a contact of the account)."),
        "stakeholder_admin": _("Handoff: name the customer's administrator (a contact of the account)."),
        "success_criteria": _("Handoff: describe the customer's success criteria."),
        "target_30": _("Handoff: set the 30-day target."),
        "target_60": _("Handoff: set the 60-day target."),
        "target_90": _("Handoff: set the 90-day target."),
        "promises": _("Handoff: record the promises made to the customer."),
        "feasibility": _("Handoff: product feasibility must be confirmed by the product team."),
        "success_owner": _("Handoff: assign a success owner to the account."),
    }
    return messages.get(item, _("Handoff item missing: %(item)s.") % {"item": item})


# --- facts --------------------------------------------------------------------------------------
def gate_facts(*, opportunity: Opportunity, competitor_ids=None, with_handoff: bool = False) -> gates.Facts:
    opp = opportunity
    if competitor_ids is None:
        competitor_ids = list(opp.competitors.values_list("pk", flat=True)) if opp.pk else []
    fields = {name: getattr(opp, name) for name in
              ("confirmed_needs", "decision_makers", "next_step", "amount", "expected_close_date")}
    fields["loss_reason"] = opp.loss_reason_id
    fields["competitors"] = list(competitor_ids)
    fields["products"] = list(opp.lines.values_list("pk", flat=True))
    ticked = frozenset(ChecklistTick.objects.filter(opportunity=opp).values_list("item__code", flat=True))
    kinds = set(Activity.objects.filter(
        Q(opportunity_link__opportunity=opp)
        | Q(account_id=opp.account_id, opportunity_link__isnull=True, occurred_at__gte=opp.created_at)
    ).values_list("kind", flat=True).distinct())
    records = set()
    if kinds:
        records.add("activity")
    if Activity.Kind.MEETING in kinds:
        records.add("meeting")
    if Contact.objects.filter(account_id=opp.account_id).exists():
        records.add("contact")
    approved = opp.approvals.filter(kind=Approval.Kind.DISCOUNT, status=Approval.Status.APPROVED).aggregate(
        value=Max("value"))["value"]
    requires_competitor = bool(opp.loss_reason_id and opp.loss_reason.requires_competitor)
    return gates.Facts(fields=fields, ticked_items=ticked, records=frozenset(records),
                       discount_percent=opp.discount_percent, discount_limit=discount_limit(),
                       approved_discount=approved, loss_requires_competitor=requires_competitor,
                       handoff=handoff_facts(opportunity=opp) if with_handoff else None)


def _criteria() -> list[gates.Criterion]:
    return [gates.Criterion(c.stage_id, c.applies_on, c.kind,
                            c.checklist_item.code if c.kind == GateCriterion.Kind.CHECKLIST_ITEM else c.target)
            for c in GateCriterion.objects.filter(is_active=True).select_related("checklist_item")
            if c.kind != GateCriterion.Kind.CHECKLIST_ITEM or c.checklist_item_id]


def transition_problems(*, opportunity: Opportunity, to_stage: Stage, reason: str = "",
                        competitor_ids=None) -> list[dict]:
    """Every reason the move would be refused, as [{"code", "message"}] (empty: it may go)."""
    stages = {s.pk: s for s in stage_list(active_only=False)}
    infos = {i.id: i for i in stage_infos(stages.values())}
    from_info, to_info = infos[opportunity.stage_id], infos[to_stage.pk]
    problems = gates.move_problems(stages=list(infos.values()), from_stage=from_info, to_stage=to_info, reason=reason)
    if not any(p.code == gates.SAME_STAGE for p in problems):
        criteria = gates.criteria_for_move(_criteria(), from_stage=from_info, to_stage=to_info)
        facts = gate_facts(opportunity=opportunity, competitor_ids=competitor_ids,
                           with_handoff=any(c.kind == gates.HANDOFF for c in criteria))
        problems += gates.unmet_criteria(criteria, facts)
    items = {i.code: i for i in ChecklistItem.objects.all()} if problems else {}
    return [{"code": p.code, "message": unmet_message(p, stages=stages, items=items)} for p in problems]


# --- the ledger ---------------------------------------------------------------------------------
def _publish_move(*, opp: Opportunity, from_stage: Stage, to_stage: Stage, at, kind: str, amount) -> None:
    """Webhooks and the change feed (integrations.events): the stage change, and won or lost."""
    payload = {"opportunity": opp.pk, "name": opp.name, "from_stage": from_stage.name, "to_stage": to_stage.name,
               "at": at.isoformat(), "kind": kind, "amount": str(amount) if amount is not None else None,
               "currency": opp.currency, "owner": opp.owner_id, "account": opp.account_id}
    publish("opportunity.stage_changed", object_id=opp.pk, owner_id=opp.owner_id, payload=payload)
    if to_stage.is_won or to_stage.is_lost:
        publish("opportunity.won" if to_stage.is_won else "opportunity.lost", object_id=opp.pk,
                owner_id=opp.owner_id, payload=payload)


def _move(*, opp: Opportunity, to_stage: Stage, by, reason: str, kind: str, at=None, amount=None,
          probability=None, extra: dict | None = None) -> Opportunity:
    """Compare-and-set the stage on the locked row and append the ledger entry."""
    at = at or timezone.now()
    from_stage = opp.stage
    changes = {
        "stage": to_stage, "stage_entered_at": at, "stage_probability": to_stage.probability,
        "closed_at": at if to_stage.is_closed else None, "stalled_at": None, "updated_at": timezone.now(),
        **(extra or {}),
    }
    if not to_stage.is_lost:
        changes["loss_reason"] = None
    if not to_stage.is_closed:  # the learnt rate of the new stage (closed deals keep their last one)
        changes["model_probability"] = model_probability_for(team_id=opp.team_id, stage=to_stage)
    if amount is not None:
        changes["amount"] = amount
    updated = Opportunity.objects.filter(pk=opp.pk, version=opp.version).update(version=F("version") + 1, **changes)
    if not updated:
        current = Opportunity.objects.select_related("stage").get(pk=opp.pk)
        raise TransitionConflict(current_version=current.version, current_stage=current.stage)
    if not to_stage.is_closed:  # the table's rate stands until the trained model (if any) scores it again
        OpportunityWinFactors.objects.filter(opportunity_id=opp.pk).delete()
        if kind != StageTransition.Kind.IMPORTED:  # an import's many moves: the nightly run scores them
            enqueue_on_commit(win_probability_rescore_task, opp.pk)
    StageTransition.objects.create(
        opportunity=opp, from_stage=from_stage, to_stage=to_stage, by=by, at=at, reason=reason or "",
        amount=changes.get("amount", opp.amount), currency=opp.currency,
        probability=to_stage.probability if probability is None else probability, kind=kind)
    ledger_stays_sync(opportunity_id=opp.pk)
    if kind != StageTransition.Kind.IMPORTED:  # imported history is not news to subscribers
        _publish_move(opp=opp, from_stage=from_stage, to_stage=to_stage, at=at, kind=kind,
                      amount=changes.get("amount", opp.amount))
    if opp.lead_id and (to_stage.is_won or from_stage.is_won):  # the lead's funnel outcome follows its deal
        lead_record_won(lead_id=opp.lead_id, won_at=at if to_stage.is_won else None)
    if to_stage.is_won and kind != StageTransition.Kind.IMPORTED:  # imported history opens no tasks
        schedule_onboarding(opportunity_id=opp.pk, won_at=at)
    if to_stage.is_closed or from_stage.is_closed:  # the model learns from every close (and reopening)
        enqueue_on_commit(forecast_model_recompute_task)  # broker away: the nightly run catches up
    opp.refresh_from_db()
    return opp


def _lock(opportunity: Opportunity) -> Opportunity:
    # No joins in the locking query: PostgreSQL re-checks a locked row after a concurrent update, and
    # a join to the (changed) stage would make the row vanish from the result instead of showing it.
    return Opportunity.objects.select_for_update().get(pk=opportunity.pk)


@transaction.atomic
def opportunity_transition(*, opportunity: Opportunity, to_stage: Stage, by, reason: str = "",
                           expected_version: int | None = None, loss_reason: LossReason | None = None,
                           competitors=None) -> Opportunity:
    """Move a deal to `to_stage` through the gates.

    Locks the row; refuses (TransitionRefused, with every unmet criterion) a skip forward, a move
    back without a reason, or unmet exit/entry criteria; refuses (TransitionConflict) when the deal
    is no longer at `expected_version`. `loss_reason` / `competitors` may come with a close-lost move.
    """
    opp = _lock(opportunity)
    if expected_version is not None and opp.version != expected_version:
        raise TransitionConflict(current_version=opp.version, current_stage=opp.stage)
    if loss_reason is not None:
        opp.loss_reason = loss_reason
    competitor_ids = None
    if competitors is not None:
        competitor_ids = {c.pk for c in competitors} | set(opp.competitors.values_list("pk", flat=True))
    problems = transition_problems(opportunity=opp, to_stage=to_stage, reason=reason, competitor_ids=competitor_ids)
    if problems:
        raise TransitionRefused(problems)
    backward = gates.is_backward(
        from_stage=gates.StageInfo(opp.stage.pk, opp.stage.order, opp.stage.is_won, opp.stage.is_lost),
        to_stage=gates.StageInfo(to_stage.pk, to_stage.order, to_stage.is_won, to_stage.is_lost))
    extra = {"loss_reason": opp.loss_reason} if to_stage.is_lost else {}
    opp = _move(opp=opp, to_stage=to_stage, by=by, reason=reason,
                kind=StageTransition.Kind.BACKWARD if backward else StageTransition.Kind.MOVE, extra=extra)
    if competitors:
        opp.competitors.add(*competitors)
    return opp


@transaction.atomic
def opportunity_override_stage(*, opportunity: Opportunity, to_stage: Stage, by, reason: str) -> Opportunity:
    """An admin puts a deal in any stage without the gates; needs a reason, audited as "override"."""
    if not predicates.can_override_stage(by):
        raise PermissionDenied(_("Only administrators can override a stage."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("An override needs a reason.")})
    opp = _lock(opportunity)
    if opp.stage_id == to_stage.pk:
        raise ValidationError(_("The opportunity is already in this stage."))
    return _move(opp=opp, to_stage=to_stage, by=by, reason=reason, kind=StageTransition.Kind.OVERRIDE)


@transaction.atomic
def opportunity_import_stage(*, opportunity: Opportunity, to_stage: Stage, at=None, by=None, reason: str = "",
                             amount: Decimal | None = None, probability: int | None = None) -> Opportunity:
    """Place an imported deal in its recorded stage (at its recorded time) with an "imported" ledger entry."""
    opp = _lock(opportunity)
    return _move(opp=opp, to_stage=to_stage, by=by, reason=reason or _("Imported"),
                 kind=StageTransition.Kind.IMPORTED, at=at, amount=amount, probability=probability)
