"""Deal win probability learnt from closed deals: pure functions (numpy + scikit-learn, no Django).

Issue 16 item 4. One example per closed deal, described as it stood just before it closed:
the open stage it was in, the days it had spent there, its age, its value, discount, products, the
source of its lead, the activities logged on it (up to the close) and its team. Open deals are
described the same way as they stand now. The database hands over plain `DealFacts` (set-based reads
in pipeline.selectors.winprob); everything here is arithmetic and can be tested without a database.

Model: scikit-learn LogisticRegression on standardised features, calibrated with Platt scaling fitted
on out-of-fold predictions (CalibratedClassifierCV, method="sigmoid", ensemble=False). Platt scaling of a
logistic regression is again a logistic regression (p = σ(a·z + b) with z linear in the features), so
the calibrated model is still one intercept plus one coefficient per feature: it is stored as plain
JSON numbers (no pickle) and every probability is explained by its terms:
    contribution_j = coef_j × standardised value_j;  logit = intercept + Σ contribution_j.
A factor's "points" are how far the probability would move if that feature were at the training
average: 100 × (p − σ(logit − contribution_j)).

Guards:
- Values are clipped to the training range before they are standardised (an open deal nine years
  old is scored as the oldest closed deal, not extrapolated).
- A feature that alone separates won from lost almost perfectly on the training deals (univariate
  AUC ≥ LEAK_AUC or ≤ 1 − LEAK_AUC) is left out and recorded: it is almost always written *after*
  the outcome (e.g. a lost deal's amount zeroed, or "no amount given" only on lost deals). When the
  "amount unknown" flag is left out so, the amount goes too: its value then comes from the amount for
  one outcome and from the estimate for the other (Maven: won deals' close value, lost deals' list
  price), which would tell the outcome as well.
- Deterministic: inputs are ordered by deal id, folds are seeded with `random_state`, lbfgs has no
  randomness; re-running on the same facts gives the same numbers.

Figures (on the held-out deals: the last quarter(s) of closes, never seen in training):
Brier score = mean((p − outcome)²); calibration by decile = deals ordered by predicted probability in
ten parts of NTILE sizes, each part's mean prediction against its actual win rate; the same for the
stage-table probability (the per-team, per-stage win rate learnt from the training deals only,
pipeline.forecasting.win_rates) and the stage's default probability; and the Brier score per
quarter of close.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from . import forecasting

ACTIVITY_KINDS = ("call", "meeting", "email", "note")
NUMERIC = ("days_in_stage", "age", "amount", "amount_unknown", "discount") + tuple(
    f"activities_{k}" for k in ACTIVITY_KINDS)
CATEGORICAL = ("stage", "team", "product", "source")
LEAK_AUC = 0.99
MIN_LEVEL = 5  # a category level needs this many training deals to get its own column
TOP_FACTORS = 5


class NotEnoughHistory(ValueError):
    """Too few closed deals (or only one outcome) to learn from; `code` and `params` say which."""

    def __init__(self, code: str, **params):
        super().__init__(f"{code}: {params}")
        self.code, self.params = code, params


@dataclass(frozen=True)
class DealFacts:
    id: int
    stage_id: int | None  # the open stage (a closed deal: the one it was in when it closed)
    team_id: int | None = None
    days_in_stage: float | None = None
    age_days: float | None = None
    amount: float | None = None  # None: the source gave no amount (an estimate may stand in)
    amount_estimate: float | None = None  # e.g. the product's list price; used only when amount is None
    discount: float = 0.0
    products: tuple[int, ...] = ()
    source: str = ""
    activities: Mapping[str, int] = field(default_factory=dict)
    won: bool | None = None  # None: open
    closed_on: date | None = None
    furthest_order: int | None = None  # stage-table baseline: furthest open stage reached (ledger)
    stage_default: int | None = None  # the stage's default probability (%), for the comparison


def _log1p(value: float | None) -> float | None:
    return None if value is None else math.log1p(max(float(value), 0.0))


def raw_numeric(f: DealFacts) -> dict[str, float | None]:
    value = f.amount if f.amount is not None else f.amount_estimate
    return {
        "days_in_stage": _log1p(f.days_in_stage), "age": _log1p(f.age_days), "amount": _log1p(value),
        "amount_unknown": 1.0 if f.amount is None else 0.0, "discount": float(f.discount or 0),
        **{f"activities_{k}": _log1p(f.activities.get(k, 0)) for k in ACTIVITY_KINDS},
    }


def levels_of(f: DealFacts) -> dict[str, tuple[str, ...]]:
    return {"stage": (str(f.stage_id),) if f.stage_id is not None else ("none",),
            "team": (str(f.team_id),) if f.team_id is not None else ("none",),
            "product": tuple(str(p) for p in sorted(set(f.products))) or ("none",),
            "source": (f.source or "none",)}


def column_name(feature: str, level: str | None = None) -> str:
    return feature if level is None else f"{feature}={level}"


def split_column(column: str) -> tuple[str, str | None]:
    feature, _, level = column.partition("=")
    return feature, (level if _ else None)


@dataclass
class Encoder:
    """How facts become a matrix: the columns, fill values and clip bounds learnt from training deals."""

    columns: list[str]
    fill: dict[str, float]  # numeric feature -> median used when unknown
    low: dict[str, float]
    high: dict[str, float]

    @classmethod
    def learn(cls, facts: Sequence[DealFacts], *, min_level: int = MIN_LEVEL) -> Encoder:
        raws = [raw_numeric(f) for f in facts]
        fill, low, high = {}, {}, {}
        for name in NUMERIC:
            known = [r[name] for r in raws if r[name] is not None]
            fill[name] = float(np.median(known)) if known else 0.0
            low[name] = float(min(known)) if known else 0.0
            high[name] = float(max(known)) if known else 0.0
        counts: Counter = Counter()
        for f in facts:
            for feature, levels in levels_of(f).items():
                counts.update((feature, level) for level in levels)
        columns = list(NUMERIC) + [column_name(feat, level) for feat in CATEGORICAL
                                   for (fe, level) in sorted(counts, key=lambda k: (k[0], k[1]))
                                   if fe == feat and counts[(fe, level)] >= min_level]
        return cls(columns=columns, fill=fill, low=low, high=high)

    def matrix(self, facts: Sequence[DealFacts]) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.columns)}
        X = np.zeros((len(facts), len(self.columns)))
        for row, f in enumerate(facts):
            for name, value in raw_numeric(f).items():
                if name in index:
                    v = self.fill[name] if value is None else value
                    X[row, index[name]] = min(max(v, self.low[name]), self.high[name])
            for feature, levels in levels_of(f).items():
                for level in levels:
                    i = index.get(column_name(feature, level))
                    if i is not None:
                        X[row, i] = 1.0
        return X

    def as_dict(self) -> dict:
        return {"columns": self.columns, "fill": self.fill, "low": self.low, "high": self.high}


def univariate_auc(x: np.ndarray, y: np.ndarray) -> float | None:
    """ROC AUC of one column against the outcome (average ranks for ties); None with one class."""
    from scipy.stats import rankdata
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if not n_pos or not n_neg:
        return None
    ranks = rankdata(x)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@dataclass
class WinModel:
    """A fitted (calibrated) logistic model as plain numbers: p = σ(intercept + Σ coef·(x − mean)/std)."""

    encoder: Encoder
    kept: list[str]  # the columns used (the encoder's minus excluded ones)
    mean: list[float]
    std: list[float]
    coef: list[float]
    intercept: float
    calibration: str  # "sigmoid" or "none"
    excluded: list[dict] = field(default_factory=list)  # [{column, reason, auc}]

    def standardised(self, facts: Sequence[DealFacts]) -> np.ndarray:
        X = self.encoder.matrix(facts)
        index = {c: i for i, c in enumerate(self.encoder.columns)}
        X = X[:, [index[c] for c in self.kept]] if self.kept else np.zeros((len(facts), 0))
        return (X - np.array(self.mean)) / np.array(self.std)

    def contributions(self, facts: Sequence[DealFacts]) -> np.ndarray:
        return self.standardised(facts) * np.array(self.coef)

    def logits(self, facts: Sequence[DealFacts]) -> np.ndarray:
        return self.intercept + self.contributions(facts).sum(axis=1)

    def predict(self, facts: Sequence[DealFacts]) -> np.ndarray:
        return sigmoid(self.logits(facts))

    def explain(self, facts: Sequence[DealFacts], *, top: int = TOP_FACTORS) -> list[list[dict]]:
        """Per deal, the `top` factors with the largest effect: {feature, levels, direction, points}.

        A number is one factor ("above"/"below" its training average); a category (stage, team,
        product, source) is one factor whatever its number of columns, naming the deal's own levels
        (`direction` "is"). `points`: the probability in percentage points minus what it would be
        were that factor at its training average.
        """
        if not facts:
            return []
        Z = self.standardised(facts)
        contrib = Z * np.array(self.coef)
        logits = self.intercept + contrib.sum(axis=1)
        p = sigmoid(logits)
        groups: dict[str, list[int]] = {}
        for j, column in enumerate(self.kept):
            groups.setdefault(split_column(column)[0], []).append(j)
        names = list(groups)
        if not names:
            return [[] for _f in facts]
        # per deal and factor: its contribution, and the points it moves the probability (vectorised)
        C = np.column_stack([contrib[:, cols].sum(axis=1) for cols in groups.values()])
        points = np.round(100.0 * (p[:, None] - sigmoid(logits[:, None] - C)), 1)
        order = np.argsort(-np.abs(points), axis=1, kind="stable")  # ties: in column order
        result = []
        for row, f in enumerate(facts):
            terms, own = [], None
            for g in order[row]:
                if len(terms) == top or points[row, g] == 0:
                    break
                feature = names[g]
                if feature in CATEGORICAL:
                    own = own or levels_of(f)
                    direction, levels = "is", list(own[feature])
                else:
                    j = groups[feature][0]  # a number is one column: above or below its training average
                    direction, levels = ("above" if Z[row, j] > 0 else "below"), []
                terms.append({"feature": feature, "levels": levels, "direction": direction,
                              "points": float(points[row, g])})
            result.append(terms)
        return result

    def coefficients(self) -> list[dict]:
        """The model in words a person can check: per column, its coefficient (per standard deviation)."""
        rows = [{"column": c, "feature": split_column(c)[0], "level": split_column(c)[1], "coef": round(k, 6),
                 "mean": round(m, 6), "std": round(s, 6)} for c, k, m, s in zip(self.kept, self.coef, self.mean, self.std)]
        return sorted(rows, key=lambda r: (-abs(r["coef"]), r["column"]))

    def as_dict(self) -> dict:
        return {"encoder": self.encoder.as_dict(), "kept": self.kept, "mean": self.mean, "std": self.std,
                "coef": self.coef, "intercept": self.intercept, "calibration": self.calibration,
                "excluded": self.excluded}

    @classmethod
    def from_dict(cls, data: Mapping) -> WinModel:
        enc = data["encoder"]
        return cls(encoder=Encoder(columns=list(enc["columns"]), fill=dict(enc["fill"]), low=dict(enc["low"]),
                                   high=dict(enc["high"])),
                   kept=list(data["kept"]), mean=list(data["mean"]), std=list(data["std"]), coef=list(data["coef"]),
                   intercept=float(data["intercept"]), calibration=data["calibration"],
                   excluded=list(data.get("excluded", [])))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def _r(x: float) -> float:
    return round(float(x), 6)


def fit(facts: Sequence[DealFacts], *, random_state: int = 0, C: float = 1.0, min_level: int = MIN_LEVEL,
        folds: int = 5) -> WinModel:
    """Fit the calibrated logistic model on closed deals (won True/False). Deterministic."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    facts = sorted((f for f in facts if f.won is not None), key=lambda f: f.id)
    y = np.array([1 if f.won else 0 for f in facts])
    n_won, n_lost = int(y.sum()), int(len(y) - y.sum())
    if min(n_won, n_lost) < 2:
        raise NotEnoughHistory("one_outcome", won=n_won, lost=n_lost)
    encoder = Encoder.learn(facts, min_level=min_level)
    X = encoder.matrix(facts)
    kept, excluded = [], []
    for j, column in enumerate(encoder.columns):
        if np.ptp(X[:, j]) == 0:
            continue  # the same for every training deal: nothing to learn
        auc = univariate_auc(X[:, j], y)
        if auc is not None and (auc >= LEAK_AUC or auc <= 1 - LEAK_AUC):
            excluded.append({"column": column, "reason": "separates_outcomes", "auc": _r(auc)})
            continue
        kept.append(j)
    if any(e["column"] == "amount_unknown" for e in excluded) and "amount" in encoder.columns:
        # whether a deal has an amount tells its outcome, so its value (the amount for one outcome, the
        # estimate for the other) would tell it too: the amount goes with its flag
        j = encoder.columns.index("amount")
        if j in kept:
            kept.remove(j)
            excluded.append({"column": "amount", "reason": "follows_amount_unknown",
                             "auc": _r(univariate_auc(X[:, j], y) or 0.5)})
    Xk = X[:, kept]
    mean = Xk.mean(axis=0) if kept else np.zeros(0)
    std = Xk.std(axis=0) if kept else np.zeros(0)
    std[std == 0] = 1.0
    Z = (Xk - mean) / std if kept else np.zeros((len(y), 1))
    base = LogisticRegression(C=C, max_iter=2000)
    k = min(folds, n_won, n_lost)
    if k >= 2 and min(n_won, n_lost) >= 5:
        clf = CalibratedClassifierCV(base, method="sigmoid", ensemble=False,
                                     cv=StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state))
        clf.fit(Z, y)
        inner = clf.calibrated_classifiers_[0]
        a, b = float(inner.calibrators[0].a_), float(inner.calibrators[0].b_)
        lr = inner.estimator
        coef = (-a * lr.coef_[0]).tolist()  # σ(−(a·z + b)), z = lr's logit
        intercept = float(-a * lr.intercept_[0] - b)
        calibration = "sigmoid"
    else:
        lr = base.fit(Z, y)
        coef, intercept, calibration = lr.coef_[0].tolist(), float(lr.intercept_[0]), "none"
    if not kept:
        coef = []
    return WinModel(encoder=encoder, kept=[encoder.columns[j] for j in kept], mean=[_r(m) for m in mean],
                    std=[_r(s) for s in std], coef=[_r(c) for c in coef], intercept=_r(intercept),
                    calibration=calibration, excluded=excluded)


