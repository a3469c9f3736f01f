"""How good is a rule set at finding the leads that convert: its quality on history.

One set-based statement: the rule set's compiled scoring SELECT (compile_rule_set, with each
rule's "fires" column) over the leads the user may see, narrowed to a period (lead created_at) and
segment, grouped by score — per score the leads, converted, won and, per rule, how many it fires
on and how many of those converted. Everything else (AUC, deciles, lift, grade conversion with
Wilson intervals, per-rule effect) follows from that histogram in leads.scoring_quality, pure.
No loop over leads: the Python work is over distinct scores.

"Converted" and "won" are as in the backtest: converted_at / won_at set, or the imported file's
recorded outcome (imported_converted).
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from teams.predicates import can_backtest_scoring

from .. import scoring
from .. import scoring_quality as q
from ..models import RuleSet, Source
from ..selectors import lead_queryset_for, rule_set_spec
from .scoring import _bind, compile_rule_set

CONVERTED = "(s.converted_at IS NOT NULL OR s.imported_converted)"
WON = "(s.won_at IS NOT NULL OR s.imported_converted)"


@dataclass(frozen=True)
class Segment:
    """Which leads: created from `start` to `end` (dates, inclusive, in the site's time zone), of
    these sources, owned by this user or by members of this team. Empty means no limit."""
    start: date | None = None
    end: date | None = None
    sources: tuple[str, ...] = field(default=())
    owner: int | None = None
    team: int | None = None

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "source": list(self.sources), "owner": self.owner,
                "team": self.team}


class QualityFilterForm(forms.Form):
    """The period and segment of a quality report (page and API); a bad value is a clear error."""

    start = forms.DateField(label=gettext_lazy("Leads created from"), required=False,
                            error_messages={"invalid": gettext_lazy("Enter the start as a date, YYYY-MM-DD.")})
    end = forms.DateField(label=gettext_lazy("Leads created until"), required=False,
                          error_messages={"invalid": gettext_lazy("Enter the end as a date, YYYY-MM-DD.")})
    source = forms.MultipleChoiceField(label=gettext_lazy("Source"), required=False, choices=Source.choices)
    owner = forms.IntegerField(label=gettext_lazy("Owner id"), required=False, min_value=1, max_value=2**31 - 1)
    team = forms.IntegerField(label=gettext_lazy("Team id"), required=False, min_value=1, max_value=2**31 - 1)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data

    def segment(self) -> Segment:
        data = self.cleaned_data
        return Segment(start=data.get("start"), end=data.get("end"), sources=tuple(data.get("source") or ()),
                       owner=data.get("owner"), team=data.get("team"))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def segment_queryset(*, user, segment: Segment):
    """The leads `user` may see (leads.selectors) in the segment."""
    leads = lead_queryset_for(user=user)
    if segment.start:
        leads = leads.filter(created_at__gte=_day_start(segment.start))
    if segment.end:
        leads = leads.filter(created_at__lt=_day_start(segment.end + timedelta(days=1)))
    if segment.sources:
        leads = leads.filter(source__in=segment.sources)
    if segment.owner:
        leads = leads.filter(owner_id=segment.owner)
    if segment.team:
        leads = leads.filter(owner__team_id=segment.team)
    return leads


def quality_histogram(*, rule_set: RuleSet, user, segment: Segment = Segment(), now=None, leads=None) -> dict:
    """The one GROUP BY: {"rows": [(score, leads, converted, won)], "fires": [[fires, fires_converted]
    per rule]} over the segment's leads scored with `rule_set` (nothing is saved). `leads`, when
    given, replaces the segment: a narrower queryset of the leads `user` may see (the held-out
    part of a suggestion, leads.services.scoring_suggest)."""
    if not can_backtest_scoring(user):
        raise PermissionDenied(_("Only marketing, managers and administrators run backtests."))
    if leads is None:
        leads = segment_queryset(user=user, segment=segment)
    n_rules = rule_set.attribute_rules.count() + rule_set.behaviour_rules.count()
    bounds = leads.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return {"rows": [], "fires": [[0, 0] for _i in range(n_rules)]}
    compiled = compile_rule_set(rule_set, now=now or timezone.now(), with_fires=True)
    scope_sql, scope_params = "", []
    if leads.query.where:
        sql, params = leads.order_by().values("pk").query.sql_with_params()
        scope_sql, scope_params = f" WHERE s.id IN ({sql})", list(params)
    fire_columns = "".join(f", SUM(s.f{i}), SUM(CASE WHEN {CONVERTED} THEN s.f{i} ELSE 0 END)" for i in range(n_rules))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.score, COUNT(*), SUM(CASE WHEN {CONVERTED} THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {WON} THEN 1 ELSE 0 END){fire_columns}"
            f" FROM ({compiled.sql}) s{scope_sql} GROUP BY s.score ORDER BY s.score",
            [*_bind(compiled.params, bounds["lo"], bounds["hi"]), *scope_params])
        rows = cursor.fetchall()
    fires = [[sum(int(r[4 + 2 * i] or 0) for r in rows), sum(int(r[5 + 2 * i] or 0) for r in rows)]
             for i in range(n_rules)]
    return {"rows": [(int(r[0]), int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in rows], "fires": fires}


def _interval(row: dict) -> list | None:
    return None if row["low"] is None else [row["low"], row["high"]]


def quality_figures(spec: scoring.RuleSet, histogram: dict) -> dict:
    """The report from the histogram (pure): see rule_set_quality."""
    rows = histogram["rows"]
    converted = [q.Bin(s, n, c) for s, n, c, _w in rows]
    won = [q.Bin(s, n, w) for s, n, _c, w in rows]
    total, positives, wins = sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows)
    order = [g.name for g in spec.ordered_grades]
    grade_of = lambda score: scoring.grade_for(score, spec)  # noqa: E731
    won_by_grade = {g["group"]: g for g in q.group_rates(won, grade_of, order)}
    grades = []
    for g in q.group_rates(converted, grade_of, order):
        band = next((b for b in spec.ordered_grades if b.name == g["group"]), None)
        w = won_by_grade[g["group"]]
        grades.append({"grade": g["group"], "lower_bound": band.lower_bound if band else None,
                       "leads": g["leads"], "converted": g["positives"], "conversion": g["conversion"],
                       "interval": _interval(g), "won": w["positives"], "win_rate": w["conversion"],
                       "win_interval": _interval(w), "min_score": g["min_score"], "max_score": g["max_score"]})
    rules = []
    for i, rule in enumerate(spec.rules):
        fires, fires_converted = histogram["fires"][i]
        kind = "attribute" if i < len(spec.attribute_rules) else "behaviour"
        rules.append({"rule": rule.label or scoring.describe(rule), "kind": kind, "points": rule.points,
                      **q.rule_effect(fires, fires_converted, total, positives)})
    return {
        "leads": total, "converted": positives, "conversion": q.rate(positives, total),
        "won": wins, "win_rate": q.rate(wins, total),
        "auc": q.auc(converted), "won_auc": q.auc(won),
        "deciles": q.deciles(converted),
        "grades": grades,
        # A rule set gives points, not probabilities: calibration is the observed conversion per
        # score band (its grades), with its interval — nothing predicted to compare it with.
        "calibration": {"predicted": None, "basis": "grade_bands"},
        "rules": rules,
        "histogram": [{"score": s, "leads": n, "converted": c, "won": w} for s, n, c, w in rows],
    }


def rule_set_quality(*, rule_set: RuleSet, user, segment: Segment = Segment(), now=None) -> dict:
    """Quality of `rule_set` on the history of the leads `user` may see in `segment`:

    {"rule_set", "segment", "leads", "converted", "conversion", "won", "win_rate", "auc", "won_auc",
     "deciles": [{part, leads, positives, conversion, lift, min_score, max_score, cumulative_share}],
     "grades": [{grade, lower_bound, leads, converted, conversion, interval, won, win_rate, win_interval}],
     "calibration", "rules": [{rule, kind, points, fires, fire_rate, with, without, lift}], "histogram",
     "computed_at"} — rates are 0–1, intervals 95 % Wilson [low, high], None where undefined.

    Computed once per rule-set content, viewer and segment for SALESOPS_QUALITY_CACHE_SECONDS
    (default 10 minutes): at 1M leads the statement takes seconds (README, bench/quality.py)."""
    spec = rule_set_spec(rule_set)
    seconds = settings.SALESOPS_QUALITY_CACHE_SECONDS
    key = f"scoring-quality:{rule_set.pk}:{_fingerprint(spec, segment)}:{user.pk}"
    cached = cache.get(key) if seconds else None
    if cached is not None:
        return cached
    figures = quality_figures(spec, quality_histogram(rule_set=rule_set, user=user, segment=segment, now=now))
    result = {"rule_set": {"id": rule_set.pk, "version": rule_set.version, "name": rule_set.name,
                           "status": rule_set.status},
              "segment": segment.as_dict(), **figures, "computed_at": timezone.now()}
    if seconds:
        cache.set(key, result, seconds)
    return result


def _fingerprint(spec: scoring.RuleSet, segment: Segment) -> str:
    """A stable digest of the rules, grades and segment: an edited draft is a new cache entry."""
    import hashlib

    return hashlib.sha256(repr((spec, segment)).encode()).hexdigest()[:32]
