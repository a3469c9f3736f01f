"""Reads of the sales-to-success handoff: who may see a deal's handoff, its facts and status, the panel rows.

A deal's handoff is seen by those who see the deal (owner, manager, admins), by the account's
success owner (and their manager) and — read-only, as the customer-360 page — by support and
product, who confirm feasibility.
"""
from collections import defaultdict
from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q, QuerySet

from customers.models import Activity
from customers.selectors import ACCOUNT_READ_ALL_ROLES
from teams.selectors import VIEW, scope_for_user

from .. import handoff as rules
from ..models import GateCriterion, Handoff, HandoffStakeholder, Opportunity

HANDOFF_OWNER_FIELDS = ("owner", "account__success_owner")
TASK_KEY_PREFIX = "handoff:"


def onboarding_task_key(opportunity_id: int, step: str) -> str:
    return f"{TASK_KEY_PREFIX}{opportunity_id}:{step}"


def handoff_opportunity_queryset_for(*, user, action: str = VIEW) -> QuerySet[Opportunity]:
    """The deals whose handoff `user` may read (VIEW) or whose scope covers changing it (CHANGE).

    Changing is decided per deal by teams.predicates.can_change_handoff / can_confirm_feasibility."""
    return scope_for_user(
        Opportunity.objects.select_related("account", "account__success_owner", "owner", "owner__team", "stage"),
        user=user, action=action, owner_fields=HANDOFF_OWNER_FIELDS, read_all_roles=ACCOUNT_READ_ALL_ROLES)


def _stakeholders_prefetch() -> Prefetch:
    return Prefetch("stakeholders", queryset=HandoffStakeholder.objects.select_related("contact"))


def handoff_for(*, opportunity: Opportunity) -> Handoff | None:
    """The deal's handoff with its stakeholders (2 queries), or None when nobody started it."""
    return (Handoff.objects.filter(opportunity_id=opportunity.pk)
            .select_related("feasibility_confirmed_by").prefetch_related(_stakeholders_prefetch()).first())


def facts_of(handoff: Handoff | None, *, opportunity: Opportunity) -> rules.HandoffFacts:
    """Pure facts of a loaded handoff (stakeholders prefetched): only contacts of the deal's account count."""
    success_owner = bool(opportunity.account.success_owner_id)
    if handoff is None:
        return rules.HandoffFacts(success_owner_assigned=success_owner)
    roles = frozenset(s.role for s in handoff.stakeholders.all() if s.contact.account_id == opportunity.account_id)
    return rules.HandoffFacts(
        stakeholder_roles=roles, success_criteria=handoff.success_criteria, targets=handoff.targets,
        promises=tuple(handoff.promises or ()), feasibility_confirmed=handoff.feasibility_confirmed,
        success_owner_assigned=success_owner)


def handoff_facts(*, opportunity: Opportunity) -> rules.HandoffFacts:
    return facts_of(handoff_for(opportunity=opportunity), opportunity=opportunity)


def required_handoff_parts() -> list[str]:
    """The parts the active `handoff` criteria of the won stages require (data, edited in the admin)."""
    parts = set(GateCriterion.objects.filter(kind=GateCriterion.Kind.HANDOFF, is_active=True, stage__is_won=True)
                .values_list("handoff_part", flat=True))
    return [part for part in rules.PARTS if part in parts]


def stakeholders_of(handoff: Handoff | None) -> list[HandoffStakeholder]:
    """The handoff's stakeholders (prefetched) in the checklist's role order."""
    if handoff is None:
        return []
    order = {role: index for index, role in enumerate(rules.ROLES)}
    return sorted(handoff.stakeholders.all(), key=lambda s: order.get(s.role, len(order)))


def handoff_status(handoff: Handoff | None, *, opportunity: Opportunity, required: list[str]) -> list[dict]:
    """Per part: code, label, required, done and the missing items (for the deal page, panel and API)."""
    facts = facts_of(handoff, opportunity=opportunity)
    labels = dict(GateCriterion.HandoffPart.choices)
    return [{"part": part, "label": labels.get(part, part), "required": part in required,
             "done": not missing, "missing": missing}
            for part in rules.PARTS for missing in [rules.missing_items(part, facts)]]


