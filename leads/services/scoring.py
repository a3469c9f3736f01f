"""Rescoring, publishing and backtesting rule sets.

The definition of a score lives in leads.scoring (pure Python). Here the same definition is
compiled to one SQL statement over a range of lead ids, so that rescoring is set-based: one
statement scores a batch of leads, writes only the rows that change, and records their history.
The statement is parameterised (rule values never reach the SQL text) and works on PostgreSQL
and SQLite.
"""
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.events import publish_select
from salesops.errors import conflict_on_integrity_error
from salesops.queue import enqueue, enqueue_on_commit
from teams.predicates import can_backtest_scoring

from .. import scoring
from ..models import AttributeRule, Lead, RescoreChunk, RescoreJob, RuleSet, ScoreChange
from ..selectors import lead_queryset_for, rule_set_loaded, rule_set_spec

logger = logging.getLogger(__name__)

BATCH_SIZE = 20_000
ROUTE_CHUNK = 200


# --- loading rule sets ------------------------------------------------------------------------
def published_rule_set() -> RuleSet | None:
    return RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()


def rule_set_validate(rule_set: RuleSet) -> None:
    """Raise ValidationError listing every problem that would make the rule set unusable."""
    problems = []
    for rule in [*rule_set.attribute_rules.all(), *rule_set.behaviour_rules.all(), *rule_set.grades.all()]:
        try:
            rule.full_clean()
        except ValidationError as exc:
            problems.append(_("Rule “%(rule)s”: %(errors)s") % {"rule": rule, "errors": " ".join(exc.messages)})
    if max(rule_set.attribute_rules.count(), rule_set.behaviour_rules.count()) > scoring.MAX_RULES:
        problems.append(TOO_MANY_RULES())
    grades = [scoring.Grade(g.name, g.lower_bound) for g in rule_set.grades.all()]
    problems += [GRADE_MESSAGES[code]() for code in scoring.grade_errors(grades)]
    if problems:
        raise ValidationError(problems)


GRADE_MESSAGES = {
    "no_grades": lambda: _("Define at least one grade."),
    "blank_grade_name": lambda: _("Every grade needs a name."),
    "duplicate_grade_name": lambda: _("Grade names must be unique."),
    "one_open_grade": lambda: _("Exactly one grade must have no lower bound (it takes every other score)."),
    "duplicate_bound": lambda: _("Two grades cannot have the same lower bound."),
    "bound_out_of_range": lambda: _("A grade's lower bound must be a whole number between -%(max)s and %(max)s.")
    % {"max": scoring.MAX_GRADE_BOUND},
    "too_many_grades": lambda: _("A rule set has at most %(max)s grades.") % {"max": scoring.MAX_GRADES},
}
TOO_MANY_RULES = lambda: _("A rule set has at most %(max)s attribute rules and %(max)s behaviour rules.") % {  # noqa: E731
    "max": scoring.MAX_RULES}


# --- compiling a rule set to SQL --------------------------------------------------------------
@dataclass
class CompiledScore:
    sql: str          # SELECT id, old_*, p0..pn, score, bd, new_grade, converted, won FROM ... WHERE id range
    params: list      # parameters, with the id range last two placeholders filled at call time
    top_grade: str | None


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _attribute_condition(rule: AttributeRule, params: list) -> str:
    column = f"l.{_quote(rule.field)}"
    numeric = rule.field in scoring.NUMERIC_FIELDS
    if rule.operator == "is_set":
        return f"{column} IS NOT NULL" if numeric else f"({column} IS NOT NULL AND TRIM({column}) <> '')"
    if numeric:
        if rule.operator in ("gt", "lt", "equals"):
            params.append(rule.value)
            return f"{column} {dict(gt='>', lt='<', equals='=')[rule.operator]} %s"
        params.extend(rule.value)
        return f"{column} IN ({', '.join(['%s'] * len(rule.value))})"
    text = f"LOWER(TRIM({column}))"
    if rule.operator == "equals":
        params.append(str(rule.value).strip().lower())
        return f"{text} = %s"
    if rule.operator == "in":
        values = [str(v).strip().lower() for v in rule.value]
        params.extend(values)
        return f"{text} IN ({', '.join(['%s'] * len(values))})"
    # contains: escape LIKE wildcards in the value
    escaped = str(rule.value).strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params.append(f"%{escaped}%")
    return f"{text} LIKE %s ESCAPE '\\'"


def _age_days_sql() -> str:
    """SQL: days (fractional, at least 0) from an event's occurred_at to the `now` parameter."""
    if connection.vendor == "postgresql":
        return "GREATEST(EXTRACT(EPOCH FROM (CAST(%s AS timestamptz) - e.occurred_at)) / 86400.0, 0)"
    return "MAX(julianday(%s) - julianday(e.occurred_at), 0)"


