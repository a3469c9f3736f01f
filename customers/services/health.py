"""Health recompute (set-based SQL), recompute jobs, and the writes to health models.

The definition of a score lives in customers.health (pure Python). Here the same definition is
compiled to one SQL statement per health model: CTEs reduce usage events, tickets, contracts, survey
responses and activities per account, the outer SELECTs compute each component's value, sub-score,
normalised weight and contribution, the score and the band, and the result is upserted into
AccountHealth (INSERT … ON CONFLICT, PostgreSQL and SQLite alike) with today's history row.
Parameters never reach the SQL text. tests/customers/test_health_sql.py checks SQL and Python agree.

Requests to recompute (new usage, tickets, answers…) arrive through health_recompute_later(), which
queues a bounded task after commit; the nightly job recomputes every account anyway, so a request
lost with the broker costs at most a day's freshness.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.queue import enqueue, enqueue_on_commit
from teams.predicates import can_manage_health_models

from .. import health as rules
from ..models import (
    Account, AccountHealth, HealthBand, HealthComponent, HealthModel, HealthRecomputeJob, HealthScoreHistory,
)

logger = logging.getLogger(__name__)

ON_DEMAND_CHUNK = 500          # accounts per on-demand task (bounded work per message)
MAX_ON_DEMAND = 10_000         # ids per health_recompute_later call; more waits for the nightly job


# --- on demand ----------------------------------------------------------------------------------
def health_recompute_later(account_ids: Iterable[int]) -> None:
    """Ask for the health of `account_ids` to be recomputed after the current transaction commits
    (bounded chunks of ON_DEMAND_CHUNK accounts per task)."""
    from ..tasks import health_recompute_accounts_task

    ids = sorted({int(i) for i in account_ids if i is not None})[:MAX_ON_DEMAND]
    for start in range(0, len(ids), ON_DEMAND_CHUNK):
        enqueue_on_commit(health_recompute_accounts_task, ids[start:start + ON_DEMAND_CHUNK])


def health_recompute_accounts(*, account_ids: Iterable[int], now: datetime | None = None) -> int:
    """Recompute the health of these accounts now (one statement per active model). Returns the
    number of accounts written."""
    ids = sorted({int(i) for i in account_ids})
    if not ids:
        return 0
    with transaction.atomic():
        return _recompute_all(_Filter.ids(ids), now=now or timezone.now())


def health_recompute_range(*, lo: int, hi: int, now: datetime | None = None) -> int:
    """Recompute accounts with lo <= id <= hi (one statement per active model)."""
    with transaction.atomic():
        return _recompute_all(_Filter.range(lo, hi), now=now or timezone.now())


# --- compiling a model to SQL -------------------------------------------------------------------
@dataclass(frozen=True)
class _Filter:
    """Which accounts a statement covers: an id range or an explicit list of ids."""

    lo: int | None = None
    hi: int | None = None
    id_list: tuple[int, ...] = ()

    @classmethod
    def range(cls, lo, hi):
        return cls(lo=lo, hi=hi)

    @classmethod
    def ids(cls, ids):
        return cls(id_list=tuple(ids))

    def sql(self, column: str) -> tuple[str, list]:
        if self.id_list:
            return f"{column} IN ({', '.join(['%s'] * len(self.id_list))})", list(self.id_list)
        return f"{column} >= %s AND {column} <= %s", [self.lo, self.hi]


@dataclass
class ModelSpec:
    id: int
    components: list[rules.Component]
    bands: list[rules.Band]


def active_models() -> list[HealthModel]:
    return list(HealthModel.objects.filter(is_active=True).prefetch_related("components", "bands")
                .order_by("-priority", "id"))


def model_spec(model: HealthModel) -> ModelSpec:
    components = [rules.Component(c.code, c.weight, dict(c.parameters or {}))
                  for c in sorted(model.components.all(), key=lambda c: c.pk)]
    bands = [rules.Band(b.code, b.min, b.max) for b in model.bands.all()]
    return ModelSpec(id=model.pk, components=components, bands=bands)


def segments(models: Iterable[HealthModel]) -> list[rules.Segment]:
    return [rules.Segment(m.pk, m.segment, m.onboarding_days, m.priority) for m in models]


class _Sql:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.float = "double precision" if self.pg else "REAL"
        self.greatest = "GREATEST" if self.pg else "MAX"
        self.least = "LEAST" if self.pg else "MIN"
        self.json_array = "jsonb_build_array" if self.pg else "json_array"

    def num(self, placeholder: str = "%s") -> str:
        return f"CAST({placeholder} AS {self.float})"

    def day(self, column: str) -> str:
        """The UTC calendar day of a timestamp column."""
        return f"CAST(({column} AT TIME ZONE 'UTC') AS date)" if self.pg else f"DATE({column})"

    def days_between(self, later_date: str, earlier_date: str) -> str:
        if self.pg:
            return f"({later_date} - {earlier_date})"
        return f"CAST(julianday({later_date}) - julianday({earlier_date}) AS INTEGER)"

    def date_param(self) -> str:
        return "CAST(%s AS date)" if self.pg else "%s"

    def floor(self, expr: str) -> str:
        return f"FLOOR({expr})" if self.pg else f"CAST({expr} AS INTEGER)"  # expr ≥ 0 here

    def round4(self, expr: str) -> str:
        """As stored in the explanation: full floats (rounding to numeric costs more than the rest of the
        projection on PostgreSQL; the page and the API round for display)."""
        return expr

    def clamp(self, expr: str) -> str:
        """Between 0 and 100. Only for non-null expressions: PostgreSQL's GREATEST/LEAST skip NULLs,
        SQLite's MAX/MIN answer NULL."""
        return f"{self.greatest}({self.num()}, {self.least}({self.num()}, {expr}))"


