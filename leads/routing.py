"""MQL routing decisions: pure logic, no Django imports (plain unit tests, no database).

Given a lead's attributes, the active routing rules in priority order and the candidate reps of
each team, `decide_route` picks the rep who gets the lead:

1. the first rule that matches wins (territory regions, industries, company-size bounds; an empty
   criterion matches anything);
2. among that team's reps who are active, not away and under their lead capacity, the one who has
   waited longest gets it (never assigned first, then the oldest `last_lead_assigned_at`, ties to the
   lowest id): a round robin that survives restarts because the order lives in the data;
3. no matching rule, or nobody available: the managers' queue (`rep_id` None).

Every decision carries a reason made of English message ids with parameters, rendered by
`Decision.reason_text(translate)`; the service passes Django's `gettext`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


def gettext_noop(message: str) -> str:
    """Marks a message id for `makemessages` (same name as Django's marker) without importing Django."""
    return message


@dataclass(frozen=True)
class Message:
    """A translatable message id and its parameters. Tuple-valued parameters holding messages are
    rendered and joined with ", " (e.g. the list of criteria a rule matched)."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = gettext_noop) -> str:
        values = {
            key: (", ".join(part.render(translate) for part in value) if isinstance(value, tuple) else value)
            for key, value in self.params.items()
        }
        return translate(self.msgid) % values if values else translate(self.msgid)


@dataclass(frozen=True)
class LeadFacts:
    region: str = ""
    industry: str = ""
    company_size: int | None = None


@dataclass(frozen=True)
class RuleSpec:
    id: int
    name: str
    team_id: int
    regions: tuple[str, ...] | None = None  # None: the rule has no territory (any region)
    industries: tuple[str, ...] = ()  # empty: any industry
    min_company_size: int | None = None
    max_company_size: int | None = None


@dataclass(frozen=True)
class RepSpec:
    id: int
    name: str
    is_active: bool = True
    is_away: bool = False
    open_leads: int = 0
    capacity: int = 50
    last_lead_assigned_at: datetime | None = None

    @property
    def is_available(self) -> bool:
        return self.is_active and not self.is_away and self.open_leads < self.capacity


@dataclass(frozen=True)
class Decision:
    rep_id: int | None
    rule_id: int | None
    team_id: int | None
    reason: tuple[Message, ...]

    @property
    def to_queue(self) -> bool:
        return self.rep_id is None

    def reason_text(self, translate: Callable[[str], str] = gettext_noop) -> str:
        return "; ".join(part.render(translate) for part in self.reason)


def rule_matches(rule: RuleSpec, lead: LeadFacts) -> bool:
    if rule.regions is not None and lead.region not in rule.regions:
        return False
    if rule.industries and lead.industry not in rule.industries:
        return False
    if rule.min_company_size is not None and (lead.company_size is None or lead.company_size < rule.min_company_size):
        return False
    if rule.max_company_size is not None and (lead.company_size is None or lead.company_size > rule.max_company_size):
        return False
    return True


def matched_criteria(rule: RuleSpec, lead: LeadFacts) -> tuple[Message, ...]:
    """What the rule checked, with the lead's values, for the reason text."""
    parts = []
    if rule.regions is not None:
        parts.append(Message(gettext_noop("region %(region)s"), {"region": lead.region}))
    if rule.industries:
        parts.append(Message(gettext_noop("industry %(industry)s"), {"industry": lead.industry}))
    if rule.min_company_size is not None or rule.max_company_size is not None:
        parts.append(Message(gettext_noop("company size %(size)s"), {"size": lead.company_size}))
    if not parts:
        parts.append(Message(gettext_noop("any lead")))
    return tuple(parts)


def lead_description(lead: LeadFacts) -> tuple[Message, ...]:
    return (
        Message(gettext_noop("region %(region)s"), {"region": lead.region or "-"}),
        Message(gettext_noop("industry %(industry)s"), {"industry": lead.industry or "-"}),
        Message(gettext_noop("company size %(size)s"),
                {"size": "-" if lead.company_size is None else lead.company_size}),
    )


def first_matching_rule(rules: Iterable[RuleSpec], lead: LeadFacts) -> RuleSpec | None:
    """`rules` must already be the active rules in priority order."""
    return next((rule for rule in rules if rule_matches(rule, lead)), None)


def waiting_order(rep: RepSpec) -> tuple:
    """Sort key: never assigned first, then the longest wait, then the lowest id."""
    waited = rep.last_lead_assigned_at
    return (waited is not None, waited.timestamp() if waited is not None else 0.0, rep.id)


def pick_rep(reps: Iterable[RepSpec]) -> tuple[RepSpec | None, int]:
    """The longest-waiting available rep, and how many reps were available."""
    available = sorted((rep for rep in reps if rep.is_available), key=waiting_order)
    return (available[0] if available else None), len(available)


def decide_route(*, lead: LeadFacts, rules: Sequence[RuleSpec],
                 reps_by_team: Mapping[int, Sequence[RepSpec]]) -> Decision:
    rule = first_matching_rule(rules, lead)
    if rule is None:
        return Decision(rep_id=None, rule_id=None, team_id=None, reason=(
            Message(gettext_noop("No active routing rule matched (%(criteria)s)"),
                    {"criteria": lead_description(lead)}),
            Message(gettext_noop("sent to the managers' queue")),
        ))
    matched = Message(gettext_noop("Rule '%(rule)s' matched (%(criteria)s)"),
                      {"rule": rule.name, "criteria": matched_criteria(rule, lead)})
    team_reps = list(reps_by_team.get(rule.team_id, ()))
    rep, available = pick_rep(team_reps)
    if rep is None:
        return Decision(rep_id=None, rule_id=rule.id, team_id=rule.team_id, reason=(
            matched,
            Message(gettext_noop("none of the team's %(count)s reps is available (all inactive, away or "
                                 "at capacity); sent to the managers' queue"), {"count": len(team_reps)}),
        ))
    if available == 1:
        picked = Message(gettext_noop("%(rep)s was the only available rep"), {"rep": rep.name})
    else:
        picked = Message(gettext_noop("%(rep)s had waited longest among %(count)s available reps"),
                         {"rep": rep.name, "count": available})
    return Decision(rep_id=rep.id, rule_id=rule.id, team_id=rule.team_id, reason=(matched, picked))