def compile_rule_set(rule_set: RuleSet, *, now, marked_before=None, with_fires: bool = False,
                     relation: str = "leads_lead") -> CompiledScore:
    """SQL computing, for leads with lo <= id <= hi, each rule's points, the score and the grade.
    With `marked_before`, only leads marked "needs rescore" at or before that moment. With
    `with_fires`, also f0..fn: 1 where rule i applies to the lead (its condition holds, or it
    counts at least one event), else 0 — whatever its points (leads.services.scoring_quality).
    `relation`: the table whose rows are scored (alias `l`), shaped like leads_lead in the columns
    the rules read — a lead import scores its rows in a temporary table before inserting them."""
    loaded = rule_set_loaded(rule_set)  # cached for published and archived sets: no query
    attribute_rules, behaviour_rules, spec = loaded.attribute_rules, loaded.behaviour_rules, loaded.spec
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    params: list = []
    point_columns, fire_columns, fire_params = [], [], []
    for rule in attribute_rules:
        condition = _attribute_condition(rule, params)
        params.append(rule.points)
        if with_fires:
            fire_columns.append(f"CASE WHEN {_attribute_condition(rule, fire_params)} THEN 1 ELSE 0 END"
                                f" AS f{len(point_columns)}")
        point_columns.append(f"CASE WHEN {condition} THEN %s ELSE 0 END AS p{len(point_columns)}")
    count_columns, count_params = [], []
    for j, rule in enumerate(behaviour_rules):
        condition = "e.event_type_id = %s"
        count_params.append(rule.event_type_id)
        since = scoring.window_start(now, rule.window_days)
        if since is not None:
            condition += " AND e.occurred_at >= %s"
            count_params.append(connection.ops.adapt_datetimefield_value(since))
        half_life = spec.behaviour_rules[j].half_life_days  # read fresh with the event types (rule rows may be cached)
        if half_life:  # each event counts 0.5 ** (age in days / half-life), as leads.scoring.decay_weight
            count_columns.append(f"SUM(CASE WHEN {condition} THEN POWER(0.5, {least}({_age_days_sql()} / %s,"
                                 f" {scoring.MAX_HALF_LIVES})) ELSE 0 END) AS c{j}")
            count_params += [connection.ops.adapt_datetimefield_value(now), half_life]
        else:
            count_columns.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS c{j}")
        counted = f"COALESCE(ev.c{j}, 0)"
        if rule.max_count is not None:
            counted = f"{least}({counted}, %s)"
            params.append(rule.max_count)
        params.append(rule.points)
        # decayed: whole points, rounded half up like the Python definition
        points_sql = f"CAST(FLOOR({counted} * %s + 0.5) AS INTEGER)" if half_life else f"{counted} * %s"
        if with_fires:
            fire_columns.append(f"CASE WHEN COALESCE(ev.c{j}, 0) > 0 THEN 1 ELSE 0 END AS f{len(point_columns)}")
        point_columns.append(f"{points_sql} AS p{len(point_columns)}")
    n = len(point_columns)
    marked, marked_params = "", []
    if marked_before is not None:
        marked = " AND {alias} IN (SELECT m.id FROM leads_lead m WHERE m.rescore_needed_at <= %s)"
        marked_params = [connection.ops.adapt_datetimefield_value(marked_before)]
    join = ""
    join_params: list = []
    if behaviour_rules:
        type_ids = sorted({r.event_type_id for r in behaviour_rules})
        join = (f" LEFT JOIN (SELECT e.lead_id, {', '.join(count_columns)} FROM leads_leadevent e"
                f" WHERE e.lead_id >= %s AND e.lead_id <= %s AND e.event_type_id IN ({', '.join(['%s'] * len(type_ids))})"
                f"{marked.format(alias='e.lead_id')} GROUP BY e.lead_id) ev ON ev.lead_id = l.id")
        join_params = [*count_params, "__LO__", "__HI__", *type_ids, *marked_params]
    score_sql = " + ".join(f"x.p{i}" for i in range(n)) or "0"
    bd_sql = ("'[' || " + " || ',' || ".join(f"x.p{i}" for i in range(n)) + " || ']'") if n else "'[]'"
    # "WHEN 1 = 0" keeps the CASE valid whatever the bands (none, or only the open one).
    grade_sql, grade_params = "CASE WHEN 1 = 0 THEN ''", []
    open_grade = ""
    for grade in spec.ordered_grades:
        if grade.lower_bound is None:
            open_grade = grade.name
            break
        grade_sql += " WHEN y.score >= %s THEN %s"
        grade_params += [grade.lower_bound, grade.name]
    grade_sql += " ELSE %s END"
    grade_params.append(open_grade)
    points_select = (", " + ", ".join(point_columns + fire_columns)) if point_columns else ""
    inner = (f"SELECT l.id, l.score AS old_score, l.grade AS old_grade, l.score_breakdown AS old_bd,"
             f" l.scored_with_id AS old_rs, l.mql_at AS old_mql_at, l.converted_at, l.won_at, l.imported_converted"
             f"{points_select}"
             f" FROM {relation} l{join} WHERE l.id >= %s AND l.id <= %s{marked.format(alias='l.id')}")
    sql = (f"SELECT y.*, {grade_sql} AS new_grade FROM ("
           f"SELECT x.*, ({score_sql}) AS score, ({bd_sql}) AS bd FROM ({inner}) x) y")
    # parameter order follows placeholder order in the final text: grade, then inner (points, join, range)
    # Placeholders in text order: grade bands, then the inner SELECT's point columns, JOIN, id range.
    all_params = [*grade_params, *params, *fire_params, *join_params, "__LO__", "__HI__", *marked_params]
    return CompiledScore(sql=sql, params=all_params, top_grade=spec.top_grade)


def _bind(params: list, lo: int, hi: int) -> list:
    return [lo if p == "__LO__" else hi if p == "__HI__" else p for p in params]


# --- rescoring --------------------------------------------------------------------------------
def _rescore_range_sql(compiled: CompiledScore, *, rule_set_id: int, lo: int, hi: int, reason: str, now,
                      new_top: list | None = None) -> int:
    """Score leads lo..hi, write the changed rows and their history. Returns changed leads.

    The UPDATE repeats the id range on the updated table itself (`l.id >= lo AND l.id <= hi`):
    without it PostgreSQL hash-joins `s` with the whole of leads_lead for every batch, and a full
    rescore grows with the square of the table. Rows whose score, grade, breakdown and rule set
    are unchanged are not written at all (no new row version, no history). On PostgreSQL the same
    write stamps mql_at on leads reaching the top grade for the first time and appends their ids
    to `new_top` (one row version per lead, not two); _mark_new_top_grade then finds none left."""
    _hold_rule_set(rule_set_id)
    params = _bind(compiled.params, lo, hi)
    when = connection.ops.adapt_datetimefield_value(now)
    # updated_at is the wall clock, not the as-of time scored at: sync clients page by it
    changed_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            top = compiled.top_grade or ""
            cursor.execute(
                f"WITH s AS ({compiled.sql}), upd AS ("
                " UPDATE leads_lead AS l SET score = s.score, grade = s.new_grade,"
                " score_breakdown = CAST(s.bd AS jsonb), scored_with_id = %s, scored_at = %s, updated_at = %s,"
                " mql_at = CASE WHEN s.new_grade = %s AND %s <> '' AND l.mql_at IS NULL THEN %s ELSE l.mql_at END"
                " FROM s WHERE l.id = s.id AND l.id >= %s AND l.id <= %s AND (s.old_score, s.old_grade, s.old_bd, s.old_rs)"
                " IS DISTINCT FROM (s.score, s.new_grade, CAST(s.bd AS jsonb), %s)"
                " RETURNING l.id, s.score, s.new_grade, s.bd, s.old_score, s.old_grade, s.old_bd,"
                " (s.old_mql_at IS NULL AND l.mql_at IS NOT NULL) AS new_top),"
                " ins AS (INSERT INTO leads_scorechange (lead_id, score, grade, breakdown, rule_set_id, reason, created_at)"
                " SELECT id, score, new_grade, CAST(bd AS jsonb), %s, %s, %s FROM upd"
                " WHERE (old_score, old_grade, old_bd) IS DISTINCT FROM (score, new_grade, CAST(bd AS jsonb))"
                " RETURNING 1)"
                " SELECT (SELECT COUNT(*) FROM ins),"
                " (SELECT COALESCE(array_agg(id ORDER BY id), '{}') FROM upd WHERE new_top)",
                [*params, rule_set_id, when, changed_at, top, top, when, lo, hi, rule_set_id, rule_set_id, reason, when],
            )
            changed, top_ids = cursor.fetchone()
            if new_top is not None:
                new_top.extend(top_ids)
            return changed
        cursor.execute(
            "INSERT INTO leads_scorechange (lead_id, score, grade, breakdown, rule_set_id, reason, created_at)"
            f" SELECT s.id, s.score, s.new_grade, s.bd, %s, %s, %s FROM ({compiled.sql}) s"
            " WHERE (s.old_score, s.old_grade, s.old_bd) IS NOT (s.score, s.new_grade, s.bd)",
            [rule_set_id, reason, when, *params],
        )
        changed = cursor.rowcount
        cursor.execute(
            "UPDATE leads_lead SET score = s.score, grade = s.new_grade, score_breakdown = s.bd,"
            " scored_with_id = %s, scored_at = %s, updated_at = %s"
            f" FROM ({compiled.sql}) AS s WHERE leads_lead.id = s.id AND leads_lead.id >= %s AND leads_lead.id <= %s"
            " AND (s.old_score, s.old_grade, s.old_bd, s.old_rs) IS NOT (s.score, s.new_grade, s.bd, %s)",
            [rule_set_id, when, changed_at, *params, lo, hi, rule_set_id],
        )
        return changed


