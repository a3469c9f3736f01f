"""Writes for compensation: plans (draft → published versions), assignments, payout computation
per period, approval, disputes; plus the previews that write nothing (calculator and what-if).

The one door for pages, API, admin, the beat task and the demo. The arithmetic is teams.payouts
(pure); metric values come from the registry (teams.selectors.compensation.metric_readings).
Approved and paid payouts are never recomputed: what changes after approval (a won deal reopened
or lost) becomes a clawback or adjustment line on the next open payout of the same person.
"""
from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.admin.models import ADDITION
from django.contrib.admin.models import CHANGE as LOG_CHANGE
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop

from salesops import metrics

from .. import payouts as pure
from ..models import (CommissionTier, CompensationPlan, Payout, PayoutDispute, PayoutLine, PlanAssignment,
                      PlanComponent, User)
from ..predicates import (can_answer_payout_dispute, can_approve_payout, can_dispute_payout_line,
                          can_manage_compensation_plans, can_mark_payout_paid)
from ..selectors import compensation as read
from . import audit_log, notify

logger = logging.getLogger(__name__)

# Metric codes the default plan names that other apps register (customers: the 24-hour logging
# rate; training: participation). A plan may name them before they exist: until then their lines
# say "not available" (composites leave them out of the average).
EXPECTED_METRICS = frozenset({"activity_logged_within_24h", "training_participation"})
CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
PLAN_FIELDS = ("name", "effective_from", "effective_to", "period", "target_bonus", "currency", "commission_metric")
COMPONENT_FIELDS = ("key", "label", "metric_codes", "weight", "threshold", "accelerator", "cap", "target", "missing")
MAX_COMPONENTS = 12
MAX_TIERS = 10
CORRECTION_LOOKBACK = 4  # approved periods looked at again for clawbacks


# --- plans ------------------------------------------------------------------------------------

def _check_plans(by) -> None:
    if not can_manage_compensation_plans(by):
        raise PermissionDenied(gettext("Only administrators change compensation plans."))


def check_metric_code(code: str) -> None:
    if not isinstance(code, str) or not CODE.match(code):
        raise ValidationError(gettext("“%(code)s” is not a metric code.") % {"code": str(code)[:60]})
    if metrics.find(code) is None and code not in EXPECTED_METRICS:
        raise ValidationError(gettext("No metric “%(code)s” is registered.") % {"code": code})


