"""customers.surveys: NPS, CSAT, response rate and business days, on hand-computed figures."""
from datetime import date, datetime

import pytest

from customers import surveys as s




def test_nps_is_percent_promoters_minus_percent_detractors():
    # 10 answers: 5 promoters (9, 9, 10, 10, 9), 2 passives (7, 8), 3 detractors (0, 6, 3)
    figures = s.nps([9, 9, 10, 10, 9, 7, 8, 0, 6, 3])
    assert (figures.promoters, figures.passives, figures.detractors, figures.responses) == (5, 2, 3, 10)
    assert figures.score == 20.0  # 50 % − 30 %


def test_nps_boundaries_six_is_a_detractor_seven_a_passive_nine_a_promoter():
    assert [s.nps_category(n) for n in (0, 6, 7, 8, 9, 10)] == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter"]


def test_nps_rounds_to_one_decimal_and_spans_minus_100_to_100():
    assert s.nps([10, 10, 0]).score == 33.3    # (2 − 1) / 3
    assert s.nps([10, 9]).score == 100.0
    assert s.nps([0, 1, 2]).score == -100.0
    assert s.nps([8, 7]).score == 0.0           # passives only


def test_no_answers_give_no_figure_rather_than_zero():
    assert s.nps([]).score is None
    assert s.csat([]).score is None
    assert s.response_rate(0, 0) is None


def test_csat_is_the_share_of_four_and_five():
    figures = s.csat([5, 4, 3, 2, 1, 4, 5, 5])  # 5 of 8 score 4–5
    assert (figures.satisfied, figures.responses) == (5, 8)
    assert figures.score == 62.5


def test_response_rate_is_answered_over_sent():
    assert s.response_rate(3, 8) == 37.5
    assert s.response_rate(2, 3) == 66.7


@pytest.mark.parametrize("kind, score, reason", [
    ("nps", 0, s.NPS_DETRACTOR), ("nps", 6, s.NPS_DETRACTOR), ("nps", 7, None), ("nps", 10, None),
    ("csat", 1, s.CSAT_LOW), ("csat", 2, s.CSAT_LOW), ("csat", 3, None), ("csat", 5, None),
])
def test_a_detractor_or_a_low_csat_calls_for_a_follow_up(kind, score, reason):
    assert s.followup_reason(kind, score) == reason


def test_scales():
    assert s.in_scale("nps", 0) and s.in_scale("nps", 10) and not s.in_scale("nps", 11)
    assert not s.in_scale("csat", 0) and s.in_scale("csat", 5) and not s.in_scale("csat", 6)
    assert not s.in_scale("nps", True)


def test_two_business_days_skip_the_weekend():
    assert s.add_business_days(date(2026, 12, 1), 2) == date(2026, 12, 3)    # Tue → Thu
    assert s.add_business_days(date(2026, 12, 3), 2) == date(2026, 12, 7)    # Thu → Mon
    assert s.add_business_days(date(2026, 12, 5), 2) == date(2026, 12, 8)    # Sat → Tue
    assert s.add_business_days(datetime(2026, 12, 4, 15, 30), 2) == datetime(2026, 12, 8, 15, 30)  # Fri → Tue


def test_further_questions_are_normalised_or_refused_with_a_reason():
    assert s.normalise_questions(None) == []
    assert s.normalise_questions([" Why? ", "What next?"]) == ["Why?", "What next?"]
    for bad, reason in (("text", "list"), ([""], "blank"), ([1], "blank"), (["a", "a"], "duplicate"),
                        (["x" * 301], "too_long"), ([f"q{i}" for i in range(11)], "too_many")):
        with pytest.raises(ValueError, match=reason):
            s.normalise_questions(bad)