def _publish_score_changes(*, marker: int, lo: int, hi: int, now) -> None:
    """"lead.scored" for each score change this batch wrote and "lead.grade_changed" where the grade
    differs from the lead's previous history row: two INSERT ... SELECT, whatever the batch size."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce, JSONObject

    from integrations.events import publish_rows

    rows = ScoreChange.objects.filter(pk__gt=marker, lead_id__gte=lo, lead_id__lte=hi, created_at=now)
    # the lead's latest earlier row, in the order of index score_change_lead (lead_id, created_at DESC):
    # ordered by pk alone, PostgreSQL may walk the primary key backwards for each row when its
    # statistics say the table is small (a first import of 100,000 leads: 10 minutes instead of 1 s)
    previous = ScoreChange.objects.filter(lead_id=OuterRef("lead_id"), pk__lt=OuterRef("pk")).order_by(
        "-created_at", "-pk")
    rows = rows.annotate(previous_grade=Coalesce(Subquery(previous.values("grade")[:1]), Value("")))
    payload = JSONObject(lead=F("lead_id"), score=F("score"), grade=F("grade"), previous_grade=F("previous_grade"),
                         reason=F("reason"))
    publish_rows("lead.scored", rows, object_id="lead_id", owner_id="lead__owner_id", payload=payload)
    publish_rows("lead.grade_changed", rows.exclude(grade=F("previous_grade")), object_id="lead_id",
                 owner_id="lead__owner_id", payload=payload)


def _rescore_and_publish(compiled: CompiledScore, *, rule_set_id: int, lo: int, hi: int, reason: str, now,
                         new_top: list) -> int:
    """_rescore_range_sql, then this range's "lead.scored" / "lead.grade_changed" changes (every
    rescore path: a range, a publish's job, a chunk). Returns changed leads."""
    marker = ScoreChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    changed = _rescore_range_sql(compiled, rule_set_id=rule_set_id, lo=lo, hi=hi, reason=reason, now=now,
                                 new_top=new_top)
    if changed:
        _publish_score_changes(marker=marker, lo=lo, hi=hi, now=now)
    return changed


def _mark_new_top_grade(*, top_grade: str | None, lo: int, hi: int, now, stamped: list[int] = ()) -> list[int]:
    """Leads in lo..hi that reached the top grade for the first time: stamp mql_at, queue their
    routing, return their ids. `stamped`: those the rescore's UPDATE stamped already (PostgreSQL);
    the query here then finds only leads graded top without being rescored (none, normally)."""
    if not top_grade:
        return []
    new = Lead.objects.filter(pk__gte=lo, pk__lte=hi, grade=top_grade, mql_at__isnull=True)
    ids = list(new.values_list("pk", flat=True))
    if ids:
        Lead.objects.filter(pk__in=ids, mql_at__isnull=True).update(mql_at=now, updated_at=timezone.now())
    ids = sorted({*stamped, *ids})
    if ids:
        _queue_routing(ids)
    return ids


def _queue_routing(ids: list[int]) -> None:
    from ..tasks import lead_route_task

    for start in range(0, len(ids), ROUTE_CHUNK):
        enqueue_on_commit(lead_route_task, ids[start:start + ROUTE_CHUNK])


@transaction.atomic
def leads_rescore_range(*, lo: int, hi: int, reason: str, rule_set: RuleSet | None = None, now=None,
                        marked_before=None) -> int:
    """Set-based rescore of lead ids lo..hi with `rule_set` (default: the published one); with
    `marked_before`, only the leads marked "needs rescore" by then. Clears the marks it served."""
    started = timezone.now()
    rule_set = rule_set or published_rule_set()
    if rule_set is None:
        return 0
    now = now or started
    compiled = compile_rule_set(rule_set, now=now, marked_before=marked_before)
    stamped: list[int] = []
    changed = _rescore_and_publish(compiled, rule_set_id=rule_set.pk, lo=lo, hi=hi, reason=reason, now=now,
                                   new_top=stamped)
    _mark_new_top_grade(top_grade=compiled.top_grade, lo=lo, hi=hi, now=now, stamped=stamped)
    # A mark set after this rescore began stays: its change may not have been seen here.
    Lead.objects.filter(pk__gte=lo, pk__lte=hi, rescore_needed_at__lte=marked_before or started).update(
        rescore_needed_at=None)
    return changed