def _ts(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _dt(value: date):
    return connection.ops.adapt_datefield_value(value)


def model_assignment_sql(segs: list[rules.Segment], *, today: date, q: _Sql) -> tuple[str, list]:
    """CASE choosing each account's model id (rules.pick_model in SQL); needs `a` (account) and
    `fc.first_start` (its first contract's start)."""
    since = f"COALESCE(fc.first_start, {q.day('a.created_at')})"
    sql, params = "CASE WHEN 1 = 0 THEN NULL", []
    for s in rules.ordered_segments(segs):
        if s.segment == "default":
            sql += " WHEN 1 = 1 THEN %s"
            params.append(s.model_id)
            break
        sql += f" WHEN {since} > {q.date_param()} THEN %s"
        params += [_dt(today - timedelta(days=s.onboarding_days)), s.model_id]
    return sql + " ELSE NULL END", params


def compile_model(spec: ModelSpec, segs: list[rules.Segment], accounts: _Filter, *, now: datetime,
                  narrow: bool = True) -> tuple[str, list]:
    """SELECT account_id, score, band, components (JSON) for the accounts `accounts` that `spec`'s
    model scores. Placeholders are filled in text order (params follow the pieces as built).

    `narrow`: read the signal tables only for this model's accounts (a semi-join on `acc`, index
    lookups per account): right for a model scoring a few of the accounts (onboarding), wrong for the
    one scoring most (the planner cannot estimate the segment CASE, and loops where it should scan)."""
    mine = _mine if narrow else (lambda accounts, column: accounts.sql(column))
    q = _Sql()
    today = now.astimezone(UTC).date()
    by_code = {c.code: c for c in spec.components}
    ctes: list[tuple[str, str, list]] = []  # (name, sql, params)
    joins: list[str] = []

    a_filter, a_params = accounts.sql("a.id")
    assign_sql, assign_params = model_assignment_sql(segs, today=today, q=q)
    fc_filter, fc_params = accounts.sql("c.account_id")
    ctes.append(("fc", f"SELECT c.account_id, MIN(c.start) AS first_start FROM customers_contract c"
                       f" WHERE {fc_filter} GROUP BY c.account_id", fc_params))
    ctes.append(("acc", f"SELECT a.id FROM customers_account a LEFT JOIN fc ON fc.account_id = a.id"
                        f" WHERE {a_filter} AND ({assign_sql}) = %s", [*a_params, *assign_params, spec.id]))

    values: dict[str, tuple[str, list]] = {}  # code -> (value expression, params)
    if c := by_code.get(rules.USAGE_FREQUENCY):
        f, p = mine(accounts, "e.account_id")
        ctes.append(("u", f"SELECT e.account_id, COUNT(DISTINCT CASE WHEN e.occurred_at >= %s"
                          f" THEN {q.day('e.occurred_at')} END) AS active_days FROM customers_usageevent e"
                          f" WHERE {f} AND e.occurred_at <= %s GROUP BY e.account_id",
                     [_ts(now - timedelta(days=c.param("window_days"))), *p, _ts(now)]))
        joins.append("LEFT JOIN u ON u.account_id = acc.id")
        values[c.code] = (f"CASE WHEN u.account_id IS NOT NULL THEN CAST(u.active_days AS {q.float}) END", [])
    if c := by_code.get(rules.SUPPORT_LOAD):
        f, p = mine(accounts, "t.account_id")
        ctes.append(("t", "SELECT t.account_id, SUM(CASE WHEN t.opened_at >= %s THEN CASE WHEN t.priority IN"
                          " ('high', 'urgent') THEN %s ELSE 1 END ELSE 0 END) AS weighted FROM customers_ticket t"
                          f" WHERE {f} AND t.opened_at <= %s GROUP BY t.account_id",
                     [_ts(now - timedelta(days=c.param("window_days"))), c.param("high_priority_weight"), *p,
                      _ts(now)]))
        joins.append("LEFT JOIN t ON t.account_id = acc.id")
        values[c.code] = (f"CASE WHEN t.account_id IS NOT NULL THEN CAST(t.weighted AS {q.float}) END", [])
    if c := by_code.get(rules.RENEWAL_INTENT):
        f, p = mine(accounts, "k.account_id")
        since = (now - timedelta(days=c.param("window_days"))).astimezone(UTC).date()
        ctes.append(("k", "SELECT k.account_id, AVG(CAST(CASE WHEN k.outcome IN ('renewed', 'expanded') THEN 100"
                          " WHEN k.outcome = 'contracted' THEN %s WHEN k.outcome = 'churned' THEN 0"
                          " WHEN k.status = 'active' THEN %s ELSE 0 END AS " + q.float + ")) AS points"
                          f" FROM customers_contract k WHERE {f} AND (k.\"end\" IS NULL OR k.\"end\" >= {q.date_param()})"
                          " GROUP BY k.account_id",
                     [c.param("contracted_score"), c.param("pending_score"), *p, _dt(since)]))
        joins.append("LEFT JOIN k ON k.account_id = acc.id")
        values[c.code] = ("k.points", [])
    survey = [by_code[code] for code in (rules.NPS, rules.CSAT) if code in by_code]
    if survey:
        f, p = mine(accounts, "r.account_id")
        columns, col_params = [], []
        for c in survey:
            columns.append(f"AVG(CASE WHEN r.kind = %s AND r.responded_at >= %s THEN CAST(r.score AS {q.float})"
                           f" END) AS {c.code}_avg")
            col_params += [c.code, _ts(now - timedelta(days=c.param("window_days")))]
        oldest = now - timedelta(days=max(c.param("window_days") for c in survey))
        ctes.append(("s", f"SELECT r.account_id, {', '.join(columns)} FROM customers_surveyresponse r"
                          f" WHERE {f} AND r.responded_at >= %s AND r.responded_at <= %s GROUP BY r.account_id",
                     [*col_params, *p, _ts(oldest), _ts(now)]))
        joins.append("LEFT JOIN s ON s.account_id = acc.id")
        for c in survey:
            values[c.code] = (f"s.{c.code}_avg", [])
    if c := by_code.get(rules.ENGAGEMENT_RECENCY):
        f, p = mine(accounts, "v.account_id")
        ctes.append(("v", f"SELECT v.account_id, MAX(v.occurred_at) AS last_at FROM customers_activity v"
                          f" WHERE {f} AND v.occurred_at <= %s GROUP BY v.account_id", [*p, _ts(now)]))
        joins.append("LEFT JOIN v ON v.account_id = acc.id")
        days = q.days_between(q.date_param(), q.day("v.last_at"))
        values[c.code] = (f"CASE WHEN v.account_id IS NOT NULL THEN CAST({q.greatest}(0, {days}) AS {q.float}) END",
                          [_dt(today)])

    # x: values per component (v0..vn); y: sub-scores (s0..sn); z: present weight and weighted sum
    n = len(spec.components)
    x_cols, x_params = [], []
    for i, c in enumerate(spec.components):
        expr, p = values[c.code]
        x_cols.append(f"{expr} AS v{i}")
        x_params += p
    y_cols, y_params = [], []
    for i, c in enumerate(spec.components):
        expr, p = _sub_score_sql(c, f"x.v{i}", q)
        y_cols.append(f"CASE WHEN x.v{i} IS NULL THEN NULL ELSE {expr} END AS s{i}")
        y_params += p
    w_sql = " + ".join(f"CASE WHEN y.v{i} IS NULL THEN 0 ELSE %s END" for i in range(n))
    w_params = [c.weight for c in spec.components]
    ws_sql = " + ".join(f"CASE WHEN y.v{i} IS NULL THEN {q.num()} ELSE y.s{i} * %s END" for i in range(n))
    ws_params = [p for c in spec.components for p in (0.0, c.weight)]
    parts, part_params = [], []
    for i, c in enumerate(spec.components):
        parts.append(f"{q.json_array}(%s, {q.round4(f'z.v{i}')}, {q.round4(f'z.s{i}')}, %s,"
                     f" {q.round4(f'CASE WHEN z.v{i} IS NULL THEN 0 ELSE {q.num()} / z.w END')},"
                     f" {q.round4(f'CASE WHEN z.v{i} IS NULL THEN 0 ELSE z.s{i} * %s / z.w END')})")
        part_params += [c.code, c.weight, c.weight, c.weight]
    band_sql, band_params = "CASE WHEN 1 = 0 THEN ''", []
    for b in spec.bands:
        band_sql += " WHEN sc.score >= %s AND sc.score <= %s THEN %s"
        band_params += [b.min, b.max, b.code]
    band_sql += " ELSE '' END"

    with_sql = "WITH " + ", ".join(f"{name} AS ({sql})" for name, sql, _p in ctes)
    with_params = [p for _n, _s, ps in ctes for p in ps]
    x_sql = f"SELECT acc.id, {', '.join(x_cols)} FROM acc {' '.join(joins)}"
    # PostgreSQL flattens nested subqueries and would then evaluate every sub-score once per use
    # (weighted sum, explanation, contribution): OFFSET 0 keeps each level computed once.
    fence = " OFFSET 0" if q.pg else ""
    y_sql = f"SELECT x.*, {', '.join(y_cols)} FROM ({x_sql}{fence}) x"
    z_sql = f"SELECT y.*, ({w_sql}) AS w, ({ws_sql}) AS ws FROM ({y_sql}{fence}) y"
    sc_sql = (f"SELECT z.*, CASE WHEN z.w > 0 THEN {q.floor('z.ws / z.w + 0.5')} END AS score,"
              f" {q.json_array}({', '.join(parts)}) AS parts FROM ({z_sql}{fence}) z")
    sql = f"{with_sql} SELECT sc.id AS account_id, sc.score, {band_sql} AS band, sc.parts FROM ({sc_sql}) sc"
    params = [*with_params, *band_params, *part_params, *w_params, *ws_params, *y_params, *x_params]
    return sql, params


def _mine(accounts: _Filter, column: str) -> tuple[str, list]:
    """The rows of the accounts this statement covers that this model scores (`acc`): the id filter
    lets the planner use the (account, …) indexes, the semi-join skips the other models' accounts."""
    f, p = accounts.sql(column)
    return f"{f} AND {column} IN (SELECT acc.id FROM acc)", p


def _sub_score_sql(c: rules.Component, v: str, q: _Sql) -> tuple[str, list]:
    """rules.sub_score in SQL (same arithmetic order)."""
    hundred = q.num()
    if c.code == rules.USAGE_FREQUENCY:
        return q.clamp(f"{v} * {hundred} / %s"), [0.0, 100.0, 100.0, c.param("target_days")]
    if c.code == rules.SUPPORT_LOAD:
        return q.clamp(f"{hundred} - {v} * {hundred} / %s"), [0.0, 100.0, 100.0, 100.0, c.param("max_tickets")]
    if c.code == rules.RENEWAL_INTENT:
        return q.clamp(v), [0.0, 100.0]
    if c.code == rules.NPS:
        return q.clamp(f"{v} * {q.num()}"), [0.0, 100.0, 10.0]
    if c.code == rules.CSAT:
        return q.clamp(f"({v} - {q.num()}) * {q.num()}"), [0.0, 100.0, 1.0, 25.0]
    if c.code == rules.ENGAGEMENT_RECENCY:
        return q.clamp(f"{hundred} - {v} * {hundred} / %s"), [0.0, 100.0, 100.0, 100.0, c.param("max_days")]
    raise ValueError(c.code)


NARROW_BELOW_SHARE = 0.3  # a model scoring less than this share of a batch reads only its accounts' rows


def _assignment_shares(segs: list[rules.Segment], accounts: _Filter, *, now: datetime) -> dict[int, float]:
    """{model id: share of the covered accounts it scores} (one cheap query over accounts and contracts)."""
    q = _Sql()
    assign_sql, assign_params = model_assignment_sql(segs, today=now.astimezone(UTC).date(), q=q)
    a_filter, a_params = accounts.sql("a.id")
    fc_filter, fc_params = accounts.sql("c.account_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m, COUNT(*) FROM (SELECT ({assign_sql}) AS m FROM customers_account a LEFT JOIN"
            f" (SELECT c.account_id, MIN(c.start) AS first_start FROM customers_contract c WHERE {fc_filter}"
            f" GROUP BY c.account_id) fc ON fc.account_id = a.id WHERE {a_filter}) x GROUP BY m",
            [*assign_params, *fc_params, *a_params])
        counts = dict(cursor.fetchall())
    total = sum(counts.values()) or 1
    return {m: n / total for m, n in counts.items() if m is not None}


def _recompute_all(accounts: _Filter, *, now: datetime) -> int:
    """Every active model's statement over `accounts` (each scores the accounts its segment takes)."""
    models = active_models()
    segs = segments(models)
    shares = _assignment_shares(segs, accounts, now=now)
    return sum(_recompute(model, accounts, now=now, segs=segs, share=shares.get(model.pk, 0.0)) for model in models)


def _recompute(model: HealthModel, accounts: _Filter, *, now: datetime, segs: list[rules.Segment], share: float) -> int:
    """Upsert AccountHealth and today's history for the accounts `model` scores. Returns rows written."""
    spec = model_spec(model)
    if not spec.components or share == 0.0:
        return 0
    sql, params = compile_model(spec, segs, accounts, now=now, narrow=share < NARROW_BELOW_SHARE)
    q = _Sql()
    parts = "r.parts"
    when, today = _ts(now), now.astimezone(UTC).date()
    upsert = ("INSERT INTO customers_accounthealth (account_id, score, band, model_id, components, computed_at)"
              f" SELECT r.account_id, r.score, r.band, %s, {parts}, %s FROM ({sql}) r WHERE 1 = 1"
              " ON CONFLICT (account_id) DO UPDATE SET score = excluded.score, band = excluded.band,"
              " previous_band = customers_accounthealth.band,"
              " model_id = excluded.model_id, components = excluded.components, computed_at = excluded.computed_at")
    history = ("INSERT INTO customers_healthscorehistory (account_id, day, score, band, model_id)"
               " SELECT h.account_id, %s, h.score, h.band, h.model_id FROM {source} h{where}"
               " ON CONFLICT (account_id, day) DO UPDATE SET score = excluded.score, band = excluded.band,"
               " model_id = excluded.model_id")
    with connection.cursor() as cursor:
        if q.pg:  # one statement: the upserted rows feed today's history directly
            cursor.execute(f"WITH h AS ({upsert} RETURNING account_id, score, band, model_id) "
                           + history.format(source="h", where=""), [model.pk, when, *params, _dt(today)])
            written = cursor.rowcount
        else:
            cursor.execute(upsert, [model.pk, when, *params])
            written = cursor.rowcount
            f, p = accounts.sql("h.account_id")
            cursor.execute(history.format(source="customers_accounthealth",
                                          where=f" WHERE {f} AND h.model_id = %s AND h.computed_at = %s"),
                           [_dt(today), *p, model.pk, when])
    _publish_band_changes(model=model, now=now)
    return written


def _publish_band_changes(*, model: HealthModel, now: datetime) -> None:
    """"account.health_band_changed" for the accounts this recompute moved to another band (a first
    band is not a change), set-based: one INSERT ... SELECT."""
    from django.db.models import F
    from django.db.models.functions import JSONObject

    from integrations.events import publish_rows

    rows = (AccountHealth.objects.filter(model=model, computed_at=now).exclude(previous_band="")
            .exclude(band=F("previous_band")))
    publish_rows("account.health_band_changed", rows, object_id="account_id", owner_id="account__owner_id",
                 payload=JSONObject(account=F("account_id"), band=F("band"), previous_band=F("previous_band"),
                                    score=F("score")))


# --- the Python reference (tests; explains one account without SQL) ----------------------------------
def account_health_reference(*, account: Account, now: datetime) -> tuple[int | None, rules.Health | None]:
    """(model id, health) for one account computed in Python from its rows: the reference the SQL
    must agree with. Reads the rows with the ORM (a few queries)."""
    models_ = active_models()
    first = account.contracts.aggregate(first=Min("start"))["first"]
    since = first or account.created_at.astimezone(UTC).date()
    model_id = rules.pick_model(segments(models_), customer_since=since, today=now.astimezone(UTC).date())
    if model_id is None:
        return None, None
    model = next(m for m in models_ if m.pk == model_id)
    spec = model_spec(model)
    inputs = rules.inputs_from_rows(
        rules.Model(tuple(spec.components), tuple(spec.bands)), now=now,
        usage=[t.astimezone(UTC) for t in account.usage_events.values_list("occurred_at", flat=True)],
        tickets=list(account.tickets.values_list("opened_at", "priority")),
        contracts=list(account.contracts.values_list("end", "status", "outcome")),
        nps=list(account.survey_responses.filter(kind="nps").values_list("responded_at", "score")),
        csat=list(account.survey_responses.filter(kind="csat").values_list("responded_at", "score")),
        activities=list(account.activities.values_list("occurred_at", flat=True)),
    )
    return model_id, rules.compute(rules.Model(tuple(spec.components), tuple(spec.bands)), inputs)


# --- recompute jobs (nightly; bounded and resumable) -----------------------------------------------
TRANSIENT_ERRORS = (OperationalError, InterfaceError, SoftTimeLimitExceeded)


def health_recompute_job_start(*, now: datetime | None = None) -> HealthRecomputeJob:
    """A job recomputing every account (once a day: an unfinished job of today is reused)."""
    from ..tasks import health_recompute_job_run_task

    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    with transaction.atomic():
        job = (HealthRecomputeJob.objects.select_for_update()
               .filter(day=today, status__in=[HealthRecomputeJob.Status.PENDING, HealthRecomputeJob.Status.RUNNING])
               .first())
        if job is None:
            bounds = Account.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
            job = HealthRecomputeJob.objects.create(day=today, last_id=(bounds["lo"] or 1) - 1,
                                                    max_id=bounds["hi"] or 0)
        enqueue_on_commit(health_recompute_job_run_task, job.pk)
    return job


def health_recompute_job_run(*, job_id: int, batch_size: int | None = None) -> HealthRecomputeJob | None:
    """Run (or resume) a recompute job batch by batch; each batch commits with the job's progress,
    so a job killed halfway resumes where it stopped. A non-transient error fails the job with its
    reason."""
    batch_size = batch_size or settings.HEALTH_RECOMPUTE_BATCH_SIZE
    if not HealthRecomputeJob.objects.filter(pk=job_id).exists():
        return None
    HealthRecomputeJob.objects.filter(
        pk=job_id, status__in=[HealthRecomputeJob.Status.PENDING, HealthRecomputeJob.Status.RUNNING]).update(
        status=HealthRecomputeJob.Status.RUNNING, heartbeat_at=timezone.now())
    HealthRecomputeJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=timezone.now())
    now = timezone.now()
    try:
        while _job_step(job_id=job_id, batch_size=batch_size, now=now):
            pass
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # a property of this job: record it
        logger.exception("health recompute job %s failed", job_id)
        HealthRecomputeJob.objects.filter(pk=job_id).update(
            status=HealthRecomputeJob.Status.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000],
            finished_at=timezone.now())
    return HealthRecomputeJob.objects.get(pk=job_id)


