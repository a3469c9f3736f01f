"""Create, update, correct and delete deals; their product lines, checklist ticks and logged activities."""
from decimal import Decimal

from django.contrib.admin.models import DELETION
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Activity
from teams import predicates
from teams.selectors import CHANGE, VIEW
from teams.services import audit_log, check_known_fields

from ..models import (
    ChecklistItem,
    ChecklistTick,
    Opportunity,
    OpportunityLine,
    Stage,
    StageTransition,
)
from salesops.queue import enqueue_on_commit

from ..selectors import first_stage
from ..tasks import win_probability_rescore_task
from .approvals import approvals_withdraw_uncovered
from .ledger import ledger_stays_sync
from .forecast import model_probability_for
from .transitions import TransitionConflict, _lock

EDITABLE_FIELDS = (
    "name", "account", "contact", "owner", "amount", "currency", "discount_percent", "expected_close_date",
    "confirmed_needs", "need_tags", "decision_makers", "next_step", "rep_probability", "forecast_category",
    "competitors", "external_ref",
)
CREATE_ONLY_FIELDS = ("lead", "created_at")
# A closed deal's commercial fields are frozen: they change only after a reopen transition (back to
# an open stage, with a reason, in the ledger) or through an administrator's audited correction.
FROZEN_WHEN_CLOSED = ("amount", "discount_percent", "currency", "expected_close_date")


# --- create / update ----------------------------------------------------------------------------
def _check_fields(fields: dict, allowed) -> None:
    if "stage" in fields:
        raise ValidationError({"stage": _("The stage only changes through a stage transition.")})
    check_known_fields(fields, allowed)


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
    opp.furthest_stage = None if stage.is_lost else stage  # its ledger's only entry, written below
    opp.full_clean()
    opp.save()
    if competitors:
        opp.competitors.set(competitors)
    StageTransition.objects.create(opportunity=opp, from_stage=None, to_stage=stage, by=by, at=opp.created_at,
                                   amount=opp.amount, currency=opp.currency, probability=stage.probability,
                                   kind=StageTransition.Kind.CREATED)
    enqueue_on_commit(win_probability_rescore_task, opp.pk)  # a trained model, if active, scores it too
    return opp


@transaction.atomic
def opportunity_quick_create(*, by, stage: Stage | None = None, **fields) -> Opportunity:
    """Quick add (issue 12): create the deal in the first stage and, when a later stage is asked for,
    move it there through the gates (opportunity_transition); a refused move creates nothing."""
    from .transitions import opportunity_transition

    opp = opportunity_create(by=by, **fields)
    if stage is not None and stage.pk != opp.stage_id:
        opp = opportunity_transition(opportunity=opp, to_stage=stage, by=by)
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
    if "amount" in fields and fields["amount"] != opp.amount:
        opp.amount_known = True  # someone gave the amount an imported file lacked (issue 13)
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
    check_known_fields(fields, FROZEN_WHEN_CLOSED)
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
    ledger_stays_sync(opportunity_id=opp.pk)
    if opp.stage.is_won and "discount_percent" in changed and opp.discount_percent > before["discount_percent"]:
        approvals_withdraw_uncovered(opportunity=opp)
    return opp


@transaction.atomic
def opportunity_delete(*, opportunity: Opportunity, by) -> None:
    """Delete a deal (rule: teams.predicates.can_delete_opportunity, administrators; others close it
    as lost). Audited in the admin log with the deal's figures. Its stage ledger is never deleted:
    the rows stay with the deal emptied (SET_NULL), its id in `opportunity_ref` and its name in
    `opportunity_name` (one UPDATE), and count in no figure from then on (pipeline.selectors).
    Product lines, checklist ticks, approvals and activity links go with the deal."""
    if not predicates.can_delete_opportunity(by, opportunity):
        raise PermissionDenied(_("Only administrators delete opportunities; close them as lost instead."))
    opp = _lock(opportunity)
    kept = StageTransition.objects.filter(opportunity=opp).update(opportunity_name=opp.name)
    audit_log(by=by, objects=[opp], flag=DELETION, message=(
        f"Deleted opportunity {opp.pk} “{opp.name}”: {opp.amount} {opp.currency}, stage {opp.stage.code}, "
        f"owner {opp.owner_id}, account {opp.account_id}. Its {kept} stage ledger rows are kept "
        f"(deal id {opp.pk}).")[:10000])
    opp.delete()


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
    check_known_fields(fields, LINE_FIELDS)
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
    """Tick (or untick) a checklist item on a deal. Returns whether it is ticked now.

    The deal's row is locked (a transition's gate check reads the ticks) and its `updated_at`
    moves, so sync clients see the change."""
    if not item.is_active:
        raise ValidationError(_("This checklist item is not in use."))
    opportunity = _lock(opportunity)
    Opportunity.objects.filter(pk=opportunity.pk).update(updated_at=timezone.now())
    if ticked:
        ChecklistTick.objects.get_or_create(opportunity=opportunity, item=item, defaults={"ticked_by": by})
    else:
        ChecklistTick.objects.filter(opportunity=opportunity, item=item).delete()
    return ticked


@transaction.atomic
def opportunity_activity_log(*, opportunity: Opportunity, by, **fields) -> Activity:
    """Log a call, meeting, email or note about a deal: an entry in customers' log on the deal's account
    (customers.services.activity_log) and pipeline's link to the deal (OpportunityActivity).
    The deal must be one `by` may change; its row is locked so a transition's gate check sees the link."""
    from customers.services import activity_log

    from ..models import OpportunityActivity
    from ..selectors import opportunity_queryset_for

    if not opportunity_queryset_for(user=by, action=CHANGE).filter(pk=opportunity.pk).exists():
        raise PermissionDenied(_("You cannot log activities on this deal."))
    opp = _lock(opportunity)
    activity = activity_log(by=by, account=opp.account, **fields)
    OpportunityActivity.objects.create(opportunity=opp, activity=activity)
    return activity