# --- figures ------------------------------------------------------------------------------------
def brier(outcomes: Sequence[int], probabilities: Sequence[float]) -> float | None:
    """Mean squared difference between the probability (0–1) and the outcome (1 won, 0 lost)."""
    if not len(outcomes):
        return None
    y, p = np.asarray(outcomes, dtype=float), np.asarray(probabilities, dtype=float)
    return _r(np.mean((p - y) ** 2))


def ntile_sizes(n: int, parts: int = 10) -> list[int]:
    q, r = divmod(n, parts)
    return [q + (1 if k < r else 0) for k in range(parts) if q + (1 if k < r else 0)]


def calibration_deciles(outcomes: Sequence[int], probabilities: Sequence[float], parts: int = 10) -> list[dict]:
    """Deals ordered by probability (lowest first; ties by input order) in `parts` parts of NTILE sizes:
    per part {part, deals, predicted (mean probability), actual (win rate), won}."""
    order = sorted(range(len(outcomes)), key=lambda i: (probabilities[i], i))
    rows, start = [], 0
    for part, size in enumerate(ntile_sizes(len(order), parts), start=1):
        idx = order[start:start + size]
        start += size
        won = sum(int(outcomes[i]) for i in idx)
        rows.append({"part": part, "deals": size, "predicted": _r(sum(probabilities[i] for i in idx) / size),
                     "actual": _r(won / size), "won": won})
    return rows


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def holdout_start(closed_days: Iterable[date], quarters: int = 1) -> date | None:
    """Start of the earliest of the last `quarters` calendar quarters holding closes; None with fewer
    than quarters + 1 such quarters (nothing would be left to learn from)."""
    starts = sorted({quarter_start(d) for d in closed_days if d is not None})
    if len(starts) <= quarters:
        return None
    return starts[-quarters]