@transaction.atomic
def _job_step(*, job_id: int, batch_size: int, now: datetime) -> bool:
    job = HealthRecomputeJob.objects.select_for_update().get(pk=job_id)
    if job.status != HealthRecomputeJob.Status.RUNNING:
        return False
    if job.last_id >= job.max_id:
        job.status, job.finished_at = HealthRecomputeJob.Status.DONE, timezone.now()
        job.save(update_fields=["status", "finished_at"])
        return False
    lo, hi = job.last_id + 1, min(job.last_id + batch_size, job.max_id)
    written = health_recompute_range(lo=lo, hi=hi, now=now)
    HealthRecomputeJob.objects.filter(pk=job.pk).update(last_id=hi, processed=F("processed") + written,
                                                        heartbeat_at=timezone.now())
    return True


def health_jobs_resume_stale(*, now: datetime | None = None) -> list[int]:
    """Re-queue running or pending jobs silent for longer than HEALTH_JOB_STALE_SECONDS; fail those
    resumed HEALTH_JOB_MAX_ATTEMPTS times already."""
    from ..tasks import health_recompute_job_run_task

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.HEALTH_JOB_STALE_SECONDS)
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    active = [HealthRecomputeJob.Status.PENDING, HealthRecomputeJob.Status.RUNNING]
    with transaction.atomic():
        stale = dict(HealthRecomputeJob.objects.select_for_update(skip_locked=True).filter(silent, status__in=active)
                     .values_list("pk", "attempts"))
        resume = [pk for pk, attempts in stale.items() if attempts < settings.HEALTH_JOB_MAX_ATTEMPTS]
        HealthRecomputeJob.objects.filter(pk__in=resume).update(heartbeat_at=now, attempts=F("attempts") + 1)
        HealthRecomputeJob.objects.filter(pk__in=set(stale) - set(resume)).update(
            status=HealthRecomputeJob.Status.FAILED, finished_at=now,
            error=_("Stopped after %(n)s restarts without finishing.") % {"n": settings.HEALTH_JOB_MAX_ATTEMPTS})
    for pk in resume:
        enqueue(health_recompute_job_run_task, pk)
    return resume


