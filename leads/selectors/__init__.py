from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan

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
def rule_set_spec(rule_set: RuleSet) -> scoring.RuleSet:
    """The pure-Python form of a rule set (rules in breakdown order: attribute, then behaviour)."""
    types = {pk: (code, half_life) for pk, code, half_life in
             EventType.objects.values_list("id", "code", "half_life_days")}
    return scoring.RuleSet(
        attribute_rules=tuple(
            scoring.AttributeRule(r.field, r.operator, r.value, r.points, r.label or str(r))
            for r in rule_set.attribute_rules.order_by("id")),
        behaviour_rules=tuple(
            scoring.BehaviourRule(types[r.event_type_id][0], r.points, r.max_count, r.window_days, r.label or str(r),
                                  types[r.event_type_id][1])
            for r in rule_set.behaviour_rules.order_by("id")),
        grades=tuple(scoring.Grade(g.name, g.lower_bound) for g in rule_set.grades.all()),
    )


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
