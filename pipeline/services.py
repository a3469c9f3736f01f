"""Writes to the pipeline. Views, the API, the admin, bulk actions, tasks and imports come through here.

`opportunity_transition` is the ONE path that moves a deal through the gates; the import and the
admin override are the only other ways to change a stage, and both are audited in the ledger.
"""
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from customers.models import Account, Contact, Interaction
from customers.services import account_create, contact_create
from leads.models import Lead
from leads.selectors import lead_queryset_for
from leads.services import lead_lock_for_conversion, lead_mark_converted, lead_record_won
from salesops.queue import enqueue_on_commit
from teams import predicates
from teams.selectors import CHANGE, VIEW
from teams.services import notify
from salesops.errors import VersionConflict

from .tasks import forecast_model_recompute_task

from . import forecasting, gates
from .models import (
    Approval, ChecklistItem, ChecklistTick, Competitor, ForecastSnapshot, GateCriterion, LossReason, Opportunity,
    OpportunityLine, Stage, StageTransition, StageWinRate,
)
from .selectors import first_stage, stage_infos, stage_list, stage_stay_days

EDITABLE_FIELDS = (
    "name", "account", "contact", "owner", "amount", "currency", "discount_percent", "expected_close_date",
    "confirmed_needs", "need_tags", "decision_makers", "next_step", "rep_probability", "forecast_category",
    "competitors", "external_ref",
)
CREATE_ONLY_FIELDS = ("lead", "created_at")
# A closed deal's commercial fields are frozen: they change only after a reopen transition (back to
# an open stage, with a reason, in the ledger) or through an administrator's audited correction.
FROZEN_WHEN_CLOSED = ("amount", "discount_percent", "currency", "expected_close_date")


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


# --- facts --------------------------------------------------------------------------------------
def gate_facts(*, opportunity: Opportunity, competitor_ids=None) -> gates.Facts:
    opp = opportunity
    if competitor_ids is None:
        competitor_ids = list(opp.competitors.values_list("pk", flat=True)) if opp.pk else []
    fields = {name: getattr(opp, name) for name in
              ("confirmed_needs", "decision_makers", "next_step", "amount", "expected_close_date")}
    fields["loss_reason"] = opp.loss_reason_id
    fields["competitors"] = list(competitor_ids)
    fields["products"] = list(opp.lines.values_list("pk", flat=True))
    ticked = frozenset(ChecklistTick.objects.filter(opportunity=opp).values_list("item__code", flat=True))
    kinds = set(Interaction.objects.filter(
        Q(opportunity_link__opportunity=opp)
        | Q(account_id=opp.account_id, opportunity_link__isnull=True, occurred_at__gte=opp.created_at)
    ).values_list("kind", flat=True).distinct())
    records = set()
    if kinds:
        records.add("interaction")
    if Interaction.Kind.MEETING in kinds:
        records.add("meeting")
    if Contact.objects.filter(account_id=opp.account_id).exists():
        records.add("contact")
    approved = opp.approvals.filter(kind=Approval.Kind.DISCOUNT, status=Approval.Status.APPROVED).aggregate(
        value=Max("value"))["value"]
    requires_competitor = bool(opp.loss_reason_id and opp.loss_reason.requires_competitor)
    return gates.Facts(fields=fields, ticked_items=ticked, records=frozenset(records),
                       discount_percent=opp.discount_percent, discount_limit=discount_limit(),
                       approved_discount=approved, loss_requires_competitor=requires_competitor)


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
        problems += gates.unmet_criteria(criteria, gate_facts(opportunity=opportunity, competitor_ids=competitor_ids))
    items = {i.code: i for i in ChecklistItem.objects.all()} if problems else {}
    return [{"code": p.code, "message": unmet_message(p, stages=stages, items=items)} for p in problems]


# --- the ledger ---------------------------------------------------------------------------------
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
    StageTransition.objects.create(
        opportunity=opp, from_stage=from_stage, to_stage=to_stage, by=by, at=at, reason=reason or "",
        amount=changes.get("amount", opp.amount), currency=opp.currency,
        probability=to_stage.probability if probability is None else probability, kind=kind)
    if opp.lead_id and (to_stage.is_won or from_stage.is_won):  # the lead's funnel outcome follows its deal
        lead_record_won(lead_id=opp.lead_id, won_at=at if to_stage.is_won else None)
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