# --- health models: the one door for writes ---------------------------------------------------------
PARAMETER_MESSAGES = {
    "unknown_component": lambda name: _("Unknown component."),
    "parameters_not_object": lambda name: _("Parameters must be an object of whole numbers."),
    "unknown_parameter": lambda name: _("Unknown parameter “%(name)s”.") % {"name": name},
    "not_whole_number": lambda name: _("Parameter “%(name)s” must be a whole number.") % {"name": name},
    "out_of_bounds": lambda name: _("Parameter “%(name)s” is out of bounds.") % {"name": name},
}
BAND_MESSAGES = {
    "no_bands": lambda: _("Define the bands."),
    "unknown_band": lambda: _("Bands are healthy, at risk and critical."),
    "duplicate_band": lambda: _("Each band may appear once."),
    "bad_range": lambda: _("A band runs from a lower to a higher score, within 0–100."),
    "gap_or_overlap": lambda: _("Bands must cover 0–100 without gaps or overlaps."),
    "not_covering": lambda: _("Bands must cover 0–100 without gaps or overlaps."),
}


def _parameter_messages(code: str, parameters) -> list[str]:
    messages = []
    for problem in rules.parameter_errors(code, parameters):
        kind, _sep, name = problem.partition(":")
        messages.append(PARAMETER_MESSAGES[kind](name))
    return messages


