"""How well a score separates the leads that converted from the rest: pure functions (no Django).

Everything is computed from a score histogram — for each integer score, how many leads have it
and how many of them converted — which the database returns in one GROUP BY
(leads.services.scoring_quality). Nothing here loops over leads.

- ROC AUC by the Mann–Whitney rank-sum formula with average ranks for ties: for each score s with
  p_s positives and n_s negatives, AUC = Σ p_s·(negatives scored below s + n_s/2) / (n_pos·n_neg).
  It is the chance that a random converter scores above a random non-converter (ties count half).
- Deciles: leads ordered by score, highest first, cut into ten parts of NTILE(10)'s sizes. Leads
  with the same score cannot be told apart, so a score shared by two deciles is split between them
  in proportion (its converters too): the figures do not depend on an arbitrary order of ties.
- Lift: a part's conversion divided by the overall conversion.
- Wilson score interval for a conversion rate (95 % by default).
"""
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from math import sqrt

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Bin:
    score: int
    leads: int
    positives: int

    @property
    def negatives(self) -> int:
        return self.leads - self.positives


def merge(bins: Iterable[Bin]) -> list[Bin]:
    """One bin per score, ascending (adds up repeated scores; drops empty bins)."""
    totals: dict[int, list[int]] = {}
    for b in bins:
        row = totals.setdefault(b.score, [0, 0])
        row[0] += b.leads
        row[1] += b.positives
    return [Bin(s, n, p) for s, (n, p) in sorted(totals.items()) if n]


def auc(bins: Iterable[Bin]) -> float | None:
    """ROC AUC from a score histogram; None when there are no converters or no non-converters."""
    bins = merge(bins)
    n_pos = sum(b.positives for b in bins)
    n_neg = sum(b.negatives for b in bins)
    if not n_pos or not n_neg:
        return None
    below, total = 0, 0.0
    for b in bins:  # ascending scores
        total += b.positives * (below + b.negatives / 2)
        below += b.negatives
    return total / (n_pos * n_neg)


def wilson(positives: float, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval (low, high) of the rate positives/n; None when n is 0."""
    if n <= 0:
        return None
    p = positives / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0.0)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(positives: float, n: float) -> float | None:
    return positives / n if n else None


def ntile_sizes(n: int, parts: int = 10) -> list[int]:
    """The sizes NTILE(parts) gives n rows: the first n % parts parts one larger (no empty parts)."""
    q, r = divmod(n, parts)
    return [q + (1 if k < r else 0) for k in range(parts) if q + (1 if k < r else 0)]


def deciles(bins: Iterable[Bin], parts: int = 10) -> list[dict]:
    """Per part, highest scores first: {part, leads, positives, conversion, lift, min_score,
    max_score, cumulative_share} (cumulative_share = share of all converters in this part and above)."""
    bins = merge(bins)
    n = sum(b.leads for b in bins)
    n_pos = sum(b.positives for b in bins)
    overall = rate(n_pos, n)
    queue = [[b.score, b.leads, b.positives] for b in reversed(bins)]  # descending scores, mutable rests
    rows, cumulative = [], 0.0
    for k, size in enumerate(ntile_sizes(n, parts), start=1):
        need, positives, scores = size, 0.0, []
        while need:
            score, left, left_pos = queue[0]
            take = min(need, left)
            share = left_pos * take / left  # converters of a split score go in proportion
            positives += share
            scores.append(score)
            need -= take
            if take == left:
                queue.pop(0)
            else:
                queue[0] = [score, left - take, left_pos - share]
        cumulative += positives
        conversion = positives / size
        rows.append({
            "part": k, "leads": size, "positives": positives, "conversion": conversion,
            "lift": conversion / overall if overall else None,
            "min_score": min(scores), "max_score": max(scores),
            "cumulative_share": cumulative / n_pos if n_pos else None,
        })
    return rows


def group_rates(bins: Iterable[Bin], group_of: Callable[[int], str], order: Sequence[str] = (),
                z: float = Z_95) -> list[dict]:
    """Per group of scores (e.g. a grade): {group, leads, positives, conversion, low, high,
    min_score, max_score}, in `order` then any other groups met; low/high is the Wilson interval."""
    groups: dict[str, list] = {name: [0, 0, None, None] for name in order}
    for b in merge(bins):
        row = groups.setdefault(group_of(b.score), [0, 0, None, None])
        row[0] += b.leads
        row[1] += b.positives
        row[2] = b.score if row[2] is None else min(row[2], b.score)
        row[3] = b.score if row[3] is None else max(row[3], b.score)
    out = []
    for name, (n, p, lo_score, hi_score) in groups.items():
        interval = wilson(p, n, z)
        out.append({"group": name, "leads": n, "positives": p, "conversion": rate(p, n),
                    "low": interval[0] if interval else None, "high": interval[1] if interval else None,
                    "min_score": lo_score, "max_score": hi_score})
    return out


def rule_effect(fires: int, fires_positive: int, leads: int, positives: int, z: float = Z_95) -> dict:
    """How often a rule fires and the conversion of the leads with and without it (with intervals)."""
    without, without_pos = leads - fires, positives - fires_positive
    with_rate, without_rate = rate(fires_positive, fires), rate(without_pos, without)
    return {
        "fires": fires, "fire_rate": rate(fires, leads),
        "with": {"leads": fires, "positives": fires_positive, "conversion": with_rate,
                 "interval": wilson(fires_positive, fires, z)},
        "without": {"leads": without, "positives": without_pos, "conversion": without_rate,
                    "interval": wilson(without_pos, without, z)},
        "lift": with_rate / without_rate if with_rate is not None and without_rate else None,
    }
