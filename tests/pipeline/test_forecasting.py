"""Pure forecast and funnel arithmetic (no database)."""
from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase

from pipeline import forecasting as f


class PeriodTests(SimpleTestCase):
    def test_month_and_quarter_bounds(self):
        self.assertEqual(f.period_bounds("month", date(2024, 2, 10)), (date(2024, 2, 1), date(2024, 2, 29)))
        self.assertEqual(f.period_bounds("quarter", date(2024, 11, 30)), (date(2024, 10, 1), date(2024, 12, 31)))

    def test_previous_periods_go_back_from_the_current_one(self):
        self.assertEqual(f.previous_periods("quarter", date(2024, 2, 1), 2),
                         [(date(2023, 10, 1), date(2023, 12, 31)), (date(2023, 7, 1), date(2023, 9, 30))])

    def test_default_funnel_period_is_the_last_three_months(self):
        self.assertEqual(f.default_funnel_period(date(2024, 5, 31)), (date(2024, 3, 1), date(2024, 5, 31)))

    def test_add_months_clamps_to_the_month_end(self):
        self.assertEqual(f.add_months(date(2024, 3, 31), -1), date(2024, 2, 29))


class ProbabilityTests(SimpleTestCase):
    def test_rep_beats_model_beats_stage(self):
        self.assertEqual(f.chosen_probability(stage=50, model=30, rep=80), (80, "rep"))
        self.assertEqual(f.chosen_probability(stage=50, model=30), (30, "model"))
        self.assertEqual(f.chosen_probability(stage=50), (50, "stage"))
        self.assertEqual(f.chosen_probability(stage=50, model=None, rep=0), (0, "rep"))

    def test_weighted_amount(self):
        self.assertEqual(f.weighted_amount(Decimal("1000"), 25), Decimal("250.00"))


class WinRateTests(SimpleTestCase):
    STAGES = [(1, 10), (2, 20)]

    def test_a_deal_counts_for_every_stage_it_reached(self):
        # team 7: 10 won (reached everything), 10 lost after stage order 10 only
        rates = f.win_rates([(7, 50, True, 10), (7, 10, False, 10)], stages=self.STAGES, min_samples=5)
        team = {r.stage_id: r for r in rates if r.team_id == 7}
        self.assertEqual((team[1].closed, team[1].won, team[1].probability), (20, 10, 50))
        self.assertEqual((team[2].closed, team[2].won, team[2].probability), (10, 10, 100))

    def test_small_teams_fall_back_to_the_organisation_rate_and_nothing_below_that(self):
        rates = f.win_rates([(1, 50, True, 30), (1, 20, False, 10), (2, 50, True, 1)], stages=self.STAGES,
                            min_samples=10)
        by = {(r.team_id, r.stage_id): r.probability for r in rates}
        self.assertEqual(by[(1, 1)], 75)
        self.assertEqual(by[(2, 1)], by[(None, 1)])  # team 2 has 1 deal: organisation-wide
        self.assertEqual(f.win_rates([(1, 50, True, 2)], stages=self.STAGES, min_samples=10)[0].probability, None)


class RollUpTests(SimpleTestCase):
    def test_categories_are_cumulative(self):
        open_rows = [
            {"owner_id": 1, "forecast_category": "commit", "amount": 100, "weighted": 75, "deals": 1},
            {"owner_id": 1, "forecast_category": "best_case", "amount": 200, "weighted": 100, "deals": 1},
            {"owner_id": 1, "forecast_category": "pipeline", "amount": 400, "weighted": 40, "deals": 2},
        ]
        figures = f.roll_up(open_rows, [{"owner_id": 1, "amount": 50}], key=lambda r: r["owner_id"])[1].as_dict()
        self.assertEqual(figures["won"], Decimal("50"))
        self.assertEqual(figures["commit"], Decimal("150"))
        self.assertEqual(figures["best_case"], Decimal("350"))
        self.assertEqual(figures["pipeline"], Decimal("700"))
        self.assertEqual(figures["weighted"], Decimal("265"))
        self.assertEqual(figures["deals"], 4)


class AccuracyTests(SimpleTestCase):
    def test_error_and_accuracy(self):
        result = f.accuracy(forecast=Decimal("100"), actual=Decimal("80"))
        self.assertEqual(result["error_percent"], Decimal("-20.0"))
        self.assertEqual(result["accuracy_percent"], Decimal("80.0"))
        self.assertEqual(f.accuracy(forecast=100, actual=500)["accuracy_percent"], Decimal("0.0"))
        self.assertIsNone(f.accuracy(forecast=0, actual=10)["accuracy_percent"])


class FunnelMathTests(SimpleTestCase):
    def test_reached_counts_and_conversion(self):
        reached = f.reached_counts({10: 5, 20: 3, 50: 2}, [10, 20, 50])
        self.assertEqual(reached, {10: 10, 20: 5, 50: 2})
        self.assertEqual(f.conversion_rate(10, 5), 50.0)
        self.assertIsNone(f.conversion_rate(0, 0))

    def test_win_rate_and_median(self):
        self.assertEqual(f.win_rate(3, 1), 75.0)
        self.assertIsNone(f.win_rate(0, 0))
        self.assertEqual(f.median([5, 1, 3]), 3)
        self.assertEqual(f.median([4, 1, 3, 2]), 2.5)
        self.assertEqual(f.median_offsets(4), (1, 2))
        self.assertEqual(f.median_offsets(5), (2, 2))
