"""Suggested weights: a draft rule set of whole points learned from converted / not-converted history.

Pure (numpy and scikit-learn, no Django). leads.services.scoring_suggest reads the history
set-based, calls `suggest()`, saves the draft through the rule-set service and measures it.

1. Split. A lead is held out when `split_bucket(id, seed) < held-out share × 1000`: a stable hash
   of its id, the same in Python and SQL (SPLIT_SQL), so the held-out rows can be scored in the
   database by the quality code while the model only ever sees the training rows.
2. Features: only what the rule editor can express, built from the training rows:
   - a text or choice field equal to one of its frequent values → rule "<field> is one of [value]";
   - a numeric field above a quantile of its values → rule "<field> greater than t" (several
     thresholds of one field add up to a step function);
   - a behaviour count, capped at its 90th percentile (1–5) → rule "<event> × points, at most cap".
3. Model: logistic regression (L2, class_weight="balanced", lbfgs: deterministic) on those
   features. Points = coefficient × one scale, rounded to whole points, the strongest feature's
   contribution worth STRONGEST_POINTS; features rounding to 0 are dropped.
4. Grades: the base set's grade names, top first; each bounded grade's lower bound is the lowest
   training score at which the leads scoring at least that convert at the grade's target rate.

Every rule carries its "why": the coefficient, odds ratio, how many training leads it fires on and
their conversion with and without it.
"""
from dataclasses import dataclass, field
from math import exp

import numpy as np

from .scoring import MAX_POINTS, MAX_RULES, NUMERIC_FIELDS

SPLIT_MULTIPLIER = 2654435761  # Knuth's multiplicative hash
SPLIT_BUCKETS = 1000
# The same hash in SQL (integer arithmetic in PostgreSQL and SQLite); params: [seed]. {id} is the column.
SPLIT_SQL = "(((({id} + %s) * 2654435761) %% 4294967296) / 65536) %% 1000"

CATEGORY_FIELDS = ("industry", "region", "source", "origin", "last_activity", "job_title")
NUMBER_FIELDS = tuple(sorted(NUMERIC_FIELDS))
FIELDS = CATEGORY_FIELDS + NUMBER_FIELDS
QUANTILES = (0.25, 0.5, 0.75, 0.9)
MAX_VALUES_PER_FIELD = 12
MAX_EVENT_CAP = 5
STRONGEST_POINTS = 20


