"""Lead scoring as pure functions (no Django imports): the reference definition of a score.

A rule set is a list of rules, each giving points:
- attribute rules compare one lead field with a value (equals, in, gt, lt, contains, is_set);
- behaviour rules count a lead's events of one type, optionally only those in the last N days
  and at most `max_count` of them, and give `points` per counted event.
A lead's score is the sum of its rules' points; its grade is the first band (highest lower bound
first) whose lower bound the score reaches; the band without a lower bound takes the rest.

leads.services.scoring compiles the same definition to SQL for set-based rescoring; tests check
that both agree. Text comparisons ignore case and surrounding blanks.
"""
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

NUMERIC_FIELDS = frozenset({"company_size", "total_visits", "time_on_site"})
TEXT_FIELDS = frozenset({"industry", "region", "job_title", "source", "company", "origin", "last_activity"})
FIELDS = NUMERIC_FIELDS | TEXT_FIELDS
OPERATORS = frozenset({"equals", "in", "gt", "lt", "contains", "is_set"})


@dataclass(frozen=True)
class AttributeRule:
    field: str
    operator: str
    value: object
    points: int
    label: str = ""


@dataclass(frozen=True)
class BehaviourRule:
    event_type: str
    points: int
    max_count: int | None = None
    window_days: int | None = None
    label: str = ""
    half_life_days: int | None = None  # of its event type: each event's points halve every this many days


@dataclass(frozen=True)
class Grade:
    name: str
    lower_bound: int | None


@dataclass(frozen=True)
class RuleSet:
    attribute_rules: tuple[AttributeRule, ...]
    behaviour_rules: tuple[BehaviourRule, ...]
    grades: tuple[Grade, ...]

    @property
    def rules(self) -> tuple:
        """All rules in breakdown order: attribute rules, then behaviour rules."""
        return self.attribute_rules + self.behaviour_rules

    @property
    def ordered_grades(self) -> tuple[Grade, ...]:
        bounded = sorted((g for g in self.grades if g.lower_bound is not None), key=lambda g: -g.lower_bound)
        return tuple(bounded) + tuple(g for g in self.grades if g.lower_bound is None)

    @property
    def top_grade(self) -> str | None:
        ordered = self.ordered_grades
        return ordered[0].name if ordered else None


@dataclass(frozen=True)
class Score:
    score: int
    grade: str
    points: tuple[int, ...]  # one entry per rule, in RuleSet.rules order


# --- bounds: every value a rule set may hold ----------------------------------------------------
# The one place they are defined. leads.models uses them in the field validators and clean() that
# the admin forms, the API serializers and the services all run; the scorer (here and in SQL) may
# rely on them: no value within these bounds can make scoring raise or overflow.
MAX_POINTS = 1000             # points of an attribute rule, or per counted event
MAX_WINDOW_DAYS = 3650        # a behaviour rule looks back ten years at most
MAX_COUNT = 1000              # a behaviour rule counts at most this many events
MAX_HALF_LIFE_DAYS = 3650     # an event type's points halve at the slowest every ten years
MAX_HALF_LIVES = 1000         # older events count 0.5 ** 1000 (≈ 0): no float underflow in SQL
MAX_GRADE_BOUND = 1_000_000   # a grade's lower bound, either sign
MAX_NUMBER = 2_147_483_647    # a number compared with a numeric lead field, either sign
MAX_LIST_ITEMS = 200          # values of an "is one of" rule
MAX_TEXT_LENGTH = 200         # a text compared with a lead field
MAX_RULES = 100               # attribute rules, and behaviour rules, per rule set
MAX_GRADES = 20


# --- validation -------------------------------------------------------------------------------
def _is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and value == value and abs(value) <= MAX_NUMBER)  # value == value: not NaN


