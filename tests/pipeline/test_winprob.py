"""pipeline.winprob (pure): features, fit, explanation, Brier score and calibration on hand-made facts."""
import json
import random
from datetime import date, timedelta

import pytest

from pipeline import winprob
from pipeline.winprob import DealFacts

STAGES = [(10, 1), (11, 2)]


def synthetic(n=400, seed=1, start=date(2025, 1, 1)):
    """Meetings drive wins, discount hurts them; everything else is noise."""
    rng = random.Random(seed)
    facts = []
    for i in range(n):
        meetings, discount = rng.randint(0, 4), rng.choice([0, 5, 10, 20, 30])
        p = min(max(0.2 + 0.15 * meetings - discount / 60, 0.02), 0.98)
        facts.append(DealFacts(
            id=i + 1, stage_id=rng.choice([10, 11]), team_id=rng.choice([1, 2]), days_in_stage=rng.randint(1, 60),
            age_days=rng.randint(10, 200), amount=rng.choice([None, 1000.0, 5000.0]), amount_estimate=800.0,
            discount=discount, products=(rng.choice([1, 2]),), source="website", activities={"meeting": meetings},
            won=rng.random() < p, closed_on=start + timedelta(days=i), furthest_order=2, stage_default=30))
    return facts


class TestFigures:
    def test_brier_is_the_mean_squared_gap(self):
        # (0.2² + 0.3² + 0.4² + 0.1²) / 4 = (0.04 + 0.09 + 0.16 + 0.01) / 4
        assert winprob.brier([1, 0, 1, 0], [0.8, 0.3, 0.6, 0.1]) == pytest.approx(0.075)
        assert winprob.brier([], []) is None

    def test_calibration_parts_follow_ntile_sizes_lowest_first(self):
        rows = winprob.calibration_deciles([1, 0, 1, 0, 0], [0.9, 0.1, 0.5, 0.3, 0.7], parts=2)
        # sorted: 0.1 (lost), 0.3 (lost), 0.5 (won) | 0.7 (lost), 0.9 (won)
        assert rows == [{"part": 1, "deals": 3, "predicted": pytest.approx(0.3), "actual": pytest.approx(1 / 3, abs=1e-6),
                         "won": 1},
                        {"part": 2, "deals": 2, "predicted": pytest.approx(0.8), "actual": 0.5, "won": 1}]

    def test_ten_parts_of_ntile_sizes(self):
        assert winprob.ntile_sizes(23) == [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
        rows = winprob.calibration_deciles([i % 2 for i in range(23)], [i / 23 for i in range(23)])
        assert [r["deals"] for r in rows] == winprob.ntile_sizes(23)

    def test_the_last_quarter_with_closes_is_held_out(self):
        days = [date(2025, 2, 1), date(2025, 5, 3), date(2025, 8, 9), date(2025, 8, 30)]
        assert winprob.holdout_start(days, 1) == date(2025, 7, 1)
        assert winprob.holdout_start(days, 2) == date(2025, 4, 1)
        assert winprob.holdout_start(days[:1], 1) is None  # nothing left to learn from

    def test_stage_table_is_learnt_from_training_deals_only(self):
        train = [DealFacts(id=i, stage_id=10, team_id=1, won=i < 3, furthest_order=2) for i in range(4)]
        table = winprob.stage_table(train, stages=STAGES, min_samples=1)
        assert table[(1, 10)] == 75 and table[(None, 11)] == 75
        assert winprob.stage_table_probability(DealFacts(id=9, stage_id=10, team_id=2), table) == 0.75  # org rate
        assert winprob.stage_table_probability(DealFacts(id=9, stage_id=99, stage_default=40), table) == 0.4


class TestFit:
    def test_a_feature_that_drives_wins_gets_a_positive_coefficient(self):
        model = winprob.fit(synthetic())
        coef = dict(zip(model.kept, model.coef))
        assert coef["activities_meeting"] > 0.5
        assert coef["discount"] < -0.3
        assert model.calibration == "sigmoid"

    def test_it_is_deterministic_and_survives_json(self):
        first, second = winprob.fit(synthetic()), winprob.fit(synthetic())
        assert first.as_dict() == second.as_dict()
        again = winprob.WinModel.from_dict(json.loads(json.dumps(first.as_dict())))
        facts = synthetic(20, seed=5)
        assert again.predict(facts).tolist() == first.predict(facts).tolist()

    def test_the_logit_is_the_intercept_plus_the_contributions(self):
        model = winprob.fit(synthetic())
        facts = synthetic(5, seed=3)
        import numpy as np
        assert np.allclose(model.logits(facts), model.intercept + model.contributions(facts).sum(axis=1))

    def test_a_feature_known_only_after_the_outcome_is_left_out(self):
        # only lost deals lack an amount (as when a CRM zeroes lost deals): the flag would tell the outcome
        # (won amounts straddle the 800 estimate, so the amount alone does not separate them)
        facts = [DealFacts(**{**f.__dict__, "amount": None if not f.won else 600.0 + f.id}) for f in synthetic()]
        model = winprob.fit(facts)
        excluded = {e["column"]: e["reason"] for e in model.excluded}
        assert excluded == {"amount_unknown": "separates_outcomes", "amount": "follows_amount_unknown"}
        assert "amount" not in model.kept and "amount_unknown" not in model.kept

    def test_one_outcome_is_not_enough(self):
        with pytest.raises(winprob.NotEnoughHistory) as exc:
            winprob.fit([DealFacts(id=i, stage_id=10, won=True) for i in range(10)])
        assert exc.value.code == "one_outcome"

    def test_values_outside_the_training_range_are_clipped(self):
        model = winprob.fit(synthetic())
        oldest = max(f.age_days for f in synthetic())
        base = DealFacts(id=1, stage_id=10, team_id=1, age_days=oldest, activities={"meeting": 1})
        far = DealFacts(**{**base.__dict__, "age_days": oldest * 50})
        assert model.predict([far])[0] == model.predict([base])[0]


class TestExplain:
    def test_factors_name_the_deals_own_levels_and_sum_their_columns(self):
        model = winprob.fit(synthetic())
        deal = DealFacts(id=1, stage_id=10, team_id=2, discount=0, products=(1,), activities={"meeting": 4},
                         days_in_stage=5, age_days=20, amount=1000.0)
        factors = model.explain([deal], top=10)[0]
        by_feature = {f["feature"]: f for f in factors}
        assert factors[0]["feature"] == "activities_meeting" and factors[0]["points"] > 0
        assert by_feature["activities_meeting"]["direction"] == "above"
        assert by_feature["discount"]["direction"] == "below" and by_feature["discount"]["points"] > 0
        if "team" in by_feature:
            assert by_feature["team"]["levels"] == ["2"] and by_feature["team"]["direction"] == "is"
        assert len(model.explain([deal])[0]) <= winprob.TOP_FACTORS


class TestTrainAndEvaluate:
    def test_time_split_and_figures(self):
        training = winprob.train_and_evaluate(synthetic(), stages=STAGES)
        figures = training.figures
        # 400 days from 2025-01-01: the last quarter with closes (2026-Q1) is held out
        assert figures["holdout"]["start"] == "2026-01-01"
        assert figures["holdout"]["deals"] == len(training.holdout_ids) == 400 - (date(2026, 1, 1) - date(2025, 1, 1)).days
        brier = figures["holdout"]["brier"]
        assert 0 <= brier["model"] < brier["stage_table"] <= 0.5
        assert [q["quarter"] for q in figures["per_quarter"]] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4",
                                                                   "2026-Q1"]
        assert [q["held_out"] for q in figures["per_quarter"]] == [False] * 4 + [True]
        deciles = figures["holdout"]["deciles"]["model"]
        assert sum(d["deals"] for d in deciles) == figures["holdout"]["deals"] and len(deciles) == 10

    def test_too_little_history_says_why(self):
        with pytest.raises(winprob.NotEnoughHistory) as exc:
            winprob.train_and_evaluate(synthetic(40), stages=STAGES)  # 40 days: one quarter only
        assert exc.value.code == "too_few_quarters"
        with pytest.raises(winprob.NotEnoughHistory) as exc:
            winprob.train_and_evaluate(synthetic(100, start=date(2025, 3, 20)), stages=STAGES, min_deals=30)
        assert exc.value.code == "too_few_deals"