class SuggestionError(Exception):
    """The history cannot give a suggestion; `code` is one of: no_leads, one_outcome, no_features."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code


@dataclass
class History:
    """Leads of the period: `ids` ascending, `attributes[field][i]` the value of lead i, `converted[i]`,
    and `event_counts` as (lead id, event type code, count) rows."""
    ids: list
    attributes: dict
    converted: list
    event_counts: list = field(default_factory=list)


@dataclass(frozen=True)
class Feature:
    kind: str                      # "attribute" or "behaviour"
    field: str = ""
    operator: str = ""
    value: object = None
    event_type: str = ""
    cap: int | None = None

    @property
    def key(self) -> str:
        if self.kind == "behaviour":
            return f"behaviour:{self.event_type}"
        return f"attribute:{self.field}:{self.operator}:{self.value}"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "field": self.field, "operator": self.operator, "value": self.value,
                "event_type": self.event_type, "cap": self.cap}


@dataclass
class Suggestion:
    rules: list           # [{kind, field, operator, value, event_type, max_count, points, why}]
    grades: list          # [{name, lower_bound, target, train_leads, train_converted, train_conversion}]
    features: list        # every candidate feature with its coefficient
    train_size: int
    train_converted: int
    held_out_size: int
    intercept: float
    scale: float


def split_bucket(ids, seed: int) -> np.ndarray:
    """0–999 for each id: the SPLIT_SQL hash (ids below ~6.9e9 stay exact in uint64)."""
    ids = np.asarray(ids, dtype=np.uint64)
    h = ((ids + np.uint64(seed)) * np.uint64(SPLIT_MULTIPLIER)) % np.uint64(2 ** 32)
    return (h // np.uint64(65536)) % np.uint64(SPLIT_BUCKETS)


def held_out_mask(ids, *, share: float, seed: int) -> np.ndarray:
    return split_bucket(ids, seed) < np.uint64(held_out_buckets(share))


def held_out_buckets(share: float) -> int:
    return int(round(share * SPLIT_BUCKETS))


def _norm(value) -> str:
    return "" if value is None else str(value).strip().lower()


def _event_matrix(history: History) -> tuple[list[str], np.ndarray]:
    codes = sorted({code for _lead, code, _n in history.event_counts})
    index = {lead_id: i for i, lead_id in enumerate(history.ids)}
    column = {code: j for j, code in enumerate(codes)}
    counts = np.zeros((len(history.ids), len(codes)))
    for lead_id, code, n in history.event_counts:
        i = index.get(lead_id)
        if i is not None:
            counts[i, column[code]] += n
    return codes, counts


def candidate_features(history: History, train: np.ndarray, min_support: int) -> list[Feature]:
    """The features worth fitting, judged on the training rows only: each fires on at least
    `min_support` training leads and misses at least as many."""
    n_train = int(train.sum())
    fits = lambda support: min_support <= support <= n_train - min_support  # noqa: E731
    features: list[Feature] = []
    for name in CATEGORY_FIELDS:
        values = history.attributes.get(name)
        if values is None:
            continue
        counts: dict[str, int] = {}
        spelling: dict[str, dict[str, int]] = {}
        for value, keep in zip(values, train):
            key = _norm(value)
            if keep and key:
                counts[key] = counts.get(key, 0) + 1
                raw = spelling.setdefault(key, {})
                raw[str(value).strip()] = raw.get(str(value).strip(), 0) + 1
        frequent = sorted((k for k, c in counts.items() if fits(c)), key=lambda k: (-counts[k], k))
        for key in frequent[:MAX_VALUES_PER_FIELD]:
            shown = min(spelling[key].items(), key=lambda item: (-item[1], item[0]))[0]
            features.append(Feature("attribute", name, "in", (shown,)))
    for name in NUMBER_FIELDS:
        values = history.attributes.get(name)
        if values is None:
            continue
        column = np.array([np.nan if v is None else float(v) for v in values])
        known = column[train & ~np.isnan(column)]
        if not len(known):
            continue
        seen = set()
        for q in QUANTILES:
            t = int(np.floor(np.quantile(known, q, method="lower")))
            if t in seen:
                continue
            seen.add(t)
            if fits(int((known > t).sum())):
                features.append(Feature("attribute", name, "gt", t))
    codes, counts = _event_matrix(history)
    for j, code in enumerate(codes):
        nonzero = counts[train, j][counts[train, j] > 0]
        if fits(len(nonzero)):
            cap = int(min(max(np.floor(np.quantile(nonzero, 0.9, method="lower")), 1), MAX_EVENT_CAP))
            features.append(Feature("behaviour", event_type=code, cap=cap))
    return features


def design_matrix(history: History, features: list[Feature]) -> np.ndarray:
    """Column j: 1/0 where attribute feature j's rule holds (leads.scoring semantics: text compared
    lower-cased and trimmed, blanks and NULLs never match), or the capped count of its events."""
    n = len(history.ids)
    X = np.zeros((n, len(features)))
    codes, counts = _event_matrix(history)
    normalised = {name: [_norm(v) for v in history.attributes[name]]
                  for name in CATEGORY_FIELDS if name in history.attributes}
    numbers = {name: np.array([np.nan if v is None else float(v) for v in history.attributes[name]])
               for name in NUMBER_FIELDS if name in history.attributes}
    for j, f in enumerate(features):
        if f.kind == "behaviour":
            X[:, j] = np.minimum(counts[:, codes.index(f.event_type)], f.cap)
        elif f.operator == "in":
            wanted = {_norm(v) for v in f.value}
            X[:, j] = [1.0 if v in wanted else 0.0 for v in normalised[f.field]]
        else:  # gt
            X[:, j] = np.nan_to_num(numbers[f.field] > f.value, nan=0.0)
    return X


def default_targets(overall: float, bounded: int) -> list[float]:
    """Conversion each bounded grade aims at, top first: `(k+1)×` the overall rate for the k-th grade
    from the bottom, at most part of the way to 100 % (so that a high base rate stays reachable)."""
    return [min(overall * (1 + k), overall + (1 - overall) * k / (bounded + 1)) for k in range(bounded, 0, -1)]


def grade_bands(scores: np.ndarray, y: np.ndarray, names: list[str], targets: list[float] | None = None) -> list[dict]:
    """Lower bounds for `names` (top first; the last grade is open): for each bounded grade the
    lowest score s (below the grade above's bound) where leads scoring ≥ s convert at ≥ its target.
    A target no score reaches gives a one-point band just under the grade above (valid, distinct)."""
    bounded = len(names) - 1
    overall = float(y.mean()) if len(y) else 0.0
    targets = list(targets) if targets else default_targets(overall, bounded)
    distinct = np.unique(scores)[::-1]  # descending
    # leads and converters with score >= s, for each distinct s
    leads_at_least = np.array([(scores >= s).sum() for s in distinct])
    conv_at_least = np.array([y[scores >= s].sum() for s in distinct])
    bands, upper = [], None
    for name, target in zip(names[:bounded], targets):
        ok = [s for s, n, c in zip(distinct, leads_at_least, conv_at_least)
              if n and c / n >= target and (upper is None or s < upper)]
        if ok:
            bound = int(min(ok))
        elif upper is None:
            bound = int(distinct[0]) + 1 if len(distinct) else 1
        else:
            bound = upper - 1
        bands.append({"name": name, "lower_bound": bound, "target": target})
        upper = bound
    bands.append({"name": names[-1], "lower_bound": None, "target": None})
    upper = None
    for band in bands:  # what each band holds on the training rows
        inside = (scores < upper) if upper is not None else np.ones(len(scores), dtype=bool)
        if band["lower_bound"] is not None:
            inside &= scores >= band["lower_bound"]
        n, c = int(inside.sum()), int(y[inside].sum())
        band.update(train_leads=n, train_converted=c, train_conversion=c / n if n else None)
        upper = band["lower_bound"] if band["lower_bound"] is not None else upper
    return bands


def _why(coefficient: float, column: np.ndarray, y: np.ndarray) -> dict:
    fires = column > 0
    n_with, n_without = int(fires.sum()), int((~fires).sum())
    c_with, c_without = int(y[fires].sum()), int(y[~fires].sum())
    return {"coefficient": round(float(coefficient), 6), "odds_ratio": round(exp(float(coefficient)), 6),
            "support": n_with, "converted_with": c_with, "converted_without": c_without,
            "conversion_with": c_with / n_with if n_with else None,
            "conversion_without": c_without / n_without if n_without else None}


def fit(X: np.ndarray, y: np.ndarray, *, random_state: int, C: float = 1.0):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, class_weight="balanced", solver="lbfgs", max_iter=2000,
                               random_state=random_state)
    model.fit(X, y)
    return model


def suggest(history: History, *, held_out_share: float, random_state: int, grade_names: list[str],
            targets: list[float] | None = None, min_support: int | None = None, C: float = 1.0,
            max_rules: int = MAX_RULES) -> Suggestion:
    """The suggested rules and grades from the training part of `history` (see the module doc)."""
    ids = np.asarray(history.ids, dtype=np.int64)
    if not len(ids):
        raise SuggestionError("no_leads")
    y_all = np.asarray(history.converted, dtype=bool)
    train = ~held_out_mask(ids, share=held_out_share, seed=random_state)
    y = y_all[train].astype(int)
    if not len(y) or y.min() == y.max():
        raise SuggestionError("one_outcome")
    if min_support is None:
        min_support = max(10, int(0.005 * len(y)))
    features = candidate_features(history, train, min_support)
    if not features:
        raise SuggestionError("no_features")
    X = design_matrix(history, features)[train]
    model = fit(X, y, random_state=random_state, C=C)
    coefficients = model.coef_[0]
    span = np.array([f.cap if f.kind == "behaviour" else 1 for f in features], dtype=float)
    strongest = float(np.max(np.abs(coefficients) * span))
    scale = STRONGEST_POINTS / strongest if strongest > 0 else 0.0
    points = np.clip(np.rint(coefficients * scale), -MAX_POINTS, MAX_POINTS).astype(int)
    kept = [j for j in np.argsort(-np.abs(coefficients * span), kind="stable") if points[j]]
    attribute = [j for j in kept if features[j].kind == "attribute"][:max_rules]
    behaviour = [j for j in kept if features[j].kind == "behaviour"][:max_rules]
    if not attribute and not behaviour:
        raise SuggestionError("no_features")
    rules = []
    for j in sorted(attribute) + sorted(behaviour, key=lambda j: features[j].event_type):
        f = features[j]
        rules.append({**f.as_dict(), "value": list(f.value) if isinstance(f.value, tuple) else f.value,
                      "max_count": f.cap, "points": int(points[j]), "why": _why(coefficients[j], X[:, j], y)})
    used = sorted(set(attribute) | set(behaviour))
    scores = X[:, used] @ points[used]
    grades = grade_bands(scores, y, grade_names, targets)
    return Suggestion(
        rules=rules, grades=grades,
        features=[{**f.as_dict(), "value": list(f.value) if isinstance(f.value, tuple) else f.value,
                   "coefficient": round(float(c), 6), "points": int(p)}
                  for f, c, p in zip(features, coefficients, points)],
        train_size=int(train.sum()), train_converted=int(y.sum()), held_out_size=int((~train).sum()),
        intercept=round(float(model.intercept_[0]), 6), scale=round(scale, 6))


def score_rules(history: History, rules: list[dict]) -> np.ndarray:
    """Each lead's score under suggested `rules` by the same arithmetic as leads.scoring (no decay)."""
    features = [Feature(r["kind"], r["field"], r["operator"],
                        tuple(r["value"]) if isinstance(r["value"], list) else r["value"],
                        r["event_type"], r["max_count"]) for r in rules]
    return design_matrix(history, features) @ np.array([r["points"] for r in rules])