def stage_table(train: Sequence[DealFacts], *, stages: Sequence[tuple[int, int]],
                min_samples: int = forecasting.RATE_MIN_SAMPLES) -> dict[tuple[int | None, int], int | None]:
    """The win-rate table (pipeline.forecasting.win_rates) learnt from `train` only: {(team, stage): %}."""
    counts = Counter((f.team_id, f.furthest_order, bool(f.won)) for f in train if f.won is not None)
    rates = forecasting.win_rates(((t, o, w, n) for (t, o, w), n in counts.items()), stages=stages,
                                  min_samples=min_samples)
    return {(r.team_id, r.stage_id): r.probability for r in rates}


def stage_table_probability(f: DealFacts, table: Mapping) -> float:
    """What the stage table says for a deal (0–1): its team's rate, else the organisation's, else the
    stage's default probability (what model_probability falls back to in the forecast)."""
    for key in ((f.team_id, f.stage_id), (None, f.stage_id)):
        value = table.get(key)
        if value is not None:
            return value / 100.0
    return (f.stage_default or 0) / 100.0


@dataclass
class Training:
    model: WinModel
    figures: dict
    train_ids: list[int]
    holdout_ids: list[int]


def evaluate(model: WinModel, train: Sequence[DealFacts], holdout: Sequence[DealFacts], *,
             stages: Sequence[tuple[int, int]], min_samples: int = forecasting.RATE_MIN_SAMPLES) -> dict:
    """Figures of a fitted model: Brier and calibration by decile on the held-out deals for the model,
    the stage table (learnt from `train` only) and the stage default; Brier per quarter of close
    (training quarters are in-sample and flagged so)."""
    table = stage_table(train, stages=stages, min_samples=min_samples)
    sources = {
        "model": lambda fs: model.predict(fs).tolist() if fs else [],
        "stage_table": lambda fs: [stage_table_probability(f, table) for f in fs],
        "stage_default": lambda fs: [(f.stage_default or 0) / 100.0 for f in fs],
    }
    y_hold = [int(bool(f.won)) for f in holdout]
    held = {name: get(list(holdout)) for name, get in sources.items()}
    quarters: dict[str, list[DealFacts]] = {}
    for f in list(train) + list(holdout):
        if f.closed_on is not None:
            quarters.setdefault(quarter_of(f.closed_on), []).append(f)
    holdout_ids = {f.id for f in holdout}
    per_quarter = []
    for q in sorted(quarters):
        fs = quarters[q]
        y = [int(bool(f.won)) for f in fs]
        per_quarter.append({"quarter": q, "deals": len(fs), "won": sum(y),
                            "held_out": all(f.id in holdout_ids for f in fs),
                            **{name: brier(y, get(fs)) for name, get in sources.items()}})
    return {
        "holdout": {"deals": len(holdout), "won": sum(y_hold),
                    "brier": {name: brier(y_hold, p) for name, p in held.items()},
                    "deciles": {name: calibration_deciles(y_hold, p) for name, p in held.items()}},
        "train": {"deals": len(train), "won": sum(int(bool(f.won)) for f in train)},
        "per_quarter": per_quarter,
        "stage_table": [{"team": t, "stage": s, "probability": p} for (t, s), p in sorted(
            table.items(), key=lambda kv: (kv[0][0] is not None, kv[0][0] or 0, kv[0][1]))],
    }


