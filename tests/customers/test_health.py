"""customers.health: the pure definition of a health score (no database)."""
from datetime import UTC, date, datetime, timedelta

import pytest

from customers import health as h

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FULL = h.Model(components=tuple(h.Component(code, w) for code, w in h.DEFAULT_WEIGHTS.items()))


def inputs(**kw):
    base = dict(usage_any=True, usage_days={30: 10}, tickets_any=True, tickets={(90, 2): 3.0},
                contracts={(365, 70, 50): 85.0}, nps={180: 8.0}, csat={180: 4.0}, days_since_activity=15)
    base.update(kw)
    return h.Inputs(**base)


class TestContributions:
    def test_contributions_add_up_to_the_score(self):
        result = h.compute(FULL, inputs())
        assert sum(p.contribution for p in result.parts) == pytest.approx(result.raw)
        assert result.score == h.round_half_up(result.raw)

    def test_worked_example(self):
        # usage 10/20 → 50, support 100 − 3×10 → 70, renewal 85, NPS 80, CSAT 75, recency 100 − 15×100/60 → 75
        result = h.compute(FULL, inputs())
        subs = {p.code: p.sub_score for p in result.parts}
        assert subs == {"usage_frequency": 50, "support_load": 70, "renewal_intent": 85, "nps": 80, "csat": 75,
                        "engagement_recency": 75}
        # (50×30 + 70×15 + 85×20 + 80×15 + 75×10 + 75×10) / 100 = 69.5 → 70, at risk
        assert result.raw == pytest.approx(69.5)
        assert (result.score, result.band) == (70, "at_risk")

    def test_weights_are_normalised(self):
        result = h.compute(FULL, inputs())
        assert sum(p.normalised_weight for p in result.parts) == pytest.approx(1)
        assert {p.code: p.normalised_weight for p in result.parts}["usage_frequency"] == pytest.approx(0.3)


class TestMissingData:
    def test_a_component_without_data_is_left_out_and_its_weight_spread(self):
        result = h.compute(FULL, inputs(nps={180: None}, usage_any=False))
        assert result.left_out == ["usage_frequency", "nps"]
        present = [p for p in result.parts if p.present]
        assert sum(p.normalised_weight for p in present) == pytest.approx(1)
        # the remaining weights keep their proportions: renewal 20 of 55
        assert {p.code: p.normalised_weight for p in present}["renewal_intent"] == pytest.approx(20 / 55)
        assert sum(p.contribution for p in result.parts) == pytest.approx(result.raw)

    def test_no_data_at_all_gives_no_score(self):
        empty = h.Inputs()
        result = h.compute(FULL, empty)
        assert (result.score, result.band) == (None, "")
        assert all(p.contribution == 0 for p in result.parts)

    def test_zero_usage_in_the_window_is_data_not_missing(self):
        result = h.compute(FULL, inputs(usage_days={30: 0}))
        usage = result.parts[0]
        assert usage.present and usage.sub_score == 0


class TestBands:
    @pytest.mark.parametrize(("score", "band"), [(0, "critical"), (50, "critical"), (51, "at_risk"),
                                                 (75, "at_risk"), (76, "healthy"), (100, "healthy")])
    def test_band_edges(self, score, band):
        assert h.band_for(score, FULL.bands) == band

    def test_half_rounds_up_into_the_next_band(self):
        model = h.Model(components=(h.Component("renewal_intent", 1),))
        assert h.compute(model, inputs(contracts={(365, 70, 50): 75.5})).band == "healthy"
        assert h.compute(model, inputs(contracts={(365, 70, 50): 75.49})).band == "at_risk"

    def test_default_bands_are_valid(self):
        assert h.band_errors(FULL.bands) == []

    @pytest.mark.parametrize("bands", [
        [("healthy", 76, 100), ("at_risk", 51, 74), ("critical", 0, 50)],   # gap at 75
        [("healthy", 70, 100), ("at_risk", 51, 75), ("critical", 0, 50)],   # overlap
        [("healthy", 76, 99), ("at_risk", 51, 75), ("critical", 0, 50)],    # does not reach 100
        [("healthy", 76, 100), ("healthy", 0, 75)],                         # duplicate
        [("great", 0, 100)],                                                 # unknown code
    ])
    def test_bands_must_cover_0_to_100_without_gaps(self, bands):
        assert h.band_errors([h.Band(*b) for b in bands])


class TestSubScores:
    def test_they_are_clamped_to_0_100(self):
        usage = h.Component("usage_frequency", 1, {"target_days": 5})
        assert h.sub_score(usage, 30) == 100
        support = h.Component("support_load", 1, {"max_tickets": 2})
        assert h.sub_score(support, 7) == 0
        assert h.sub_score(h.Component("csat", 1), 1) == 0

    def test_parameters_are_bounded(self):
        assert h.parameter_errors("usage_frequency", {"window_days": 30}) == []
        assert h.parameter_errors("usage_frequency", {"window_days": 0}) == ["out_of_bounds:window_days"]
        assert h.parameter_errors("usage_frequency", {"colour": 1}) == ["unknown_parameter:colour"]
        assert h.parameter_errors("usage_frequency", {"window_days": "30"}) == ["not_whole_number:window_days"]
        assert h.parameter_errors("usage_frequency", []) == ["parameters_not_object"]
        assert h.parameter_errors("vibes", {}) == ["unknown_component"]

    def test_weights_must_be_positive(self):
        assert h.weight_errors([1, 0]) == ["weight_out_of_bounds"]
        assert h.weight_errors([]) == ["no_components"]


class TestInputsFromRows:
    def test_windows_and_reductions(self):
        model = FULL
        d = lambda n: NOW - timedelta(days=n)  # noqa: E731
        result = h.inputs_from_rows(
            model, now=NOW,
            usage=[d(1), d(1) + timedelta(hours=1), d(2), d(40), NOW + timedelta(days=1)],
            tickets=[(d(5), "urgent"), (d(10), "low"), (d(100), "high")],
            contracts=[(None, "active", ""), (date(2026, 6, 1), "ended", "renewed"), (date(2020, 1, 1), "ended", "")],
            nps=[(d(10), 9), (d(20), 6), (d(400), 0)], csat=[],
            activities=[d(3), d(7)])
        assert result.usage_days == {30: 2}
        assert result.tickets == {(90, 2): 3.0}
        assert result.contracts == {(365, 70, 50): 85.0}
        assert result.nps == {180: 7.5}
        assert result.csat == {180: None}
        assert result.days_since_activity == 3


class TestTrend:
    def test_it_compares_like_with_like(self):
        assert h.trend(score=80, model_id=1, then_score=60, then_model_id=1) == "up"
        assert h.trend(score=50, model_id=1, then_score=60, then_model_id=1) == "down"
        assert h.trend(score=61, model_id=1, then_score=60, then_model_id=1) == "flat"

    def test_no_arrow_when_the_model_changed_or_a_score_is_missing(self):
        assert h.trend(score=80, model_id=2, then_score=60, then_model_id=1) == ""
        assert h.trend(score=80, model_id=1, then_score=None, then_model_id=1) == ""
        assert h.trend(score=None, model_id=1, then_score=60, then_model_id=1) == ""


class TestPickModel:
    SEGMENTS = [h.Segment(1, "default", 90, 0), h.Segment(2, "onboarding", 90, 10)]

    def test_onboarding_in_the_first_days_then_default(self):
        today = date(2026, 12, 1)
        assert h.pick_model(self.SEGMENTS, customer_since=today - timedelta(days=89), today=today) == 2
        assert h.pick_model(self.SEGMENTS, customer_since=today - timedelta(days=90), today=today) == 1
