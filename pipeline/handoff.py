"""The sales-to-success handoff as pure rules (no Django imports): what is missing, when tasks fall due.

A deal's handoff checklist has parts; the gate engine (pipeline.gates, kind `handoff`) asks
`missing_items(part, facts)` for each part a stage's criteria require and lists every missing item
with a stable code (`handoff:stakeholder_champion`, `handoff:target_60`, …). The service gathers the
facts (pipeline.services.handoff.handoff_facts); these functions only decide.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Stakeholder roles: each one needs a contact of the deal's account.
CHAMPION = "champion"
EXECUTIVE_SPONSOR = "executive_sponsor"
ADMIN = "admin"
ROLES = (CHAMPION, EXECUTIVE_SPONSOR, ADMIN)

# Parts of the checklist a gate criterion can require (GateCriterion.handoff_part).
STAKEHOLDERS = "stakeholders"
SUCCESS_CRITERIA = "success_criteria"
PROMISES = "promises"
FEASIBILITY = "feasibility"
SUCCESS_OWNER = "success_owner"
PARTS = (STAKEHOLDERS, SUCCESS_CRITERIA, PROMISES, FEASIBILITY, SUCCESS_OWNER)
# What the data migration requires to close won. Promises are recorded but not required by default:
# "no promises beyond the contract" is a legitimate empty list.
DEFAULT_REQUIRED_PARTS = (STAKEHOLDERS, SUCCESS_CRITERIA, FEASIBILITY, SUCCESS_OWNER)

TARGET_DAYS = (30, 60, 90)


@dataclass(frozen=True)
class HandoffFacts:
    """What is filled in on one deal's handoff (stakeholder roles held by contacts of its account)."""

    stakeholder_roles: frozenset[str] = frozenset()
    success_criteria: str = ""
    targets: tuple[str, str, str] = ("", "", "")  # 30, 60 and 90 days
    promises: tuple[str, ...] = ()
    feasibility_confirmed: bool = False
    success_owner_assigned: bool = False


def _filled(text: str) -> bool:
    return bool((text or "").strip())


def missing_items(part: str, facts: HandoffFacts | None) -> list[str]:
    """The missing items of one part, as codes without the `handoff:` prefix (empty: the part is done).

    An unknown part is never met (as an unknown approval kind in pipeline.gates)."""
    facts = facts or HandoffFacts()
    if part == STAKEHOLDERS:
        return [f"stakeholder_{role}" for role in ROLES if role not in facts.stakeholder_roles]
    if part == SUCCESS_CRITERIA:
        missing = [] if _filled(facts.success_criteria) else ["success_criteria"]
        return missing + [f"target_{days}" for days, text in zip(TARGET_DAYS, facts.targets) if not _filled(text)]
    if part == PROMISES:
        return [] if any(_filled(p) for p in facts.promises) else ["promises"]
    if part == FEASIBILITY:
        return [] if facts.feasibility_confirmed else ["feasibility"]
    if part == SUCCESS_OWNER:
        return [] if facts.success_owner_assigned else ["success_owner"]
    return [part or "unknown"]


def checklist(facts: HandoffFacts | None, parts: Iterable[str] = PARTS) -> list[tuple[str, bool]]:
    """(part, done) for each part, in order: the status shown on the deal and 360 pages."""
    return [(part, not missing_items(part, facts)) for part in parts]


def is_complete(facts: HandoffFacts | None, parts: Iterable[str] = DEFAULT_REQUIRED_PARTS) -> bool:
    return all(not missing_items(part, facts) for part in parts)


def clean_promises(lines: Iterable[str]) -> list[str]:
    """Promises as a list: one per non-blank line, trimmed, duplicates once (order kept)."""
    seen, result = set(), []
    for line in lines:
        text = (line or "").strip()
        if text and text not in seen:
            seen.add(text)
            result.append(text)
    return result


# --- onboarding ---------------------------------------------------------------------------------
def add_business_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`; a weekend start counts from Monday.

    Public holidays are not known here (they differ per country); 0 days gives `start` itself, or the
    next Monday when `start` falls on a weekend."""
    current = start
    while current.weekday() >= 5:
        current += timedelta(days=1)
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


@dataclass(frozen=True)
class OnboardingStep:
    step: str  # stable code, part of the task key
    summary: str  # English msgid, translated when the task is opened
    business_days: int | None = None
    days: int | None = None


def onboarding_steps(config: Sequence[dict]) -> list[OnboardingStep]:
    """Steps from settings.PIPELINE_ONBOARDING_STEPS (dicts: step, summary, business_days or days)."""
    steps = []
    for entry in config:
        business, calendar = entry.get("business_days"), entry.get("days")
        if (business is None) == (calendar is None):
            raise ValueError(f"Onboarding step {entry.get('step')!r} needs exactly one of business_days and days.")
        steps.append(OnboardingStep(step=str(entry["step"]), summary=str(entry["summary"]),
                                    business_days=business, days=calendar))
    return steps


def step_due(step: OnboardingStep, won_on: date) -> date:
    if step.business_days is not None:
        return add_business_days(won_on, step.business_days)
    return won_on + timedelta(days=step.days or 0)