def _clean_components(components) -> list[PlanComponent]:
    if not isinstance(components, list | tuple) or not components:
        raise ValidationError({"components": gettext("A plan needs at least one component.")})
    if len(components) > MAX_COMPONENTS:
        raise ValidationError({"components": gettext("A plan has at most %(n)d components.") % {"n": MAX_COMPONENTS}})
    built, keys = [], set()
    for order, fields in enumerate(components):
        unknown = set(fields) - set(COMPONENT_FIELDS)
        if unknown:
            raise ValidationError(gettext("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
        codes = fields.get("metric_codes") or []
        if not isinstance(codes, list | tuple) or not 1 <= len(codes) <= 6:
            raise ValidationError({"components": gettext("A component reads one to six metrics.")})
        for code in codes:
            check_metric_code(code)
        component = PlanComponent(order=order, **{**fields, "metric_codes": list(codes)})
        component.full_clean(exclude=["plan"])
        if component.key in keys:
            raise ValidationError({"components": gettext("Two components have the key “%(key)s”.") % {"key": component.key}})
        keys.add(component.key)
        built.append(component)
    total = sum((c.weight for c in built), Decimal("0"))
    if total != Decimal("100"):
        raise ValidationError({"components": gettext("The weights add up to %(total)s %%, not 100 %%.") % {"total": total}})
    return built


def _clean_tiers(tiers) -> list[CommissionTier]:
    if not isinstance(tiers, list | tuple) or len(tiers) > MAX_TIERS:
        raise ValidationError({"tiers": gettext("A plan has at most %(n)d commission tiers.") % {"n": MAX_TIERS}})
    built = []
    for fields in tiers:
        tier = CommissionTier(**{k: fields.get(k) for k in ("lower", "upper", "rate")})
        tier.full_clean(exclude=["plan"])
        if tier.upper is not None and tier.upper <= tier.lower:
            raise ValidationError({"tiers": gettext("A tier’s upper bound must be above its lower bound.")})
        built.append(tier)
    built.sort(key=lambda t: t.lower)
    for below, above in zip(built, built[1:], strict=False):
        if below.upper is None or below.upper > above.lower:
            raise ValidationError({"tiers": gettext("Commission tiers must not overlap.")})
    return built


def _save_parts(plan, components, tiers) -> None:
    if components is not None:
        plan.components.all().delete()
        for component in components:
            component.plan = plan
        PlanComponent.objects.bulk_create(components)
    if tiers is not None:
        plan.tiers.all().delete()
        for tier in tiers:
            tier.plan = plan
        CommissionTier.objects.bulk_create(tiers)


def _check_plan_fields(plan: CompensationPlan) -> None:
    if plan.commission_metric:
        check_metric_code(plan.commission_metric)
    plan.full_clean(validate_unique=False)


@transaction.atomic
def plan_create(*, by, components, tiers=(), **fields) -> CompensationPlan:
    """A new plan: version 1, a draft (publish it to pay by it)."""
    _check_plans(by)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(gettext("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    plan = CompensationPlan(created_by=by, version=1, **fields)
    _check_plan_fields(plan)
    if CompensationPlan.objects.filter(name=plan.name).exists():
        raise ValidationError({"name": gettext("A plan with this name exists; make a new version of it instead.")})
    built, built_tiers = _clean_components(components), _clean_tiers(list(tiers))
    plan.save()
    _save_parts(plan, built, built_tiers)
    audit_log(by=by, objects=[plan], flag=ADDITION)
    return plan


@transaction.atomic
def plan_update(*, by, plan: CompensationPlan, components=None, tiers=None, **fields) -> CompensationPlan:
    """Change a draft version (published versions are changed by publishing a new version)."""
    _check_plans(by)
    unknown = set(fields) - set(PLAN_FIELDS) - {"name"}
    if unknown or "name" in fields:
        raise ValidationError(gettext("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown or {"name"}))})
    plan = CompensationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != CompensationPlan.Status.DRAFT:
        raise ValidationError(gettext("A published plan version cannot be changed; make a new version."))
    changed = [name for name, value in fields.items() if getattr(plan, name) != value]
    for name in changed:
        setattr(plan, name, fields[name])
    _check_plan_fields(plan)
    built = None if components is None else _clean_components(components)
    built_tiers = None if tiers is None else _clean_tiers(tiers)
    plan.save()
    _save_parts(plan, built, built_tiers)
    parts = [*changed, *(["components"] if built is not None else []), *(["tiers"] if built_tiers is not None else [])]
    if parts:
        audit_log(by=by, objects=[plan], flag=LOG_CHANGE,
                  message=f"Changed {', '.join(parts)}.")
    return plan


def _component_fields(component: PlanComponent) -> dict:
    return {name: getattr(component, name) for name in COMPONENT_FIELDS}


@transaction.atomic
def plan_new_version(*, by, plan: CompensationPlan, effective_from: date | None = None) -> CompensationPlan:
    """A draft copy of `plan` (components and tiers) as the next version of its name."""
    _check_plans(by)
    source = CompensationPlan.objects.select_for_update().get(pk=plan.pk)
    latest = CompensationPlan.objects.filter(name=source.name).order_by("-version").first()
    copy = CompensationPlan(name=source.name, version=latest.version + 1, effective_from=effective_from or timezone.localdate(),
                            period=source.period, target_bonus=source.target_bonus, currency=source.currency,
                            commission_metric=source.commission_metric, created_by=by)
    copy.full_clean(validate_unique=False)
    copy.save()
    _save_parts(copy, [PlanComponent(**_component_fields(c)) for c in source.components.all()],
                [CommissionTier(lower=t.lower, upper=t.upper, rate=t.rate) for t in source.tiers.all()])
    audit_log(by=by, objects=[copy], flag=ADDITION)
    return copy


@transaction.atomic
def plan_publish(*, by, plan: CompensationPlan, now=None) -> CompensationPlan:
    """Publish a draft: it pays from its effective date; the published version before it ends the day before."""
    _check_plans(by)
    plan = CompensationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != CompensationPlan.Status.DRAFT:
        raise ValidationError(gettext("This plan version is already published."))
    if not plan.components.exists():
        raise ValidationError(gettext("A plan needs at least one component."))
    earlier = (CompensationPlan.objects.select_for_update()
               .filter(name=plan.name, status=CompensationPlan.Status.PUBLISHED, effective_from__lt=plan.effective_from)
               .filter(effective_to__isnull=True))
    if CompensationPlan.objects.filter(name=plan.name, status=CompensationPlan.Status.PUBLISHED,
                                       effective_from__gte=plan.effective_from).exists():
        raise ValidationError(gettext("A published version of this plan already takes effect on or after that date."))
    for previous in earlier:
        previous.effective_to = plan.effective_from - timedelta(days=1)
        previous.save(update_fields=["effective_to"])
        audit_log(by=by, objects=[previous], flag=LOG_CHANGE, fields=["effective_to"])
    plan.status, plan.published_at = CompensationPlan.Status.PUBLISHED, now or timezone.now()
    plan.save(update_fields=["status", "published_at"])
    audit_log(by=by, objects=[plan], flag=LOG_CHANGE, fields=["status"])
    return plan


@transaction.atomic
def plan_assign(*, by, plan: CompensationPlan, user: User, starts_on: date, ends_on: date | None = None) -> PlanAssignment:
    """Pay `user` by `plan` (the version in effect each period) from `starts_on`; an open assignment
    of theirs before it ends the day before."""
    _check_plans(by)
    User.objects.select_for_update().get(pk=user.pk)  # one assignment change per person at a time
    PlanAssignment.objects.filter(user=user, ends_on__isnull=True, starts_on__lt=starts_on).update(
        ends_on=starts_on - timedelta(days=1))
    assignment, _created = PlanAssignment.objects.update_or_create(
        user=user, starts_on=starts_on, defaults={"plan": plan, "ends_on": ends_on})
    assignment.full_clean()
    audit_log(by=by, objects=[assignment], flag=ADDITION)
    return assignment


# --- the arithmetic, fed ----------------------------------------------------------------------

def plan_rules(plan: CompensationPlan) -> tuple[list[pure.Component], list[pure.Tier]]:
    components = [pure.Component(key=c.key, metrics=tuple(c.metric_codes), weight=c.weight, threshold=c.threshold,
                                 accelerator=c.accelerator, cap=c.cap, target=c.target, missing=c.missing,
                                 label=c.label) for c in plan.components.all()]
    tiers = [pure.Tier(lower=t.lower, upper=t.upper, rate=t.rate) for t in plan.tiers.all()]
    return components, tiers


def plan_preview(*, plan: CompensationPlan, values: dict, commission_amount=None) -> pure.Result:
    """The calculator: the payout `plan` gives for explicit metric values (percent; writes nothing).
    Codes the plan does not read are refused; a code left out counts as having no data."""
    components, tiers = plan_rules(plan)
    known = {code for c in components for code in c.metrics}
    unknown = set(values) - known
    if unknown:
        raise ValidationError({"values": gettext("The plan reads no metric %(codes)s.")
                               % {"codes": ", ".join(sorted(unknown))[:200]}})
    clean = {}
    for code, value in values.items():
        try:
            number = None if value is None else Decimal(str(value))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError({"values": gettext("“%(code)s” needs a number.") % {"code": code}}) from exc
        if number is not None and not (number.is_finite() and 0 <= number <= 10000):
            raise ValidationError({"values": gettext("Values run from 0 to 10,000.")})
        clean[code] = number
    for code in known - set(clean):
        clean[code] = None
    return pure.compute(target_bonus=plan.target_bonus, components=components, values=clean, tiers=tiers,
                        commission_metric=plan.commission_metric, commission_amount=commission_amount)


def _line_values(lines) -> dict:
    """The metric values stored on a payout's lines (single metrics and composite parts)."""
    values = {}
    for line in lines:
        if line.kind != PayoutLine.Kind.NORMAL:
            continue
        for part in line.parts or []:
            if part.get("available", True):
                values[part["code"]] = None if part.get("value") is None else Decimal(str(part["value"]))
        if not line.parts and line.metric_code and "not_available" not in (line.notes or []):
            values[line.metric_code] = line.value
    return values


def _commission_amount(lines):
    return sum((line.value or Decimal("0") for line in lines if line.kind == PayoutLine.Kind.COMMISSION), Decimal("0")) or None


def plan_what_if(*, by, plan: CompensationPlan) -> list[dict]:
    """What-if: the last period's payouts under plan `plan.name` (those `by` may read), recomputed
    by `plan` (e.g. an unpublished draft) from the metric values stored on their lines. No writes."""
    rows = []
    reads = {code for component in plan_rules(plan)[0] for code in component.metrics}
    for payout in read.last_period_payouts_for(user=by, plan_name=plan.name):
        lines = list(payout.lines.all())
        values = {code: value for code, value in _line_values(lines).items() if code in reads}
        result = plan_preview(plan=plan, values=values, commission_amount=_commission_amount(lines))
        now = payout.bonus + payout.commission
        rows.append({"payout": payout, "user": payout.user, "current": now, "preview": result.total,
                     "difference": result.total - now, "result": result})
    return rows


def _reading_lines(result: pure.Result, readings: dict, commission_url: str) -> list[PayoutLine]:
    lines = []
    for order, line in enumerate(result.lines):
        parts, url, ids = [], "", []
        if line.kind == pure.NORMAL and line.parts:
            parts = [{"code": code, "value": None if value is None else str(value), "available": code in readings,
                      "url": readings[code].url if code in readings else ""} for code, value in line.parts]
        elif line.kind == pure.NORMAL and line.metric in readings:
            url, ids = readings[line.metric].url, list(readings[line.metric].record_ids)
        elif line.kind == pure.COMMISSION:
            url = commission_url
        lines.append(PayoutLine(kind=line.kind, component_key=line.key[:40], label=line.label[:100],
                                metric_code=line.metric[:200], value=line.value, weight=line.weight, factor=line.factor,
                                contribution=line.contribution, notes=list(line.notes), parts=parts,
                                records_url=url[:500], record_ids=ids, order=order))
    return lines


def _as_pure(line: PayoutLine) -> pure.Line:
    return pure.Line(kind=line.kind, key=line.component_key, metric=line.metric_code, value=line.value,
                     weight=line.weight, factor=line.factor, contribution=line.contribution, label=line.label)


def _evaluate(user, plan, start, end):
    components, tiers = plan_rules(plan)
    codes = [code for c in components for code in c.metrics]
    readings = read.metric_readings(user=user, start=start, end=end, codes=codes)
    commission = read.money_reading(user=user, start=start, end=end, code=plan.commission_metric, currency=plan.currency)
    result = pure.compute(target_bonus=plan.target_bonus, components=components,
                          values={code: r.value for code, r in readings.items()}, tiers=tiers if commission else (),
                          commission_metric=plan.commission_metric,
                          commission_amount=commission.value if commission else None)
    return result, readings, commission


def _correction_lines(user, payout_id, start, order_from) -> list[PayoutLine]:
    """Clawback/adjustment lines for the user's approved periods before `start` whose value changed."""
    found = []
    for earlier in read.approved_payouts_before(user=user, start=start, limit=CORRECTION_LOOKBACK):
        result, readings, _commission = _evaluate(user, earlier.plan, earlier.period_start, earlier.period_end)
        own = [x for x in earlier.lines.all() if x.corrects_period_start is None]
        paid_lines = own + read.corrections_of(user=user, period_start=earlier.period_start,
                                                                      exclude_payout_id=payout_id)
        for line in pure.corrections([_as_pure(x) for x in paid_lines], result.lines):
            before = next((x for x in paid_lines if x.component_key == line.key and x.record_ids), None)
            gone = []
            if before is not None and line.metric in readings:
                gone = sorted(set(before.record_ids) - set(readings[line.metric].record_ids))[:50]
            found.append(PayoutLine(kind=line.kind, component_key=line.key[:40], label=line.label[:100],
                                    metric_code=line.metric[:200], value=line.value, weight=line.weight,
                                    factor=line.factor, contribution=line.contribution,
                                    notes=[f"period:{pure.period_label(earlier.period_start, earlier.plan.period)}"],
                                    records_url=readings[line.metric].url[:500] if line.metric in readings else "",
                                    record_ids=gone, corrects_period_start=earlier.period_start,
                                    order=order_from + len(found)))
    return found


@transaction.atomic
def payout_compute(*, user: User, start: date, end: date, plan: CompensationPlan, now=None) -> Payout | None:
    """Compute (or recompute) `user`'s payout for the period by `plan`. Idempotent per user and
    period; an approved or paid payout is left alone (None). Lines that match the earlier run are
    updated in place (their disputes stay), the rest replaced."""
    now = now or timezone.now()
    payout = Payout.objects.select_for_update().filter(user=user, period_start=start).first()
    if payout is not None and not payout.is_open:
        return None
    result, readings, commission = _evaluate(user, plan, start, end)
    lines = _reading_lines(result, readings, commission.url if commission else "")
    if payout is None:
        payout = Payout(user=user, period_start=start)
    corrections = _correction_lines(user, payout.pk, start, len(lines))
    corrections_total = sum((line.contribution for line in corrections), Decimal("0"))
    payout.plan, payout.period_end, payout.target_bonus, payout.currency = plan, end, plan.target_bonus, plan.currency
    payout.bonus, payout.commission = result.bonus, result.commission
    payout.corrections, payout.total = corrections_total, result.total + corrections_total
    payout.computed_at = now
    payout.full_clean(validate_unique=False, validate_constraints=False)
    payout.save()
    _replace_lines(payout, lines + corrections)
    return payout


def _replace_lines(payout: Payout, lines: list[PayoutLine]) -> None:
    existing = {(x.kind, x.component_key, x.corrects_period_start): x for x in payout.lines.all()}
    keep, create = [], []
    for line in lines:
        old = existing.pop((line.kind, line.component_key, line.corrects_period_start), None)
        line.payout = payout
        if old is not None:
            line.pk, line.created_at = old.pk, old.created_at
            keep.append(line)
        else:
            create.append(line)
    fields = ["label", "metric_code", "value", "weight", "factor", "contribution", "notes", "parts", "records_url",
              "record_ids", "order"]
    if keep:
        PayoutLine.objects.bulk_update(keep, fields)
    if existing:
        PayoutLine.objects.filter(pk__in=[x.pk for x in existing.values()]).delete()
    PayoutLine.objects.bulk_create(create)


def payouts_compute_period(*, kind: str, start: date, end: date, limit: int | None = None, now=None) -> dict:
    """Compute every open payout of the period for people assigned to a `kind` plan (bounded by
    `limit` people per run; each person in their own transaction). Answers counts."""
    limit = limit or getattr(settings, "TEAMS_PAYOUT_BATCH_SIZE", 500)
    done = {"computed": 0, "skipped": 0, "no_plan": 0}
    seen = set()
    for assignment in read.assignments_active_in(start=start, end=end, period=kind)[: limit * 2]:
        if assignment.user_id in seen or len(seen) >= limit:
            continue
        seen.add(assignment.user_id)
        plan = read.plan_version_for(name=assignment.plan.name, start=start, end=end)
        if plan is None:
            done["no_plan"] += 1
            continue
        payout = payout_compute(user=assignment.user, start=start, end=end, plan=plan, now=now)
        done["computed" if payout is not None else "skipped"] += 1
    logger.info("payouts %s %s..%s: %s", kind, start, end, done)
    return done


def payouts_compute_due(*, today: date | None = None, now=None) -> dict:
    """The beat job: the last finished month and quarter, and the running ones to date."""
    today = today or timezone.localdate()
    answer = {}
    for kind in (pure.MONTHLY, pure.QUARTERLY):
        for start, end in (pure.previous_period(today, kind), pure.period_bounds(today, kind)):
            answer[f"{kind}:{start}"] = payouts_compute_period(kind=kind, start=start, end=end, now=now)
    return answer


# --- approval, payment, disputes ---------------------------------------------------------------

@transaction.atomic
def payout_approve(*, by, payout: Payout, now=None) -> Payout:
    """The manager approves a computed payout: from now on its lines are a fixed ledger."""
    payout = Payout.objects.select_for_update(of=("self",)).select_related("user__team").get(pk=payout.pk)
    if not can_approve_payout(by, payout):
        raise PermissionDenied(gettext("Only the manager of this person approves their payout."))
    if payout.status != Payout.Status.COMPUTED:
        raise ValidationError(gettext("This payout is already approved."))
    if payout.period_end >= timezone.localdate(now):
        raise ValidationError(gettext("The period is not over yet; approve its payout after it ends."))
    payout.status, payout.approved_by, payout.approved_at = Payout.Status.APPROVED, by, now or timezone.now()
    payout.save(update_fields=["status", "approved_by", "approved_at"])
    audit_log(by=by, objects=[payout], flag=LOG_CHANGE, fields=["status"])
    notify(recipient=payout.user, kind="payout_approved", text=gettext_noop("Your payout for %(period)s was approved."),
           params={"period": pure.period_label(payout.period_start, payout.plan.period)},
           url=reverse("teams:payout", args=[payout.pk]))
    return payout


@transaction.atomic
def payout_mark_paid(*, by, payout: Payout) -> Payout:
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if not can_mark_payout_paid(by, payout):
        raise PermissionDenied(gettext("Only administrators mark payouts paid."))
    if payout.status != Payout.Status.APPROVED:
        raise ValidationError(gettext("Only an approved payout can be marked paid."))
    payout.status = Payout.Status.PAID
    payout.save(update_fields=["status"])
    audit_log(by=by, objects=[payout], flag=LOG_CHANGE, fields=["status"])
    return payout


def _clean_text(text, field: str) -> str:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError({field: gettext("Please write a few words.")})
    if len(text) > 2000:
        raise ValidationError({field: gettext("At most 2,000 characters.")})
    return text


@transaction.atomic
def dispute_raise(*, by, line: PayoutLine, text: str) -> PayoutDispute:
    """The person paid flags a line of their statement; their manager is notified (audited)."""
    line = (PayoutLine.objects.select_for_update(of=("self",))
            .select_related("payout__user__team__manager", "payout__plan").get(pk=line.pk))
    if not can_dispute_payout_line(by, line):
        raise PermissionDenied(gettext("Only the person paid may dispute a line of their statement."))
    if line.disputes.filter(status=PayoutDispute.Status.OPEN).exists():
        raise ValidationError(gettext("This line already has an open dispute."))
    dispute = PayoutDispute.objects.create(line=line, raised_by=by, text=_clean_text(text, "text"))
    audit_log(by=by, objects=[dispute], flag=ADDITION)
    manager = line.payout.user.team.manager if line.payout.user.team else None
    if manager is not None and manager.pk != by.pk:
        notify(recipient=manager, kind="payout_dispute", text=gettext_noop("%(person)s disputes a line of their payout."),
               params={"person": str(by)}, url=reverse("teams:payout", args=[line.payout_id]))
    return dispute


@transaction.atomic
def dispute_answer(*, by, dispute: PayoutDispute, answer: str, now=None) -> PayoutDispute:
    dispute = (PayoutDispute.objects.select_for_update(of=("self",)).select_related("line__payout__user__team").get(pk=dispute.pk))
    if not can_answer_payout_dispute(by, dispute):
        raise PermissionDenied(gettext("Only the manager of this person answers their disputes."))
    if dispute.status != PayoutDispute.Status.OPEN:
        raise ValidationError(gettext("This dispute is already answered."))
    dispute.answer, dispute.answered_by = _clean_text(answer, "answer"), by
    dispute.status, dispute.answered_at = PayoutDispute.Status.ANSWERED, now or timezone.now()
    dispute.save(update_fields=["answer", "answered_by", "status", "answered_at"])
    audit_log(by=by, objects=[dispute], flag=LOG_CHANGE, fields=["status", "answer"])
    notify(recipient=dispute.raised_by, kind="payout_dispute_answered", text=gettext_noop("Your payout dispute was answered."),
           url=reverse("teams:payout", args=[dispute.line.payout_id]))
    return dispute
