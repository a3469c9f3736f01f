"""The quality figures of a score on a hand-computed fixture (leads.scoring_quality, pure)."""
import itertools

import pytest

from leads.scoring_quality import Bin, auc, deciles, group_rates, ntile_sizes, rule_effect, wilson

# score 0: 4 leads, 1 converted; score 10: 3 leads, 1 converted; score 20: 3 leads, 2 converted
FIXTURE = [Bin(10, 3, 1), Bin(0, 4, 1), Bin(20, 3, 2)]


def brute_force_auc(bins):
    """Every (converter, non-converter) pair: 1 if the converter scores higher, ½ for a tie."""
    pos = [b.score for b in bins for _ in range(b.positives)]
    neg = [b.score for b in bins for _ in range(b.leads - b.positives)]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_auc_by_hand():
    # ascending: 1·(0 + 3/2) + 1·(3 + 2/2) + 2·(5 + 1/2) = 16.5 over 4·6 pairs
    assert auc(FIXTURE) == pytest.approx(16.5 / 24)
    assert auc(FIXTURE) == pytest.approx(brute_force_auc(FIXTURE))


def test_auc_edges():
    assert auc([Bin(5, 3, 3)]) is None            # nobody failed to convert
    assert auc([Bin(5, 3, 0), Bin(6, 1, 0)]) is None  # nobody converted
    assert auc([Bin(1, 5, 2)]) == 0.5              # one score for everybody: no better than chance
    assert auc([Bin(0, 2, 0), Bin(9, 2, 2)]) == 1.0
    assert auc([Bin(0, 2, 2), Bin(9, 2, 0)]) == 0.0
    assert auc([Bin(3, 2, 1), Bin(3, 4, 1)]) == 0.5  # repeated scores are merged


def test_auc_agrees_with_pairs_on_a_ragged_histogram():
    bins = [Bin(-5, 7, 1), Bin(0, 11, 2), Bin(3, 1, 1), Bin(12, 9, 6), Bin(40, 2, 0)]
    assert auc(bins) == pytest.approx(brute_force_auc(bins))


def test_wilson_by_hand():
    low, high = wilson(5, 10)
    assert (low, high) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    assert wilson(10, 10)[1] == pytest.approx(1.0)
    assert wilson(0, 0) is None


def test_ntile_sizes_match_ntile():
    assert ntile_sizes(23, 10) == [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
    assert ntile_sizes(3, 10) == [1, 1, 1]
    assert ntile_sizes(0, 10) == []


def test_deciles_split_tied_scores_in_proportion():
    parts = deciles(FIXTURE, parts=5)  # five parts of two leads, best scores first
    assert [p["leads"] for p in parts] == [2, 2, 2, 2, 2]
    assert [p["positives"] for p in parts] == pytest.approx([4 / 3, 1, 2 / 3, 0.5, 0.5])
    assert [p["conversion"] for p in parts] == pytest.approx([2 / 3, 0.5, 1 / 3, 0.25, 0.25])
    assert [p["lift"] for p in parts] == pytest.approx([(2 / 3) / 0.4, 1.25, (1 / 3) / 0.4, 0.625, 0.625])
    assert [(p["min_score"], p["max_score"]) for p in parts] == [(20, 20), (10, 20), (10, 10), (0, 0), (0, 0)]
    assert parts[-1]["cumulative_share"] == pytest.approx(1.0)
    assert parts[0]["cumulative_share"] == pytest.approx(1 / 3)


def test_ten_deciles_of_ten_leads():
    parts = deciles(FIXTURE)
    assert len(parts) == 10 and all(p["leads"] == 1 for p in parts)
    assert parts[0]["lift"] == pytest.approx((2 / 3) / 0.4)


def test_group_rates_with_intervals():
    rows = group_rates(FIXTURE, lambda s: "Hot" if s >= 10 else "Cold", order=["Hot", "Warm", "Cold"])
    by = {r["group"]: r for r in rows}
    assert (by["Hot"]["leads"], by["Hot"]["positives"], by["Hot"]["conversion"]) == (6, 3, 0.5)
    assert (by["Hot"]["min_score"], by["Hot"]["max_score"]) == (10, 20)
    assert by["Cold"]["conversion"] == 0.25
    assert (by["Cold"]["low"], by["Cold"]["high"]) == pytest.approx(wilson(1, 4))
    assert by["Warm"]["leads"] == 0 and by["Warm"]["conversion"] is None and by["Warm"]["low"] is None
    assert [r["group"] for r in rows] == ["Hot", "Warm", "Cold"]


def test_rule_effect():
    effect = rule_effect(fires=4, fires_positive=3, leads=10, positives=4)
    assert effect["fire_rate"] == 0.4
    assert effect["with"]["conversion"] == 0.75
    assert effect["without"]["leads"] == 6 and effect["without"]["conversion"] == pytest.approx(1 / 6)
    assert effect["lift"] == pytest.approx(4.5)
    assert rule_effect(fires=0, fires_positive=0, leads=5, positives=1)["with"]["conversion"] is None
