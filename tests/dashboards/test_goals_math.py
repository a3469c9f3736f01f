"""Goal pace math on hand-computed cases (no database)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from dashboards import goals

START = date(2026, 1, 1)
DEADLINE = START + timedelta(days=100)
MID = START + timedelta(days=50)  # elapsed 0.5


def up(current, today=MID, **kw):  # MQL -> opportunity 15 % -> 25 %
    return goals.pace(baseline=15, target=25, current=current, start=START, deadline=DEADLINE, today=today,
                      better="up", **kw)


def down(current, today=MID, **kw):  # sales cycle 90 -> 75 days
    return goals.pace(baseline=90, target=75, current=current, start=START, deadline=DEADLINE, today=today,
                      better="down", **kw)


class TestUpGoal:
    def test_halfway_the_prorated_target_is_twenty(self):
        assert up(20).expected == pytest.approx(20.0)
        assert up(20).elapsed == pytest.approx(0.5)

    def test_at_the_prorated_target_it_is_on_track(self):
        p = up(20)
        assert (p.status, p.progress, p.pace) == ("on_track", pytest.approx(0.5), pytest.approx(1.0))

    def test_nineteen_point_five_is_behind(self):
        # progress (19.5-15)/10 = 0.45; pace 0.45/0.5 = 0.90 -> between 0.81 and 0.99
        p = up(Decimal("19.5"))
        assert p.pace == pytest.approx(0.9)
        assert p.status == "behind"

    def test_eighteen_is_at_risk(self):
        # progress 0.3; pace 0.6 < 0.81
        p = up(18)
        assert p.pace == pytest.approx(0.6)
        assert p.status == "at_risk"

    def test_boundaries_are_inclusive_of_the_better_status(self):
        # pace exactly 0.99: on track; exactly 0.81: behind
        assert up(15 + 10 * 0.99 * 0.5).status == "on_track"
        assert up(15 + 10 * 0.81 * 0.5).status == "behind"

    def test_falling_below_baseline_is_negative_progress_and_at_risk(self):
        p = up(14)
        assert p.progress == pytest.approx(-0.1)
        assert p.status == "at_risk"
        assert p.progress_percent == 0

    def test_beyond_target_clamps_the_bar(self):
        assert up(30).progress_percent == 100

    def test_thresholds_come_from_the_caller(self):
        assert up(Decimal("19.5"), thresholds=goals.Thresholds(on_track=0.9, at_risk=0.5)).status == "on_track"

    def test_at_start_nothing_is_expected(self):
        p = up(15, today=START)
        assert (p.status, p.elapsed, p.pace) == ("on_track", 0.0, None)


class TestDownGoal:
    def test_halfway_the_prorated_target_is_eighty_two_and_a_half(self):
        assert down(82.5).expected == pytest.approx(82.5)
        assert down(82.5).status == "on_track"

    def test_eighty_four_days_is_behind(self):
        # progress (84-90)/(75-90) = 0.4; pace 0.8 -> below 0.81: at risk; 83.5 -> 0.433/0.5 = 0.8667 behind
        assert down(84).pace == pytest.approx(0.8)
        assert down(84).status == "at_risk"
        assert down(Decimal("83.5")).pace == pytest.approx(13 / 15)
        assert down(Decimal("83.5")).status == "behind"

    def test_a_longer_cycle_is_at_risk(self):
        p = down(95)
        assert p.progress == pytest.approx(-1 / 3)
        assert p.status == "at_risk"

    def test_at_the_deadline_the_target_itself_is_needed(self):
        late = DEADLINE + timedelta(days=10)
        assert down(75, today=late).status == "on_track"
        assert down(76, today=late).pace == pytest.approx(14 / 15)
        assert down(76, today=late).status == "behind"


class TestThresholdGoal:
    def test_holding_completeness_at_or_above_target_is_on_track(self):
        kw = dict(baseline=95, target=95, start=START, deadline=DEADLINE, today=MID, better="up")
        assert goals.pace(current=96, **kw).status == "on_track"
        assert goals.pace(current=95, **kw).status == "on_track"
        assert goals.pace(current=94.9, **kw).status == "at_risk"


def test_no_current_value_is_behind_without_progress():
    p = up(None)
    assert (p.status, p.progress, p.pace) == ("behind", None, None)


def test_bad_direction_and_thresholds_are_refused():
    with pytest.raises(ValueError):
        goals.pace(baseline=1, target=2, current=1, start=START, deadline=DEADLINE, today=MID, better="sideways")
    with pytest.raises(ValueError):
        goals.Thresholds(on_track=0.5, at_risk=0.8)