def leads_score_staged(*, relation: str, compiled: CompiledScore, rule_set_id: int, lo: int, hi: int,
                       now) -> list[int]:
    """Score new leads before they are inserted (PostgreSQL): `relation` is a temporary table shaped
    like leads_lead, plus a boolean column `score_changed`, holding rows lo..hi that are not in
    leads_lead yet (a lead import's chunk). One UPDATE of it writes what _rescore_range_sql would
    write on the inserted rows (score, grade, breakdown, rule set, scored_at, mql_at on reaching
    the top grade) and marks the rows whose score differs from a new lead's (`score_changed`: they
    get history). The caller then inserts the rows into leads_lead, each written once, and records
    their history and changes (leads_record_staged_scores). Returns the ids that reached the top
    grade — the caller queues their routing (_queue_routing), as leads_rescore_range does. A new
    lead has no events: behaviour rules give it 0 points, as the rescore after an insert gave."""
    _hold_rule_set(rule_set_id)
    params = _bind(compiled.params, lo, hi)
    when = connection.ops.adapt_datetimefield_value(now)
    top = compiled.top_grade or ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH s AS ({compiled.sql}), upd AS ("
            f" UPDATE {relation} AS l SET score = s.score, grade = s.new_grade, score_breakdown = CAST(s.bd AS jsonb),"
            " scored_with_id = %s, scored_at = %s,"
            " mql_at = CASE WHEN s.new_grade = %s AND %s <> '' AND l.mql_at IS NULL THEN %s ELSE l.mql_at END,"
            " score_changed = (s.old_score, s.old_grade, s.old_bd) IS DISTINCT FROM (s.score, s.new_grade, CAST(s.bd AS jsonb))"
            " FROM s WHERE l.id = s.id"
            " RETURNING l.id, (s.old_mql_at IS NULL AND l.mql_at IS NOT NULL) AS new_top)"
            " SELECT COALESCE(array_agg(id ORDER BY id), '{}') FROM upd WHERE new_top",
            [*params, rule_set_id, when, top, top, when])
        (top_ids,) = cursor.fetchone()
    return list(top_ids)


def leads_record_staged_scores(*, relation: str, rule_set_id: int, reason: str, now) -> int:
    """The ScoreChange history of rows leads_score_staged scored, and their "lead.scored" and
    "lead.grade_changed" changes — once the rows are inserted and their "lead.created" published
    (the order the rescore after the insert gave): three INSERT ... SELECT. A new lead has no
    earlier score: its previous grade is "", so it gets "lead.grade_changed" when its grade is not
    blank. Returns the history rows written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO leads_scorechange (lead_id, score, grade, breakdown, rule_set_id, reason, created_at)"
            f" SELECT t.id, t.score, t.grade, t.score_breakdown, %s, %s, %s FROM {relation} t WHERE t.score_changed"
            " ORDER BY t.id", [rule_set_id, reason, connection.ops.adapt_datetimefield_value(now)])
        changed = cursor.rowcount
    if changed:
        # both kinds from one statement, each lead's payload built once (jsonb from json_build_object:
        # the same document, a quarter cheaper than jsonb_build_object); each lead's "lead.scored"
        # comes before its "lead.grade_changed" (within the chunk they alternate lead by lead; two
        # statements gave all "lead.scored" first — the feed's order is per record)
        publish_select(
            ("lead.scored", "lead.grade_changed"),
            "SELECT e.kind, s.id, s.owner_id, s.payload FROM (SELECT t.id, t.owner_id, t.grade,"
            " CAST(json_build_object('lead', t.id, 'score', t.score, 'grade', t.grade, 'previous_grade', '',"
            f" 'reason', CAST(%s AS text)) AS jsonb) AS payload FROM {relation} t WHERE t.score_changed OFFSET 0) s"
            " CROSS JOIN (VALUES (1, 'lead.scored'), (2, 'lead.grade_changed')) AS e (n, kind)"
            " WHERE e.n = 1 OR s.grade <> '' ORDER BY s.id, e.n", [reason])
    return changed


def lead_rescore(*, lead_id: int, reason: str) -> int:
    return leads_rescore_range(lo=lead_id, hi=lead_id, reason=reason)


def lead_queue_rescore(*, lead_id: int, reason: str) -> None:
    """Rescore one lead in the background once the current transaction commits.

    The need is recorded durably first, in the caller's transaction (Lead.rescore_needed_at): if
    the task cannot be queued (broker away) or is lost, leads_rescore_marked() catches up."""
    from ..tasks import lead_rescore_task

    Lead.objects.filter(pk=lead_id, rescore_needed_at__isnull=True).update(rescore_needed_at=timezone.now())
    enqueue_on_commit(lead_rescore_task, lead_id, reason)


def leads_rescore_marked(*, now=None, grace_seconds: int | None = None) -> int:
    """Rescore, set-based, every lead marked "needs rescore" for longer than the grace period
    (its own task had that long to run). Returns the number of leads whose score changed."""
    now = now or timezone.now()
    grace = settings.LEADS_RESCORE_MARK_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = now - timedelta(seconds=grace)
    bounds = Lead.objects.filter(rescore_needed_at__lte=cutoff).aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0
    changed, size = 0, settings.LEADS_RESCORE_BATCH_SIZE
    for lo in range(bounds["lo"], bounds["hi"] + 1, size):
        changed += leads_rescore_range(lo=lo, hi=min(lo + size - 1, bounds["hi"]), reason=ScoreChange.Reason.DATA,
                                       marked_before=cutoff)
    return changed


def leads_rescore_decayed(*, now=None) -> int:
    """Nightly: behaviour points of event types with a half-life fade with age, so scores change with
    no new data. Marks, in one UPDATE, the leads with events of a fading type the published rule set
    counts, then rescores the marked leads batch by batch (set-based; only changed rows are written,
    with reason "decay"). Returns the number of leads whose score changed."""
    from ..models import LeadEvent

    rule_set = published_rule_set()
    if rule_set is None:
        return 0
    fading = list(rule_set.behaviour_rules.filter(event_type__half_life_days__isnull=False)
                  .values_list("event_type_id", flat=True).distinct())
    if not fading:
        return 0
    now = now or timezone.now()
    Lead.objects.filter(rescore_needed_at__isnull=True,
                        pk__in=LeadEvent.objects.filter(event_type_id__in=fading).values("lead_id")
                        ).update(rescore_needed_at=now)
    bounds = Lead.objects.filter(rescore_needed_at__lte=now).aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0
    changed, size = 0, settings.LEADS_RESCORE_BATCH_SIZE
    for lo in range(bounds["lo"], bounds["hi"] + 1, size):
        changed += leads_rescore_range(lo=lo, hi=min(lo + size - 1, bounds["hi"]), reason=ScoreChange.Reason.DECAY,
                                       rule_set=rule_set, now=now, marked_before=now)
    return changed


# --- publishing -------------------------------------------------------------------------------
def rule_set_next_version() -> int:
    return (RuleSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1


@transaction.atomic
def rule_set_create_draft(*, by, name: str, copy_from: RuleSet | None = None, notes: str = "") -> RuleSet:
    """A new draft, optionally a copy of another set's rules and grades (to edit and backtest)."""
    draft = RuleSet.objects.create(name=name, version=rule_set_next_version(), created_by=by, notes=notes)
    if copy_from is not None:
        for rule in copy_from.attribute_rules.all():
            draft.attribute_rules.create(field=rule.field, operator=rule.operator, value=rule.value,
                                         points=rule.points, label=rule.label)
        for rule in copy_from.behaviour_rules.all():
            draft.behaviour_rules.create(event_type_id=rule.event_type_id, points=rule.points,
                                         max_count=rule.max_count, window_days=rule.window_days, label=rule.label)
        for grade in copy_from.grades.all():
            draft.grades.create(name=grade.name, lower_bound=grade.lower_bound)
    return draft