# --- create / update ----------------------------------------------------------------------------
def _check_fields(fields: dict, allowed) -> None:
    if "stage" in fields:
        raise ValidationError({"stage": _("The stage only changes through a stage transition.")})
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(_("Unknown opportunity fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def _check_links(*, by, opp: Opportunity, owner_changed: bool, account_changed: bool) -> None:
    errors = {}
    if owner_changed and not predicates.can_give_records_to(by, opp.owner):
        errors["owner"] = _("You cannot assign records to this user.")
    if account_changed:
        from customers.selectors import account_queryset_for
        if not account_queryset_for(user=by, action=VIEW).filter(pk=opp.account_id).exists():
            errors["account"] = _("You cannot use this account.")
    if opp.contact_id and opp.contact.account_id != opp.account_id:
        errors["contact"] = _("This contact belongs to another account.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def opportunity_create(*, by, **fields) -> Opportunity:
    """Create a deal in the first stage (with a "created" ledger entry)."""
    _check_fields(fields, EDITABLE_FIELDS + CREATE_ONLY_FIELDS)
    stage = first_stage()
    if stage is None:
        raise ValidationError(_("No pipeline stage is configured."))
    competitors = fields.pop("competitors", None)
    fields.setdefault("owner", by)
    opp = Opportunity(stage=stage, stage_probability=stage.probability, **fields)
    opp.team_id = opp.owner.team_id if opp.owner_id else None
    opp.model_probability = model_probability_for(team_id=opp.team_id, stage=stage)
    if "created_at" in fields:
        opp.stage_entered_at = fields["created_at"]
    _check_links(by=by, opp=opp, owner_changed=True, account_changed=True)
    opp.full_clean()
    opp.save()
    if competitors:
        opp.competitors.set(competitors)
    StageTransition.objects.create(opportunity=opp, from_stage=None, to_stage=stage, by=by, at=opp.created_at,
                                   amount=opp.amount, currency=opp.currency, probability=stage.probability,
                                   kind=StageTransition.Kind.CREATED)
    return opp


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, by, expected_version: int | None = None,
                       **fields) -> Opportunity:
    """Edit a deal's data (never its stage). Bumps the version so concurrent edits are detected."""
    _check_fields(fields, EDITABLE_FIELDS)
    opp = _lock(opportunity)
    if expected_version is not None and opp.version != expected_version:
        raise TransitionConflict(current_version=opp.version, current_stage=opp.stage)
    _refuse_frozen_changes(opp, fields)
    competitors = fields.pop("competitors", None)
    previous_discount = opp.discount_percent
    owner_changed = "owner" in fields and getattr(fields["owner"], "pk", None) != opp.owner_id
    account_changed = "account" in fields and getattr(fields["account"], "pk", None) != opp.account_id
    for name, value in fields.items():
        setattr(opp, name, value)
    _check_links(by=by, opp=opp, owner_changed=owner_changed, account_changed=account_changed)
    if owner_changed:
        opp.team_id = opp.owner.team_id
    opp.version += 1
    opp.full_clean()
    opp.save()
    if competitors is not None:
        opp.competitors.set(competitors)
    if opp.discount_percent > previous_discount:
        approvals_withdraw_uncovered(opportunity=opp)
    return opp


def frozen_changes(opportunity: Opportunity, fields: dict) -> list[str]:
    """The commercial fields of a closed deal that `fields` would change (empty for an open deal)."""
    if not opportunity.stage.is_closed:
        return []
    return [name for name in FROZEN_WHEN_CLOSED if name in fields and fields[name] != getattr(opportunity, name)]


def frozen_message(names) -> str:
    labels = ", ".join(str(Opportunity._meta.get_field(name).verbose_name) for name in names)
    return _("Reopen the deal to change %(fields)s: a closed deal's amount, discount, products, close date and "
             "currency are frozen (reopening is a move back to an open stage, with a reason, recorded in the "
             "ledger; an administrator may instead make an audited correction).") % {"fields": labels}


def _refuse_frozen_changes(opp: Opportunity, fields: dict) -> None:
    changed = frozen_changes(opp, fields)
    if changed:
        raise ValidationError({name: frozen_message(changed) for name in changed}, code="closed_deal_frozen")


def _refuse_closed(opp: Opportunity) -> None:
    if opp.stage.is_closed:
        raise ValidationError(_("Reopen the deal to change its products: a closed deal's amount, discount, "
                                "products, close date and currency are frozen."), code="closed_deal_frozen")


@transaction.atomic
def opportunity_correct_closed(*, opportunity: Opportunity, by, reason: str, **fields) -> Opportunity:
    """An administrator corrects a closed deal's commercial fields without reopening it.

    Needs a reason; the correction is a "correction" entry in the stage ledger (same stage, the new
    amount, the reason and every old -> new value), so the won figures never change unrecorded.
    """
    if not predicates.can_correct_closed_deal(by):
        raise PermissionDenied(_("Only administrators can correct a closed deal."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("A correction needs a reason.")})
    unknown = set(fields) - set(FROZEN_WHEN_CLOSED)
    if unknown:
        raise ValidationError(_("Unknown opportunity fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    opp = _lock(opportunity)
    if not opp.stage.is_closed:
        raise ValidationError(_("Only a closed deal needs a correction; edit an open deal directly."))
    changed = frozen_changes(opp, fields)
    if not changed:
        raise ValidationError(_("The correction changes nothing."))
    before = {name: getattr(opp, name) for name in changed}
    for name in changed:
        setattr(opp, name, fields[name])
    opp.version += 1
    opp.full_clean()
    opp.save()
    details = "; ".join(f"{name}: {before[name]} -> {getattr(opp, name)}" for name in changed)
    StageTransition.objects.create(
        opportunity=opp, from_stage=opp.stage, to_stage=opp.stage, by=by, at=timezone.now(),
        reason=f"{reason.strip()} ({details})", amount=opp.amount, currency=opp.currency,
        probability=opp.stage_probability, kind=StageTransition.Kind.CORRECTION)
    if opp.stage.is_won and "discount_percent" in changed and opp.discount_percent > before["discount_percent"]:
        approvals_withdraw_uncovered(opportunity=opp)
    return opp


@transaction.atomic
def opportunity_delete(*, opportunity: Opportunity, by) -> None:
    """Delete a deal (rule: teams.predicates.can_delete_opportunity, administrators; others close it
    as lost). Audited in the admin log with the deal's figures. Its stage ledger is never deleted:
    the rows stay with the deal emptied (SET_NULL), its id in `opportunity_ref` and its name in
    `opportunity_name` (one UPDATE), and count in no figure from then on (pipeline.selectors).
    Product lines, checklist ticks, approvals and interaction links go with the deal."""
    if not predicates.can_delete_opportunity(by, opportunity):
        raise PermissionDenied(_("Only administrators delete opportunities; close them as lost instead."))
    opp = _lock(opportunity)
    kept = StageTransition.objects.filter(opportunity=opp).update(opportunity_name=opp.name)
    _audit_deletion(by=by, opportunity=opp, message=(
        f"Deleted opportunity {opp.pk} “{opp.name}”: {opp.amount} {opp.currency}, stage {opp.stage.code}, "
        f"owner {opp.owner_id}, account {opp.account_id}. Its {kept} stage ledger rows are kept "
        f"(deal id {opp.pk}).")[:10000])
    opp.delete()


def _audit_deletion(*, by, opportunity: Opportunity, message: str) -> None:
    from django.contrib.admin.models import DELETION, LogEntry
    LogEntry.objects.log_actions(user_id=by.pk, queryset=[opportunity], action_flag=DELETION,
                                 change_message=message, single_object=True)


@transaction.atomic
def opportunity_line_add(*, opportunity: Opportunity, by, product, quantity: Decimal = Decimal("1"),
                         unit_price: Decimal | None = None, margin_percent: Decimal | None = None) -> OpportunityLine:
    opportunity = _lock(opportunity)
    _refuse_closed(opportunity)
    line = OpportunityLine(opportunity=opportunity, product=product, quantity=quantity,
                           unit_price=product.list_price if unit_price is None else unit_price,
                           margin_percent=product.margin_percent if margin_percent is None else margin_percent)
    line.full_clean()
    line.save()
    return line


LINE_FIELDS = ("product", "quantity", "unit_price", "margin_percent")


@transaction.atomic
def opportunity_line_update(*, line: OpportunityLine, by, **fields) -> OpportunityLine:
    unknown = set(fields) - set(LINE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown line fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _refuse_closed(_lock(line.opportunity))
    line = OpportunityLine.objects.select_for_update().get(pk=line.pk)
    for name, value in fields.items():
        setattr(line, name, value)
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def opportunity_line_remove(*, line: OpportunityLine, by) -> None:
    _refuse_closed(_lock(line.opportunity))
    OpportunityLine.objects.filter(pk=line.pk).delete()


@transaction.atomic
def checklist_tick(*, opportunity: Opportunity, item: ChecklistItem, by, ticked: bool = True) -> bool:
    """Tick (or untick) a checklist item on a deal. Returns whether it is ticked now."""
    if not item.is_active:
        raise ValidationError(_("This checklist item is not in use."))
    if ticked:
        ChecklistTick.objects.get_or_create(opportunity=opportunity, item=item, defaults={"ticked_by": by})
    else:
        ChecklistTick.objects.filter(opportunity=opportunity, item=item).delete()
    return ticked


@transaction.atomic
def opportunity_interaction_log(*, opportunity: Opportunity, by, **fields) -> Interaction:
    """Log a call, meeting, email or note about a deal: an entry in customers' log on the deal's account
    (customers.services.interaction_log) and pipeline's link to the deal (OpportunityInteraction).
    The deal must be one `by` may change; its row is locked so a transition's gate check sees the link."""
    from customers.services import interaction_log

    from .models import OpportunityInteraction
    from .selectors import opportunity_queryset_for

    if not opportunity_queryset_for(user=by, action=CHANGE).filter(pk=opportunity.pk).exists():
        raise PermissionDenied(_("You cannot log interactions on this deal."))
    opp = _lock(opportunity)
    interaction = interaction_log(by=by, account=opp.account, **fields)
    OpportunityInteraction.objects.create(opportunity=opp, interaction=interaction)
    return interaction


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


# --- lead conversion ----------------------------------------------------------------------------
@transaction.atomic
def lead_convert(*, lead: Lead, by, account: Account | None = None, opportunity_name: str = "",
                 amount: Decimal = Decimal("0"), expected_close_date=None) -> Opportunity:
    """A qualified lead becomes account + contact + opportunity; the lead is marked converted (link kept)."""
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
    lead_mark_converted(lead_id=locked.pk, at=timezone.now())
    return opp


# --- stalled deals ------------------------------------------------------------------------------
def opportunities_flag_stalled(*, now=None) -> int:
    """Flag open deals whose time in their stage exceeds the stage's historical p80 (or a fixed
    number of days while there is little history). Idempotent: flagged deals are skipped; a move
    clears the flag. Notifies the owner and their manager once."""
    now = now or timezone.now()
    stages = [s for s in stage_list() if not s.is_closed]
    stays = stage_stay_days(stage_ids={s.pk for s in stages})
    flagged = 0
    for stage in stages:
        days = gates.stall_threshold_days(stays.get(stage.pk, []), min_samples=settings.PIPELINE_STALL_MIN_SAMPLES,
                                          default_days=settings.PIPELINE_STALL_DAYS)
        cutoff = now - timedelta(days=days)
        with transaction.atomic():
            due = list(Opportunity.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(stage=stage, stalled_at__isnull=True, stage_entered_at__lt=cutoff)
                       .select_related("owner__team__manager"))
            Opportunity.objects.filter(pk__in=[o.pk for o in due]).update(stalled_at=now)
            for opp in due:
                params = {"opportunity": opp.name, "stage": stage.name, "days": int(days)}
                text = gettext_noop("“%(opportunity)s” has been in “%(stage)s” for more than %(days)s days.")
                notify(recipient=opp.owner, kind="opportunity_stalled", text=text, params=params,
                       url=f"/pipeline/{opp.pk}/")
                manager = opp.owner.team.manager if opp.owner.team_id else None
                if manager and manager.pk != opp.owner_id:
                    notify(recipient=manager, kind="opportunity_stalled", text=text, params=params,
                           url=f"/pipeline/{opp.pk}/")
            flagged += len(due)
    return flagged


# --- forecast -----------------------------------------------------------------------------------
def model_probability_for(*, team_id: int | None, stage: Stage) -> int | None:
    """The learnt win rate for a team's deals in `stage` (the organisation-wide rate as a fallback)."""
    if stage.is_closed:
        return None
    rates = {r.team_id: r.probability for r in
             StageWinRate.objects.filter(Q(team__isnull=True) | Q(team_id=team_id), stage=stage)}
    if team_id is not None and team_id in rates:
        return rates[team_id]
    return rates.get(None)


def forecast_model_recompute(*, min_samples: int = forecasting.RATE_MIN_SAMPLES, now=None) -> int:
    """Learn the win rate per team and open stage from closed deals; copy it into open deals.

    Set-based: one GROUP BY over closed deals and their furthest stage (from the ledger), a handful of
    rate rows, then one UPDATE per (team, stage) that touches only the deals whose value changes.
    Idempotent; returns the number of open deals updated.
    """
    now = now or timezone.now()
    stages = [s for s in stage_list() if not s.is_closed]
    furthest = Subquery(StageTransition.objects.filter(opportunity=OuterRef("pk"), to_stage__is_lost=False)
                        .order_by().values("opportunity").annotate(m=Max("to_stage__order")).values("m"))
    counts = (Opportunity.objects.filter(closed_at__isnull=False).filter(Q(stage__is_won=True) | Q(stage__is_lost=True))
              .order_by().annotate(furthest=furthest)
              .values("team_id", "stage__is_won", "furthest").annotate(n=Count("pk")))
    rates = forecasting.win_rates(((r["team_id"], r["furthest"], r["stage__is_won"], r["n"]) for r in counts),
                                  stages=[(s.pk, s.order) for s in stages], min_samples=min_samples)
    updated = 0
    with transaction.atomic():
        StageWinRate.objects.all().delete()
        StageWinRate.objects.bulk_create([
            StageWinRate(team_id=r.team_id, stage_id=r.stage_id, closed_deals=r.closed, won_deals=r.won,
                         probability=r.probability, computed_at=now) for r in rates])
        team_rates = [r for r in rates if r.team_id is not None]
        learnt_teams = {r.team_id for r in team_rates}
        open_deals = Opportunity.objects.filter(closed_at__isnull=True)
        for rate in rates:
            if rate.team_id is None:
                cell = open_deals.filter(stage_id=rate.stage_id).exclude(team_id__in=learnt_teams)
            else:
                cell = open_deals.filter(stage_id=rate.stage_id, team_id=rate.team_id)
            if rate.probability is None:
                updated += cell.filter(model_probability__isnull=False).update(model_probability=None)
            else:
                updated += cell.exclude(model_probability=rate.probability).update(model_probability=rate.probability)
    return updated


def snapshot_cells(figures: dict):
    """(scope, scope key, link fields, currency, figures) of every snapshot row of one period: one row
    per rep, team and everyone *per currency* (amounts of different currencies are never added)."""
    Scope = ForecastSnapshot.Scope
    cells = [(Scope.REP, f"rep:{pk}", {"owner_id": pk}, code, f) for (pk, code), f in figures["reps"].items()]
    cells += [(Scope.TEAM, f"team:{pk}", {"team_id": pk}, code, f) for (pk, code), f in figures["teams"].items()]
    cells += [(Scope.ALL, "all", {}, code, f) for code, f in figures["totals"].items()]
    return cells


def forecast_snapshot_take(*, day=None) -> int:
    """Store the forecast of the current month and quarter per rep, team and for everyone, as of `day`.

    Idempotent per day: a re-run replaces that day's rows (one transaction). Returns rows stored.
    """
    from .selectors.metrics import forecast_figures
    day = day or timezone.localdate()
    rows = []
    for kind in forecasting.PERIOD_KINDS:
        start, end = forecasting.period_bounds(kind, day)
        figures = forecast_figures(queryset=Opportunity.objects.all(), start=start, end=end)
        for scope, key, link, code, f in snapshot_cells(figures):
            values = f.as_dict()
            rows.append(ForecastSnapshot(period_kind=kind, period_start=start, period_end=end, taken_on=day,
                                         scope=scope, scope_key=key, deals=values["deals"], won=values["won"],
                                         commit=values["commit"], best_case=values["best_case"],
                                         pipeline=values["pipeline"], weighted=values["weighted"],
                                         currency=code, **link))
    with transaction.atomic():
        ForecastSnapshot.objects.filter(taken_on=day).delete()
        ForecastSnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


__all__ = [
    "Competitor", "TransitionConflict", "TransitionRefused", "approval_decide", "approval_request",
    "approvals_withdraw_uncovered", "checklist_tick", "lead_convert", "opportunities_flag_stalled",
    "opportunity_correct_closed", "opportunity_create", "opportunity_delete", "opportunity_import_stage",
    "opportunity_line_add", "opportunity_line_remove", "opportunity_line_update", "opportunity_override_stage",
    "opportunity_transition", "opportunity_update",
    "transition_problems", "forecast_model_recompute", "forecast_snapshot_take", "model_probability_for",
]