def train_and_evaluate(closed: Sequence[DealFacts], *, stages: Sequence[tuple[int, int]], holdout_quarters: int = 1,
                       random_state: int = 0, C: float = 1.0, min_level: int = MIN_LEVEL,
                       min_deals: int = 30) -> Training:
    """Split closed deals by time (the last `holdout_quarters` quarters held out), fit on the earlier
    ones, measure on the held-out ones. Raises NotEnoughHistory when there is too little to learn."""
    closed = sorted((f for f in closed if f.won is not None), key=lambda f: f.id)
    split = holdout_start((f.closed_on for f in closed), holdout_quarters)
    if split is None:
        raise NotEnoughHistory("too_few_quarters", quarters=holdout_quarters + 1)
    train = [f for f in closed if f.closed_on is not None and f.closed_on < split]
    holdout = [f for f in closed if f.closed_on is not None and f.closed_on >= split]
    if len(train) < min_deals:
        raise NotEnoughHistory("too_few_deals", deals=len(train), needed=min_deals)
    model = fit(train, random_state=random_state, C=C, min_level=min_level)
    figures = evaluate(model, train, holdout, stages=stages)
    figures["holdout"]["start"] = split.isoformat()
    return Training(model=model, figures=figures, train_ids=[f.id for f in train],
                    holdout_ids=[f.id for f in holdout])