def _is_text(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_TEXT_LENGTH


def attribute_rule_errors(field: str, operator: str, value) -> dict[str, str]:
    """Problems with an attribute rule, keyed by the offending part (English; callers translate)."""
    errors: dict[str, str] = {}
    if field not in FIELDS:
        errors["field"] = "unknown_field"
        return errors
    if operator not in OPERATORS:
        errors["operator"] = "unknown_operator"
        return errors
    if operator == "is_set":
        return errors
    if operator in ("gt", "lt"):
        if field not in NUMERIC_FIELDS:
            errors["operator"] = "needs_numeric_field"
        elif not _is_number(value):
            errors["value"] = "needs_number"
    elif operator == "in":
        if not isinstance(value, list) or not value:
            errors["value"] = "needs_list"
        elif len(value) > MAX_LIST_ITEMS:
            errors["value"] = "list_too_long"
        elif field in NUMERIC_FIELDS and not all(_is_number(v) for v in value):
            errors["value"] = "needs_number_list"
        elif field in TEXT_FIELDS and not all(_is_text(v) for v in value):
            errors["value"] = "needs_text_list"
    elif operator == "contains":
        if field not in TEXT_FIELDS:
            errors["operator"] = "needs_text_field"
        elif not _is_text(value):
            errors["value"] = "needs_text"
    elif operator == "equals":
        if field in NUMERIC_FIELDS and not _is_number(value):
            errors["value"] = "needs_number"
        elif field in TEXT_FIELDS and not _is_text(value):
            errors["value"] = "needs_text"
    return errors


def grade_errors(grades: Sequence[Grade]) -> list[str]:
    problems = []
    names = [g.name.strip() for g in grades]
    if not grades:
        problems.append("no_grades")
    if any(not n for n in names):
        problems.append("blank_grade_name")
    if len(set(names)) != len(names):
        problems.append("duplicate_grade_name")
    if sum(1 for g in grades if g.lower_bound is None) != 1:
        problems.append("one_open_grade")
    bounds = [g.lower_bound for g in grades if g.lower_bound is not None]
    if len(set(bounds)) != len(bounds):
        problems.append("duplicate_bound")
    if any(not isinstance(b, int) or abs(b) > MAX_GRADE_BOUND for b in bounds):
        problems.append("bound_out_of_range")
    if len(grades) > MAX_GRADES:
        problems.append("too_many_grades")
    return problems


def window_start(now: datetime, window_days: int | None) -> datetime | None:
    """The oldest moment a behaviour rule counts, or None for "forever" (also for a window reaching
    back before year 1, which validation refuses but which must never make scoring raise)."""
    if not window_days:
        return None
    try:
        return now - timedelta(days=window_days)
    except OverflowError:
        return None


# --- scoring ----------------------------------------------------------------------------------
def _norm(value) -> str:
    return str(value).strip().lower()


def attribute_matches(rule: AttributeRule, value) -> bool:
    if rule.operator == "is_set":
        return value is not None and (not isinstance(value, str) or value.strip() != "")
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return False
    if rule.field in NUMERIC_FIELDS:
        number = value
        if rule.operator == "gt":
            return number > rule.value
        if rule.operator == "lt":
            return number < rule.value
        if rule.operator == "equals":
            return number == rule.value
        if rule.operator == "in":
            return number in rule.value
        return False
    text = _norm(value)
    if rule.operator == "equals":
        return text == _norm(rule.value)
    if rule.operator == "in":
        return text in {_norm(v) for v in rule.value}
    if rule.operator == "contains":
        return _norm(rule.value) in text
    return False


def decay_weight(age_days: float, half_life_days: int) -> float:
    """What an event of this age still counts for: 1 when it happens, ½ after one half-life, ¼ after
    two... (an event dated in the future counts 1)."""
    return 0.5 ** min(max(age_days, 0.0) / half_life_days, MAX_HALF_LIVES)


def behaviour_points(rule: BehaviourRule, events: Iterable[tuple[str, datetime]], now: datetime) -> int:
    """Points of a behaviour rule: counted events (in its window, at most max_count) times its points.
    With a half-life, each event counts decay_weight(its age) instead of 1, the capped sum times the
    points is rounded half up (floor(x + 0.5)) to whole points — the SQL does the same."""
    since = window_start(now, rule.window_days)
    counted = [when for code, when in events if code == rule.event_type and (since is None or when >= since)]
    if rule.half_life_days:
        weight = sum(decay_weight((now - when).total_seconds() / 86400, rule.half_life_days) for when in counted)
        if rule.max_count is not None:
            weight = min(weight, rule.max_count)
        return math.floor(weight * rule.points + 0.5)
    count = len(counted)
    if rule.max_count is not None:
        count = min(count, rule.max_count)
    return count * rule.points


def grade_for(score: int, rule_set: RuleSet) -> str:
    for grade in rule_set.ordered_grades:
        if grade.lower_bound is None or score >= grade.lower_bound:
            return grade.name
    return ""


def score_lead(rule_set: RuleSet, attributes: Mapping[str, object],
               events: Iterable[tuple[str, datetime]], now: datetime) -> Score:
    events = list(events)
    points = [rule.points if attribute_matches(rule, attributes.get(rule.field)) else 0
              for rule in rule_set.attribute_rules]
    points += [behaviour_points(rule, events, now) for rule in rule_set.behaviour_rules]
    total = sum(points)
    return Score(score=total, grade=grade_for(total, rule_set), points=tuple(points))


def explain(rule_set: RuleSet, points: Sequence[int]) -> list[dict]:
    """The rules that gave (or took) points: [{"rule": label, "points": n}, ...]."""
    return [{"rule": rule.label or describe(rule), "points": p}
            for rule, p in zip(rule_set.rules, points) if p]


def describe(rule) -> str:
    if isinstance(rule, AttributeRule):
        return f"{rule.field} {rule.operator} {rule.value}".strip()
    cap = f" (max {rule.max_count})" if rule.max_count else ""
    window = f" in {rule.window_days} days" if rule.window_days else ""
    return f"{rule.event_type}{window}{cap}"