def onboarding_tasks(*, opportunity_ids) -> dict[int, list[Activity]]:
    """The onboarding tasks opened when the deals were won, per deal id (one query)."""
    ids = list(opportunity_ids)
    if not ids:
        return {}
    result: dict[int, list[Activity]] = defaultdict(list)
    # The key carries the deal id: "handoff:<deal id>:<step>".
    tasks = Activity.objects.filter(reduce(or_, (Q(key__startswith=f"{TASK_KEY_PREFIX}{i}:") for i in ids)),
                                    kind=Activity.Kind.TASK).select_related("owner")
    for task in tasks.order_by("due_at", "id"):
        deal_id = int(task.key.split(":")[1])
        result[deal_id].append(task)
    return result


def account_open_awaiting_feasibility(*, account) -> int:
    """How many open deals of the account still wait for product to confirm feasibility (one query)."""
    return (Opportunity.objects.filter(account_id=account.pk, stage__is_won=False, stage__is_lost=False)
            .exclude(handoff__feasibility_confirmed_at__isnull=False).count())


def account_handoff_rows(*, account) -> list[dict]:
    """The customer-360 "Handoff" panel: per won deal of the account, its checklist and onboarding tasks.

    A fixed number of queries whatever the account holds (deals, stakeholders, criteria, tasks)."""
    deals = list(Opportunity.objects.filter(account_id=account.pk, stage__is_won=True)
                 .select_related("stage", "owner", "handoff", "handoff__feasibility_confirmed_by")
                 .prefetch_related(Prefetch("handoff__stakeholders",
                                            queryset=HandoffStakeholder.objects.select_related("contact")))
                 .order_by("-closed_at", "-id"))
    if not deals:
        return []
    required = required_handoff_parts()
    tasks = onboarding_tasks(opportunity_ids=[d.pk for d in deals])
    rows = []
    for deal in deals:
        deal.account = account  # the panel's account (saves one query per deal)
        handoff = _loaded_handoff(deal)
        rows.append({"opportunity": deal, "handoff": handoff,
                     "status": handoff_status(handoff, opportunity=deal, required=required),
                     "stakeholders": stakeholders_of(handoff),
                     "tasks": tasks.get(deal.pk, [])})
    return rows


def _loaded_handoff(opportunity: Opportunity) -> Handoff | None:
    try:
        return opportunity.handoff  # loaded by select_related; raises when the deal has none
    except Handoff.DoesNotExist:
        return None


def handoff_queue_for(*, user, awaiting_feasibility: bool = True, account_id: int | None = None) -> QuerySet[Opportunity]:
    """Open deals whose handoff `user` may read, soonest expected close first; by default those still
    waiting for product to confirm feasibility (the product team's work list)."""
    queryset = handoff_opportunity_queryset_for(user=user).filter(stage__is_won=False, stage__is_lost=False)
    if awaiting_feasibility:
        queryset = queryset.exclude(handoff__feasibility_confirmed_at__isnull=False)
    if account_id:
        queryset = queryset.filter(account_id=account_id)
    return queryset.select_related("handoff", "handoff__feasibility_confirmed_by").order_by(
        "expected_close_date", "id")


def won_deals_missing_onboarding(*, since, step_count: int, limit: int) -> list[int]:
    """Deals that entered a won stage since `since` (a move or an admin override, not an imported
    history row), are still won, and have fewer than `step_count` onboarding tasks: at most `limit`
    ids, oldest close first (two queries)."""
    from ..models import StageTransition

    candidates = list(Opportunity.objects.filter(
        stage__is_won=True, transitions__to_stage__is_won=True, transitions__at__gte=since,
        transitions__kind__in=(StageTransition.Kind.MOVE, StageTransition.Kind.OVERRIDE),
    ).order_by("closed_at", "id").values_list("pk", flat=True).distinct()[: limit * 2])
    if not candidates:
        return []
    opened = defaultdict(int)
    keys = Activity.objects.filter(reduce(or_, (Q(key__startswith=f"{TASK_KEY_PREFIX}{i}:") for i in candidates)))
    for key in keys.values_list("key", flat=True):
        opened[int(key.split(":")[1])] += 1
    return [pk for pk in candidates if opened[pk] < step_count][:limit]