def health_model_validate(*, components: list[dict], bands: list[dict]) -> None:
    """Raise ValidationError listing every problem with these components and bands."""
    errors: dict[str, list[str]] = {}
    if not components:
        errors["components"] = [_("A health model needs at least one component.")]
    codes = [c.get("code") for c in components]
    if len(set(codes)) != len(codes):
        errors.setdefault("components", []).append(_("Each component may appear once."))
    for i, c in enumerate(components):
        problems = []
        if c.get("code") not in rules.COMPONENTS:
            problems.append(_("Unknown component."))
        else:
            problems += _parameter_messages(c["code"], c.get("parameters", {}))
        weight = c.get("weight")
        if not isinstance(weight, int) or isinstance(weight, bool) or not 0 < weight <= rules.MAX_WEIGHT:
            problems.append(_("A weight is a whole number from 1 to %(max)s.") % {"max": rules.MAX_WEIGHT})
        if problems:
            errors[f"components[{i}]"] = problems
    try:
        band_specs = [rules.Band(b["code"], int(b["min"]), int(b["max"])) for b in bands]
    except (KeyError, TypeError, ValueError):
        errors["bands"] = [_("Each band needs a code, a lower and an upper score.")]
    else:
        problems = rules.band_errors(band_specs)
        if problems:
            errors["bands"] = list(dict.fromkeys(BAND_MESSAGES[p]() for p in problems))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def health_model_save(*, by, name: str, segment: str = HealthModel.Segment.DEFAULT, onboarding_days: int = 90,
                      is_active: bool = True, priority: int = 0, components: list[dict] | None = None,
                      bands: list[dict] | None = None, model: HealthModel | None = None) -> HealthModel:
    """Create a health model, or replace an existing one's fields, components and bands (all validated
    first: nothing is saved when anything is wrong). Accounts are rescored by the next recompute."""
    if not can_manage_health_models(by):
        raise PermissionDenied(_("Only customer success and administrators change health models."))
    if model is None:
        model = HealthModel()
        components = components if components is not None else [
            {"code": code, "weight": w} for code, w in rules.DEFAULT_WEIGHTS.items()]
        bands = bands if bands is not None else [{"code": c, "min": lo, "max": hi} for c, lo, hi in rules.DEFAULT_BANDS]
    else:
        model = HealthModel.objects.select_for_update().get(pk=model.pk)
    current_components = [{"code": c.code, "weight": c.weight, "parameters": c.parameters}
                          for c in model.components.all()] if model.pk else []
    current_bands = [{"code": b.code, "min": b.min, "max": b.max} for b in model.bands.all()] if model.pk else []
    components = current_components if components is None else components
    bands = current_bands if bands is None else bands
    model.name, model.segment, model.onboarding_days = name, segment, onboarding_days
    model.is_active, model.priority = is_active, priority
    errors = {}
    try:
        model.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        health_model_validate(components=components, bands=bands)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    model.save()
    model.components.all().delete()
    model.bands.all().delete()
    HealthComponent.objects.bulk_create([
        HealthComponent(model=model, code=c["code"], weight=c["weight"], parameters=dict(c.get("parameters") or {}))
        for c in components])
    HealthBand.objects.bulk_create([HealthBand(model=model, code=b["code"], min=int(b["min"]), max=int(b["max"]))
                                    for b in bands])
    return model