@transaction.atomic
def rule_set_delete_draft(*, rule_set: RuleSet) -> None:
    """Delete a draft (the pages, the API and the admin's delete and bulk delete). Locked first: a
    scoring write that names the set holds it until it commits (_hold_rule_set) — a draft can have
    scored leads, a publish that failed puts its set back to draft — so the delete waits for it
    and then clears its rows too (Django's SET_NULL on the leads' scored_with and the history,
    which have no constraint in the database). Gone already: nothing to do."""
    locked = RuleSet.objects.select_for_update().filter(pk=rule_set.pk).first()
    if locked is None:
        return
    if not locked.is_editable:
        raise ValidationError(_("Only drafts can be deleted; published and archived sets are kept as history."))
    locked.delete()


def _hold_rule_set(rule_set_id: int) -> None:
    """Keep the rule set from being deleted until this transaction ends: the leads' `scored_with`
    and the history rows it is about to write name it with no constraint in the database
    (leads/0021, issue 14). PostgreSQL: FOR KEY SHARE, the lock a foreign-key check takes — once a
    statement instead of once a row; rule_set_delete_draft locks the set, so it waits for this
    writer's commit and then clears what it wrote. (SQLite runs one writer at a time.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM leads_ruleset WHERE id = %s FOR KEY SHARE", [rule_set_id])


@transaction.atomic
def rule_set_publish(*, rule_set: RuleSet, by) -> RescoreJob:
    """Publish a draft: the current set is archived, and every lead is rescored in the background.

    The new set scores from now on (events arriving during the rescore use it too). If its rescore
    job fails, rescore_job_fail() puts it back to draft and publishes the previous set again."""
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status != RuleSet.Status.DRAFT:
        raise ValidationError(_("Only a draft rule set can be published."))
    rule_set_validate(rule_set)
    previous = published_rule_set()
    RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).update(status=RuleSet.Status.ARCHIVED)
    rule_set.status = RuleSet.Status.PUBLISHED
    rule_set.published_by = by
    rule_set.published_at = timezone.now()
    # Two drafts published at once: both archive the old set, and the one-published-set constraint
    # lets only the first commit win; the other answers 409 and stays a draft.
    with conflict_on_integrity_error(_("Another rule set was published at the same time; reload to see it.")):
        rule_set.save(update_fields=["status", "published_by", "published_at"])
    return _rescore_job_start(rule_set=rule_set, previous=previous)


def _rescore_job_start(*, rule_set: RuleSet, previous: RuleSet | None) -> RescoreJob:
    """A job rescoring every lead with `rule_set`, queued after commit. It is recorded before it
    is queued: if the broker is away, the stale-job sweeper starts it later."""
    from ..tasks import rescore_chunk_task, rescore_job_run_task

    bounds = Lead.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    total = Lead.objects.count()
    job = RescoreJob.objects.create(rule_set=rule_set, previous_rule_set=previous, total=total,
                                    last_id=(bounds["lo"] or 1) - 1, max_id=bounds["hi"] or 0)
    if total and total >= settings.LEADS_RESCORE_CHUNKED_MIN_LEADS:
        # one message per chunk: every worker listening takes some (each claims whichever chunk is next)
        for _i in range(rescore_job_split(job=job)):
            enqueue_on_commit(rescore_chunk_task, job.pk)
    else:
        enqueue_on_commit(rescore_job_run_task, job.pk)
    return job


# Errors that say "not now" rather than "this job cannot work" (the database is unreachable, the
# task hit its soft time limit): the job stays running, the task retries or the sweeper resumes it
# where it stopped.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, SoftTimeLimitExceeded)


def rescore_job_run(*, job_id: int, batch_size: int | None = None) -> RescoreJob | None:
    """Run (or resume) a rescore job batch by batch. Each batch locks the job row, scores the next
    id range and commits it with the job's progress and heartbeat, so a job killed halfway resumes
    where it stopped, two runs of one job never score the same batch, and re-running a batch changes
    nothing. An error that is not transient ends the job `failed` with its reason (rescore_job_fail)."""
    batch_size = batch_size or settings.LEADS_RESCORE_BATCH_SIZE
    chunks = RescoreJob.objects.filter(pk=job_id).values_list("chunks_total", flat=True).first()
    if chunks is None:
        return None  # deleted with its rule set (a draft again, then deleted) before this message ran
    if chunks:
        return rescore_chunks_work(job_id=job_id)  # a chunked job (the sweeper resumes those too)
    RescoreJob.objects.filter(pk=job_id, status__in=[RescoreJob.Status.PENDING, RescoreJob.Status.RUNNING]).update(
        status=RescoreJob.Status.RUNNING, heartbeat_at=timezone.now())
    RescoreJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=timezone.now())
    now = timezone.now()
    compiled: list = [None]  # compiled once, on the first batch
    try:
        while _rescore_job_step(job_id=job_id, batch_size=batch_size, now=now, compiled=compiled):
            if settings.LEADS_RESCORE_BATCH_PAUSE:
                time.sleep(settings.LEADS_RESCORE_BATCH_PAUSE)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # any other error is a property of this job: record it, keep scoring sane
        logger.exception("rescore job %s failed", job_id)
        return rescore_job_fail(job_id=job_id, reason=f"{exc.__class__.__name__}: {exc}")
    return RescoreJob.objects.get(pk=job_id)


@transaction.atomic
def _rescore_job_step(*, job_id: int, batch_size: int, now, compiled: list) -> bool:
    """One batch of a running job; False when there is nothing more to do."""
    job = RescoreJob.objects.select_for_update().get(pk=job_id)
    if job.status != RescoreJob.Status.RUNNING:
        return False  # finished or failed by another run
    if RuleSet.objects.filter(pk=job.rule_set_id).values_list("status", flat=True).first() != RuleSet.Status.PUBLISHED:
        job.status, job.error = RescoreJob.Status.FAILED, _("Superseded by a newer rule set.")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return False
    if job.last_id >= job.max_id:
        job.status, job.finished_at = RescoreJob.Status.DONE, timezone.now()
        job.save(update_fields=["status", "finished_at"])
        return False
    if compiled[0] is None:
        compiled[0] = compile_rule_set(job.rule_set, now=now)
    lo, hi = job.last_id + 1, min(job.last_id + batch_size, job.max_id)
    stamped: list[int] = []
    changed = _rescore_and_publish(compiled[0], rule_set_id=job.rule_set_id, lo=lo, hi=hi,
                                   reason=ScoreChange.Reason.PUBLISH, now=now, new_top=stamped)
    _mark_new_top_grade(top_grade=compiled[0].top_grade, lo=lo, hi=hi, now=now, stamped=stamped)
    scored = Lead.objects.filter(pk__gte=lo, pk__lte=hi).count()
    RescoreJob.objects.filter(pk=job.pk).update(last_id=hi, processed=F("processed") + scored,
                                                changed=F("changed") + changed, heartbeat_at=timezone.now())
    return True


# --- chunked rescore: id ranges claimed by any number of workers ------------------------------
# A large rescore is split into RescoreChunk rows (id ranges of LEADS_RESCORE_CHUNK_SIZE). Each
# worker claims the next pending chunk (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so two
# workers never claim the same one; SQLite has one writer and claims plainly), scores it in one
# transaction that holds the chunk's row lock and re-checks the claim, and marks it done there.
# A chunk whose worker died stays `running` with an old claimed_at and no lock: it is claimed
# again after LEADS_RESCORE_CHUNK_TIMEOUT seconds. Scoring a range twice gives the same result
# (every chunk scores as of the job's creation, and unchanged rows are not written), so a chunk
# that is reclaimed is safe. The job is `done` when every chunk is done, `failed` with its reason
# when a chunk fails or keeps being abandoned; its progress is chunks done / chunks.
_compiled_for_job: dict[int, CompiledScore] = {}  # per worker process: the rule set compiled once per job


def rescore_job_split(*, job: RescoreJob, chunk_size: int | None = None) -> int:
    """Split `job`'s id range (last_id+1 .. max_id) into chunks; returns their number."""
    size = chunk_size or settings.LEADS_RESCORE_CHUNK_SIZE
    los = range(job.last_id + 1, job.max_id + 1, size)
    RescoreChunk.objects.bulk_create(RescoreChunk(job=job, lo=lo, hi=min(lo + size - 1, job.max_id)) for lo in los)
    RescoreJob.objects.filter(pk=job.pk).update(chunks_total=len(los))
    job.chunks_total = len(los)
    return len(los)


