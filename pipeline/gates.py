"""Stage-gate rules as pure functions (no Django imports): the service gathers facts, these decide.

`move_problems` checks the move itself (same stage, skipping forward, reason to move back);
`unmet_criteria` checks the configured entry/exit criteria against the facts of one opportunity.
Both return *every* problem as `Unmet(code, ...)`; pipeline.services turns them into translated
messages. Codes are stable API values, e.g. `required_field:confirmed_needs`, `skip_forward`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from . import handoff as handoff_rules

REQUIRED_FIELD = "required_field"
CHECKLIST_ITEM = "checklist_item"
RELATED_RECORD = "related_record"
MANAGER_APPROVAL = "manager_approval"
HANDOFF = "handoff"  # target: a part of the handoff checklist (pipeline.handoff.PARTS)
ENTRY = "entry"
EXIT = "exit"

SAME_STAGE = "same_stage"
STAGE_INACTIVE = "stage_inactive"
SKIP_FORWARD = "skip_forward"
REASON_REQUIRED = "reason_required"


@dataclass(frozen=True)
class StageInfo:
    id: int
    order: int
    is_won: bool = False
    is_lost: bool = False
    is_active: bool = True

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


@dataclass(frozen=True)
class Criterion:
    stage_id: int
    applies_on: str  # ENTRY or EXIT
    kind: str
    target: str  # field name, checklist item code, record kind or approval kind


@dataclass(frozen=True)
class Facts:
    """What the service knows about one opportunity when it is about to move."""

    fields: Mapping[str, object] = field(default_factory=dict)
    ticked_items: frozenset[str] = frozenset()
    records: frozenset[str] = frozenset()
    discount_percent: Decimal = Decimal("0")
    discount_limit: Decimal = Decimal("15")
    approved_discount: Decimal | None = None  # highest discount a manager approved (None: none)
    loss_requires_competitor: bool = False
    handoff: handoff_rules.HandoffFacts | None = None  # None: the deal has no handoff yet


@dataclass(frozen=True)
class Unmet:
    code: str
    kind: str = ""
    target: str = ""
    params: Mapping[str, object] = field(default_factory=dict)


# Closing lost always needs these, whatever the admin configured (the hard rule).
LOST_ALWAYS = ((REQUIRED_FIELD, "loss_reason"), (REQUIRED_FIELD, "loss_competitor"))
# Closing won re-checks every approval a deal can carry, whatever the configured criteria: a
# discount above the limit needs an approval that still covers it (issue 7).
WON_ALWAYS = ((MANAGER_APPROVAL, "discount"),)


def _filled(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return len(value) > 0
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return value > 0
    return True


def field_filled(name: str, facts: Facts) -> bool:
    if name == "loss_competitor":
        return not facts.loss_requires_competitor or _filled(facts.fields.get("competitors"))
    return _filled(facts.fields.get(name))


def discount_needs_approval(facts: Facts) -> bool:
    if facts.discount_percent <= facts.discount_limit:
        return False
    return facts.approved_discount is None or facts.discount_percent > facts.approved_discount


def criterion_met(criterion: Criterion, facts: Facts) -> bool:
    if criterion.kind == REQUIRED_FIELD:
        return field_filled(criterion.target, facts)
    if criterion.kind == CHECKLIST_ITEM:
        return criterion.target in facts.ticked_items
    if criterion.kind == RELATED_RECORD:
        return criterion.target in facts.records
    if criterion.kind == MANAGER_APPROVAL:
        if criterion.target == "discount":
            return not discount_needs_approval(facts)
        return False  # an approval kind we do not know is never met
    if criterion.kind == HANDOFF:
        return not handoff_rules.missing_items(criterion.target, facts.handoff)
    return False


def criteria_for_move(criteria: Iterable[Criterion], *, from_stage: StageInfo, to_stage: StageInfo) -> list[Criterion]:
    """The current stage's exit criteria, then the target's entry criteria (duplicates once).

    Exit criteria guard progress: they apply to forward moves, not to moving back or closing lost.
    """
    chosen: list[Criterion] = []
    seen: set[tuple[str, str]] = set()
    forward = not to_stage.is_lost and not is_backward(from_stage=from_stage, to_stage=to_stage)
    applying = {(to_stage.id, ENTRY)} | ({(from_stage.id, EXIT)} if forward else set())
    ordered = sorted(criteria, key=lambda c: 0 if c.applies_on == EXIT else 1)
    for c in ordered:
        if (c.stage_id, c.applies_on) not in applying:
            continue
        if (c.kind, c.target) in seen:
            continue
        seen.add((c.kind, c.target))
        chosen.append(c)
    always = LOST_ALWAYS if to_stage.is_lost else WON_ALWAYS if to_stage.is_won else ()
    for kind, target in always:
        if (kind, target) not in seen:
            seen.add((kind, target))
            chosen.append(Criterion(to_stage.id, ENTRY, kind, target))
    return chosen


def unmet_criteria(criteria: Iterable[Criterion], facts: Facts) -> list[Unmet]:
    """One Unmet per unmet criterion; a handoff part lists each of its missing items on its own
    (code `handoff:<item>`, e.g. `handoff:stakeholder_admin`, `handoff:target_90`)."""
    unmet = []
    for c in criteria:
        if c.kind == HANDOFF:
            unmet += [Unmet(code=f"{HANDOFF}:{item}", kind=HANDOFF, target=item, params={"part": c.target})
                      for item in handoff_rules.missing_items(c.target, facts.handoff)]
            continue
        if criterion_met(c, facts):
            continue
        params: dict[str, object] = {}
        if c.kind == MANAGER_APPROVAL and c.target == "discount":
            params = {"discount": facts.discount_percent, "limit": facts.discount_limit}
        unmet.append(Unmet(code=f"{c.kind}:{c.target}", kind=c.kind, target=c.target, params=params))
    return unmet


def forward_sequence(stages: Sequence[StageInfo]) -> list[StageInfo]:
    """Active stages a deal walks through in order (closed lost is reachable from anywhere)."""
    return sorted((s for s in stages if s.is_active and not s.is_lost), key=lambda s: s.order)


def next_stage(stages: Sequence[StageInfo], current: StageInfo) -> StageInfo | None:
    for stage in forward_sequence(stages):
        if stage.order > current.order:
            return stage
    return None


def is_backward(*, from_stage: StageInfo, to_stage: StageInfo) -> bool:
    """Reopening a closed deal or moving to an earlier stage."""
    return from_stage.is_closed or (not to_stage.is_lost and to_stage.order < from_stage.order)


def move_problems(*, stages: Sequence[StageInfo], from_stage: StageInfo, to_stage: StageInfo,
                  reason: str = "") -> list[Unmet]:
    if to_stage.id == from_stage.id:
        return [Unmet(SAME_STAGE)]
    problems = []
    if not to_stage.is_active:
        problems.append(Unmet(STAGE_INACTIVE))
    if is_backward(from_stage=from_stage, to_stage=to_stage):
        if not (reason or "").strip():
            problems.append(Unmet(REASON_REQUIRED))
        return problems
    if to_stage.is_lost:
        return problems
    following = next_stage(stages, from_stage)
    if following is not None and to_stage.order > following.order:
        problems.append(Unmet(SKIP_FORWARD, params={"next_stage_id": following.id}))
    return problems


# --- timing -------------------------------------------------------------------------------------
def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..100) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def stall_threshold_days(durations_days: Sequence[float], *, min_samples: int, default_days: float,
                         p: float = 80) -> float:
    """Days in a stage after which a deal is stalled: the stage's historical p80, or a fixed default."""
    if len(durations_days) < min_samples:
        return float(default_days)
    return float(percentile(durations_days, p))