@transaction.atomic
def health_model_delete(*, by, model: HealthModel) -> None:
    """Delete a health model. Scores it gave keep their history (the model shows as removed)."""
    if not can_manage_health_models(by):
        raise PermissionDenied(_("Only customer success and administrators change health models."))
    model = HealthModel.objects.select_for_update().get(pk=model.pk)
    model.delete()


__all__ = [
    "HealthScoreHistory", "account_health_reference", "health_model_delete", "health_model_save",
    "health_model_validate", "health_recompute_accounts", "health_recompute_job_run", "health_recompute_job_start",
    "health_recompute_later", "health_recompute_range", "health_jobs_resume_stale",
]


# --- demo ---------------------------------------------------------------------------------------------
DEMO_PROFILES = (  # (usage days in each of the last 4 months, newest first; tickets in 90 days; urgent share)
    ((22, 20, 18, 15), 1, 0),    # healthy and steady
    ((9, 12, 16, 20), 5, 1),     # at risk and falling
    ((0, 2, 8, 14), 9, 2),       # critical: usage stopped, urgent tickets
)


def health_demo_load(*, today: date) -> int:
    """Demo health: the default models (if none exist), a little usage and support history for demo
    accounts that have none (idempotent by external id; the profile cycles healthy / at risk /
    critical), then history every week of the last 12 weeks and today's score for every account.
    Returns the number of accounts with a score."""
    from ..models import Ticket, UsageEvent

    if not HealthModel.objects.exists():
        for name, segment, priority, weights in (("Default", "default", 0, rules.DEFAULT_WEIGHTS),
                                                 ("Onboarding (first 90 days)", "onboarding", 10,
                                                  rules.ONBOARDING_WEIGHTS)):
            model = HealthModel.objects.create(name=name, segment=segment, priority=priority)
            HealthComponent.objects.bulk_create([HealthComponent(model=model, code=c, weight=w)
                                                 for c, w in weights.items()])
            HealthBand.objects.bulk_create([HealthBand(model=model, code=c, min=lo, max=hi)
                                            for c, lo, hi in rules.DEFAULT_BANDS])
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    quiet = (Account.objects.filter(usage_events__isnull=True, tickets__isnull=True)
             .order_by("pk").values_list("pk", flat=True))
    usage, tickets = [], []
    for account_id in quiet:
        months, n_tickets, urgent = DEMO_PROFILES[account_id % len(DEMO_PROFILES)]
        for month, days in enumerate(months):
            for d in range(days):
                when = now - timedelta(days=30 * month + d * 30 // max(days, 1), hours=2)
                usage.append(UsageEvent(account_id=account_id, external_id=f"demo:health:{account_id}:u{month}:{d}",
                                        feature="reports", quantity=1, occurred_at=when))
        for k in range(n_tickets):
            opened = now - timedelta(days=3 + k * 9)
            tickets.append(Ticket(account_id=account_id, external_id=f"demo:health:{account_id}:t{k}",
                                  subject="Demo ticket", priority="urgent" if k < urgent else "normal",
                                  opened_at=opened, closed_at=opened + timedelta(days=1) if k >= urgent else None))
    UsageEvent.objects.bulk_create(usage, ignore_conflicts=True)
    Ticket.objects.bulk_create(tickets, ignore_conflicts=True)
    bounds = Account.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0
    for weeks_ago in range(12, -1, -1):  # oldest first: the last run leaves today's health current
        health_recompute_range(lo=bounds["lo"], hi=bounds["hi"], now=now - timedelta(weeks=weeks_ago))
    return Account.objects.filter(health__score__isnull=False).count()