def rescore_chunks_work(*, job_id: int, max_chunks: int | None = None, now=None) -> RescoreJob | None:
    """Claim and score chunks of `job_id` until none is left (or `max_chunks` were scored), then
    end the job `done` if every chunk is done. A non-transient error fails the job with the chunk's
    range and the error (rescore_job_fail: the previous rule set scores again)."""
    if not RescoreJob.objects.filter(pk=job_id).exists():
        return None
    started = timezone.now()
    RescoreJob.objects.filter(pk=job_id, status=RescoreJob.Status.PENDING).update(
        status=RescoreJob.Status.RUNNING, heartbeat_at=started)
    RescoreJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=started)
    scored = 0
    while max_chunks is None or scored < max_chunks:
        chunk = rescore_chunk_claim(job_id=job_id, now=now)
        if chunk is None:
            break
        try:
            rescore_chunk_run(chunk_id=chunk.pk, attempt=chunk.attempts)
        except TRANSIENT_ERRORS:
            raise  # the chunk stays claimed; it is claimed again after the timeout
        except Exception as exc:
            logger.exception("rescore job %s: chunk %s–%s failed", job_id, chunk.lo, chunk.hi)
            reason = _("Lead ids %(lo)s–%(hi)s: %(error)s") % {
                "lo": chunk.lo, "hi": chunk.hi, "error": f"{exc.__class__.__name__}: {exc}"}
            RescoreChunk.objects.filter(pk=chunk.pk, attempts=chunk.attempts).update(
                status=RescoreChunk.Status.FAILED, error=reason[:2000], finished_at=timezone.now())
            return rescore_job_fail(job_id=job_id, reason=reason)
        scored += 1
        if settings.LEADS_RESCORE_BATCH_PAUSE:
            time.sleep(settings.LEADS_RESCORE_BATCH_PAUSE)
    return rescore_job_finish_if_done(job_id=job_id)


@transaction.atomic
def rescore_chunk_claim(*, job_id: int, now=None) -> RescoreChunk | None:
    """Claim the next chunk of a live job: a pending one, or one claimed longer than
    LEADS_RESCORE_CHUNK_TIMEOUT ago whose worker holds no lock on it (it died). Commits at once so
    that other workers see it claimed. A chunk abandoned LEADS_JOB_MAX_ATTEMPTS times fails the job."""
    now = now or timezone.now()
    status = RescoreJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
    if status not in (RescoreJob.Status.PENDING, RescoreJob.Status.RUNNING):
        return None
    cutoff = now - timedelta(seconds=settings.LEADS_RESCORE_CHUNK_TIMEOUT)
    chunk = (RescoreChunk.objects.select_for_update(skip_locked=True, of=("self",)).filter(job_id=job_id)
             .filter(Q(status=RescoreChunk.Status.PENDING) | Q(status=RescoreChunk.Status.RUNNING, claimed_at__lt=cutoff))
             .order_by("lo").first())
    if chunk is None:
        return None
    if chunk.attempts >= settings.LEADS_JOB_MAX_ATTEMPTS:
        reason = _("Lead ids %(lo)s–%(hi)s were abandoned %(n)s times without finishing.") % {
            "lo": chunk.lo, "hi": chunk.hi, "n": chunk.attempts}
        chunk.status, chunk.error, chunk.finished_at = RescoreChunk.Status.FAILED, reason, now
        chunk.save(update_fields=["status", "error", "finished_at"])
        rescore_job_fail(job_id=job_id, reason=reason)
        return None
    if chunk.status == RescoreChunk.Status.RUNNING:
        logger.warning("rescore job %s: chunk %s–%s abandoned since %s, claimed again", job_id, chunk.lo, chunk.hi,
                       chunk.claimed_at)
    chunk.status, chunk.claimed_at, chunk.attempts = RescoreChunk.Status.RUNNING, now, chunk.attempts + 1
    chunk.save(update_fields=["status", "claimed_at", "attempts"])
    return chunk


