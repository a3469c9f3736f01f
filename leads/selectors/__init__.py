from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length, Lower, Trim
from django.db.models.lookups import Exact, GreaterThan

from salesops.lookups import AnyOf

from teams.models import User
from teams.selectors import VIEW, scope_for_user

from .. import scoring
from ..models import EventType, Lead, RuleSet, ScoreChange
from ..quality import PROFILE_FIELDS

# Marketing reads every lead (lead quality, nurture); only owners, their managers and admins change them.
LEAD_READ_ALL_ROLES = (User.Role.MARKETING,)


def lead_queryset_for(*, user, action: str = VIEW) -> QuerySet[Lead]:
    return scope_for_user(Lead.objects.select_related("owner"), user=user, action=action,
                          read_all_roles=LEAD_READ_ALL_ROLES)


def email_lookup_q(emails) -> Q:
    """Leads whose email equals `emails` (one address, or any of an iterable), ignoring case.

    The one way to look leads up by email: it says exactly what the unique index
    `lead_email_unique_ci` is built on — `lower(email)` over non-empty emails — so PostgreSQL
    answers from that index instead of scanning every lead (`email__iexact` compiles to UPPER(),
    and without `email <> ''` the partial index does not apply). Blank addresses match nothing."""
    if isinstance(emails, str):
        wanted = emails.strip().lower()
        condition = Exact(Lower("email"), wanted) if wanted else None
    else:
        values = sorted({e.strip().lower() for e in emails if isinstance(e, str) and e.strip()})
        condition = AnyOf(Lower("email"), values) if values else None
    if condition is None:
        return Q(pk__in=[])
    return Q(condition) & ~Q(email="")


def external_ref_lookup_q(refs) -> Q:
    """Leads whose external reference (of any source system) is one of `refs`.

    The one way to look leads up by reference alone: it says what the partial index
    `lead_external_ref` is built on — non-empty references — so PostgreSQL answers from it (most
    leads have no reference, and the index holds none of them). Blank references match nothing."""
    values = sorted({ref for ref in refs if isinstance(ref, str) and ref})
    if not values:
        return Q(pk__in=[])
    return Q(AnyOf(F("external_ref"), values)) & ~Q(external_ref="")


def completeness_expression():
    """SQL twin of leads.quality.completeness_percent, for one set-based UPDATE."""
    terms = []
    for name in PROFILE_FIELDS:
        field = Lead._meta.get_field(name)
        if field.get_internal_type() in {"CharField", "EmailField"}:
            filled = GreaterThan(Length(Trim(F(name))), 0)  # NULL and blanks count as empty
        else:
            filled = Q(**{f"{name}__isnull": False})
        terms.append(Case(When(filled, then=Value(1)), default=Value(0), output_field=IntegerField()))
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total * Value(100) / Value(len(PROFILE_FIELDS))


# --- scoring reads ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadedRuleSet:
    """A rule set's rows (attribute and behaviour rules by id) and its pure-Python form."""

    attribute_rules: tuple
    behaviour_rules: tuple
    spec: scoring.RuleSet


# Published and archived rule sets never change (only drafts are edited), so their loaded form is
# kept per process: a single-lead rescore then reads no rule or grade rows (6 of its 11 queries
# before); event types, which the admin may edit, are read each time.
# The key carries status and published_at (a set put back to draft and published again is a new
# entry); any save or delete of a rule set, rule or grade in this process empties the cache
# (receivers below), and drafts are never cached.
_LOADED: dict[tuple, tuple] = {}
_LOADED_MAX = 32


def rule_set_loaded(rule_set: RuleSet) -> LoadedRuleSet:
    key = (rule_set.pk, rule_set.status, rule_set.published_at)
    cacheable = rule_set.pk is not None and rule_set.status != RuleSet.Status.DRAFT
    rows = _LOADED.get(key) if cacheable else None
    if rows is None:
        rows = (tuple(rule_set.attribute_rules.order_by("id")), tuple(rule_set.behaviour_rules.order_by("id")),
                tuple(scoring.Grade(g.name, g.lower_bound) for g in rule_set.grades.all()))
        if cacheable:
            if len(_LOADED) >= _LOADED_MAX:
                _LOADED.clear()
            _LOADED[key] = rows
    attribute_rules, behaviour_rules, grades = rows
    # Event types are admin data that may change under a published set: read on every load (one
    # small query), so that no process ever scores with another process's stale copy of them.
    # (code, half-life in days) by id: the half-life is the event type's, so decay follows an edit at once
    types = {pk: (code, half_life) for pk, code, half_life in
             EventType.objects.values_list("id", "code", "half_life_days")}
    spec = scoring.RuleSet(
        attribute_rules=tuple(
            scoring.AttributeRule(r.field, r.operator, r.value, r.points, r.label or str(r)) for r in attribute_rules),
        behaviour_rules=tuple(
            scoring.BehaviourRule(types[r.event_type_id][0], r.points, r.max_count, r.window_days, r.label or str(r),
                                  types[r.event_type_id][1])
            for r in behaviour_rules),
        grades=grades,
    )
    return LoadedRuleSet(attribute_rules=attribute_rules, behaviour_rules=behaviour_rules, spec=spec)


def rule_set_cache_clear(**kwargs) -> None:
    _LOADED.clear()


def rule_set_spec(rule_set: RuleSet) -> scoring.RuleSet:
    """The pure-Python form of a rule set (rules in breakdown order: attribute, then behaviour)."""
    return rule_set_loaded(rule_set).spec


class BreakdownExplainer:
    """Turns stored per-rule points into [{"rule", "points"}] with one query per rule set seen."""

    def __init__(self):
        self._specs: dict[int, scoring.RuleSet] = {}

    def __call__(self, lead: Lead) -> list[dict]:
        if not lead.scored_with_id or not lead.score_breakdown:
            return []
        spec = self._specs.get(lead.scored_with_id)
        if spec is None:
            rule_set = RuleSet.objects.filter(pk=lead.scored_with_id).first()
            if rule_set is None:
                return []
            spec = self._specs[lead.scored_with_id] = rule_set_spec(rule_set)
        return scoring.explain(spec, lead.score_breakdown)


def lead_score_history(*, lead: Lead, limit: int = 20):
    return ScoreChange.objects.filter(lead=lead).select_related("rule_set")[:limit]


def rule_set_queryset():
    return RuleSet.objects.select_related("created_by", "published_by").prefetch_related(
        "attribute_rules", "behaviour_rules__event_type", "grades")


def rule_set_list_queryset():
    """Rule sets for the list page, with their rule counts (one query; grades prefetched)."""
    from django.db.models import Count

    return RuleSet.objects.annotate(
        attribute_rule_count=Count("attribute_rules", distinct=True),
        behaviour_rule_count=Count("behaviour_rules", distinct=True),
    ).annotate(rule_count=F("attribute_rule_count") + F("behaviour_rule_count")).prefetch_related("grades")


def lead_import_job_queryset_for(*, user):
    """Import jobs a user may follow: their own (administrators: every job)."""
    from salesops.jobs import import_job_queryset
    from teams.predicates import is_admin

    from ..models import LeadImportJob
    return import_job_queryset(LeadImportJob, user=user, see_all=is_admin(user))