@transaction.atomic
def rescore_chunk_run(*, chunk_id: int, attempt: int) -> bool:
    """Score one claimed chunk and mark it done, in one transaction holding the chunk's row lock
    (so a claim that timed out meanwhile waits, and then finds it done). False, writing nothing,
    when the claim is no longer ours (claimed again) or the job has ended or was superseded."""
    # the chunk row only (of="self"): the job row stays free for the other workers' chunks
    chunk = RescoreChunk.objects.select_for_update(of=("self",)).filter(
        pk=chunk_id, status=RescoreChunk.Status.RUNNING, attempts=attempt).order_by().first()
    if chunk is None:
        return False
    job = RescoreJob.objects.select_related("rule_set").get(pk=chunk.job_id)
    if job.status not in (RescoreJob.Status.PENDING, RescoreJob.Status.RUNNING):
        return False
    if job.rule_set.status != RuleSet.Status.PUBLISHED:
        RescoreJob.objects.filter(pk=job.pk, status__in=[RescoreJob.Status.PENDING, RescoreJob.Status.RUNNING]).update(
            status=RescoreJob.Status.FAILED, error=_("Superseded by a newer rule set."), finished_at=timezone.now())
        return False
    now = job.created_at  # every chunk, whichever worker and whenever, scores as of the same moment
    compiled = _compiled_for_job.get(job.pk)
    if compiled is None:
        _compiled_for_job.clear()  # one job at a time matters; keep the cache small
        compiled = _compiled_for_job[job.pk] = compile_rule_set(job.rule_set, now=now)
    stamped: list[int] = []
    changed = _rescore_and_publish(compiled, rule_set_id=job.rule_set_id, lo=chunk.lo, hi=chunk.hi,
                                   reason=ScoreChange.Reason.PUBLISH, now=now, new_top=stamped)
    _mark_new_top_grade(top_grade=compiled.top_grade, lo=chunk.lo, hi=chunk.hi, now=now, stamped=stamped)
    scored = Lead.objects.filter(pk__gte=chunk.lo, pk__lte=chunk.hi).count()
    finished = timezone.now()
    RescoreChunk.objects.filter(pk=chunk.pk).update(status=RescoreChunk.Status.DONE, processed=scored,
                                                    changed=changed, finished_at=finished)
    # last statement before commit: the job row is locked only briefly
    RescoreJob.objects.filter(pk=job.pk).update(chunks_done=F("chunks_done") + 1, processed=F("processed") + scored,
                                                changed=F("changed") + changed, heartbeat_at=finished)
    return True


@transaction.atomic
def rescore_job_finish_if_done(*, job_id: int) -> RescoreJob:
    """End a running chunked job `done` once every chunk is done. Each worker calls this after its
    last chunk committed, so whichever finishes last sees them all done."""
    job = RescoreJob.objects.select_for_update().get(pk=job_id)
    if job.status in (RescoreJob.Status.PENDING, RescoreJob.Status.RUNNING) and job.chunks_total and not (
            job.chunks.exclude(status=RescoreChunk.Status.DONE).exists()):
        job.status, job.finished_at, job.last_id = RescoreJob.Status.DONE, timezone.now(), job.max_id
        job.save(update_fields=["status", "finished_at", "last_id"])
    return job


@transaction.atomic
def rescore_job_fail(*, job_id: int, reason: str) -> RescoreJob:
    """End a job `failed` with its reason. The last good rule set keeps scoring: a failed publish
    job puts its set back to draft (to mend and publish again), publishes the previous set again
    and queues a job restoring the previous set's scores on the leads already rescored."""
    job = RescoreJob.objects.select_for_update().get(pk=job_id)
    if job.status in (RescoreJob.Status.DONE, RescoreJob.Status.FAILED):
        return job
    job.status, job.error, job.finished_at = RescoreJob.Status.FAILED, reason[:2000], timezone.now()
    rule_set = RuleSet.objects.select_for_update().get(pk=job.rule_set_id)
    previous = job.previous_rule_set
    if previous is not None and rule_set.status == RuleSet.Status.PUBLISHED:
        rule_set.status, rule_set.published_at, rule_set.published_by = RuleSet.Status.DRAFT, None, None
        rule_set.save(update_fields=["status", "published_at", "published_by"])
        RuleSet.objects.filter(pk=previous.pk).update(status=RuleSet.Status.PUBLISHED)
        _rescore_job_start(rule_set=previous, previous=None)
        job.error += " " + _("Rule set v%(new)s is a draft again; v%(old)s scores leads again.") % {
            "new": rule_set.version, "old": previous.version}
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def rescore_jobs_resume_stale(*, now=None) -> list[int]:
    """Periodic (beat): re-queue pending or running jobs silent for longer than
    LEADS_JOB_STALE_SECONDS (their worker died, or their message was lost), and fail those already
    resumed LEADS_JOB_MAX_ATTEMPTS times. A job inside a batch holds its row lock and is skipped."""
    from ..tasks import rescore_chunk_task, rescore_job_run_task

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.LEADS_JOB_STALE_SECONDS)
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    with transaction.atomic():
        stale = dict(RescoreJob.objects.select_for_update(skip_locked=True)
                     .filter(silent, status__in=[RescoreJob.Status.PENDING, RescoreJob.Status.RUNNING])
                     .values_list("pk", "attempts"))
        resume = [pk for pk, attempts in stale.items() if attempts < settings.LEADS_JOB_MAX_ATTEMPTS]
        RescoreJob.objects.filter(pk__in=resume).update(heartbeat_at=now, attempts=F("attempts") + 1)
    for pk in resume:
        logger.warning("rescore job %s is stale: re-queued", pk)
        left = RescoreChunk.objects.filter(job_id=pk).exclude(status=RescoreChunk.Status.DONE).count()
        if not left:
            enqueue(rescore_job_run_task, pk)
        for _i in range(left):  # a chunked job: one message per chunk left, for every worker to take
            enqueue(rescore_chunk_task, pk)
    for pk in set(stale) - set(resume):
        rescore_job_fail(job_id=pk, reason=_("Stopped after %(n)s restarts without finishing.") % {
            "n": settings.LEADS_JOB_MAX_ATTEMPTS})
    return resume


@transaction.atomic
def rule_set_save_draft(*, by, name: str, notes: str = "", attribute_rules: list[dict],
                        behaviour_rules: list[dict], grades: list[dict], rule_set: RuleSet | None = None) -> RuleSet:
    """Create a draft, or replace a draft's name, notes, rules and grades, validating everything.

    Behaviour rules name their event type by code. Raises ValidationError (nothing saved) when a
    rule or the grades are invalid, or when `rule_set` is not a draft.
    """
    from ..models import BehaviourRule, EventType, GradeBand

    if rule_set is None:
        rule_set = RuleSet(version=rule_set_next_version(), created_by=by)
    elif not RuleSet.objects.select_for_update().get(pk=rule_set.pk).is_editable:
        raise ValidationError(_("Published and archived rule sets cannot be changed; copy them as a new draft."))
    rule_set.name, rule_set.notes = name, notes
    rule_set.full_clean(exclude=["version"])
    rule_set.save()
    rule_set.attribute_rules.all().delete()
    rule_set.behaviour_rules.all().delete()
    rule_set.grades.all().delete()
    types = {t.code: t for t in EventType.objects.all()}
    errors = {}
    if max(len(attribute_rules), len(behaviour_rules)) > scoring.MAX_RULES:
        raise ValidationError(TOO_MANY_RULES())
    for i, data in enumerate(attribute_rules):
        rule = AttributeRule(rule_set=rule_set, **data)
        try:
            rule.full_clean(exclude=["rule_set"])
            rule.save()
        except ValidationError as exc:
            errors[f"attribute_rules[{i}]"] = exc.messages
    for i, data in enumerate(behaviour_rules):
        data = dict(data)
        event_type = types.get(data.pop("event_type", None))
        if event_type is None:
            errors[f"behaviour_rules[{i}]"] = [_("Unknown event type.")]
            continue
        rule = BehaviourRule(rule_set=rule_set, event_type=event_type, **data)
        try:
            rule.full_clean(exclude=["rule_set"])
            rule.save()
        except ValidationError as exc:
            errors[f"behaviour_rules[{i}]"] = exc.messages
    problems = scoring.grade_errors([scoring.Grade(g.get("name", ""), g.get("lower_bound")) for g in grades])
    if problems:
        errors["grades"] = [GRADE_MESSAGES[code]() for code in problems]
    else:
        for data in grades:
            grade = GradeBand(rule_set=rule_set, name=data["name"].strip(), lower_bound=data.get("lower_bound"))
            try:
                grade.full_clean(exclude=["rule_set"])
                grade.save()
            except ValidationError as exc:
                errors.setdefault("grades", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return rule_set


# --- backtest ---------------------------------------------------------------------------------
def _backtest_scope(*, user):
    """(lead queryset, SQL condition on `s.id`, its params): the leads `user` may see (marketing and
    admins all; a manager their team's). The condition is empty when the scope is every lead."""
    if not can_backtest_scoring(user):
        raise PermissionDenied(_("Only marketing, managers and administrators run backtests."))
    scoped = lead_queryset_for(user=user)
    if not scoped.query.where:
        return scoped, "", []
    sql, params = scoped.order_by().values("pk").query.sql_with_params()
    return scoped, f" AND s.id IN ({sql})", list(params)


def rule_set_backtest(*, rule_set: RuleSet, user, sample_size: int = 20, now=None) -> dict:
    """How grades would shift over the leads `user` may see under `rule_set`, and how each grade
    converted. Counts, rates and the sample cover only those leads (teams.predicates decides who
    may backtest, leads.selectors which leads they see).

    Returns {"total", "grades": [{grade, current, proposed, converted, won, conversion_rate,
    win_rate}], "moves": [{from, to, count}], "sample": [{id, name, old_score, score, old_grade,
    new_grade}]} — rates are shares of the proposed grade's leads (None when it has none).
    """
    scoped, scope_sql, scope_params = _backtest_scope(user=user)
    now = now or timezone.now()
    compiled = compile_rule_set(rule_set, now=now)
    bounds = scoped.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return {"total": 0, "grades": [], "moves": [], "sample": []}
    params = _bind(compiled.params, bounds["lo"], bounds["hi"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.old_grade, s.new_grade, COUNT(*),"
            # converted or won here, or per an imported source (imported history, leads.services.imports)
            " SUM(CASE WHEN s.converted_at IS NOT NULL OR s.imported_converted THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN s.won_at IS NOT NULL OR s.imported_converted THEN 1 ELSE 0 END)"
            f" FROM ({compiled.sql}) s WHERE 1 = 1{scope_sql} GROUP BY s.old_grade, s.new_grade",
            [*params, *scope_params])
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT s.id, s.old_score, s.score, s.old_grade, s.new_grade FROM ({compiled.sql}) s"
            f" WHERE s.old_grade <> s.new_grade{scope_sql} ORDER BY s.id LIMIT %s",
            [*params, *scope_params, sample_size])
        sample_rows = cursor.fetchall()
    spec = rule_set_spec(rule_set)
    names = [g.name for g in spec.ordered_grades]
    stats = {name: {"grade": name, "current": 0, "proposed": 0, "converted": 0, "won": 0} for name in names}
    moves = []
    for old, new, count, converted, won in rows:
        stats.setdefault(old or "", {"grade": old or "", "current": 0, "proposed": 0, "converted": 0, "won": 0})
        stats[old or ""]["current"] += count
        stats[new]["proposed"] += count
        stats[new]["converted"] += converted or 0
        stats[new]["won"] += won or 0
        if old != new:
            moves.append({"from": old or "", "to": new, "count": count})
    for row in stats.values():
        row["conversion_rate"] = row["converted"] / row["proposed"] if row["proposed"] else None
        row["win_rate"] = row["won"] / row["proposed"] if row["proposed"] else None
        row["conversion_pct"] = None if row["conversion_rate"] is None else round(100 * row["conversion_rate"], 1)
        row["win_pct"] = None if row["win_rate"] is None else round(100 * row["win_rate"], 1)
    lead_names = dict(Lead.objects.filter(pk__in=[r[0] for r in sample_rows]).values_list("pk", "name"))
    return {
        "total": sum(r[2] for r in rows),
        "grades": [stats[name] for name in names] + [v for k, v in stats.items() if k not in names],
        "moves": sorted(moves, key=lambda m: -m["count"]),
        "sample": [{"id": i, "name": lead_names.get(i, ""), "old_score": os, "score": s, "old_grade": og or "",
                    "new_grade": ng} for i, os, s, og, ng in sample_rows],
    }
