"""teams.exams: scoring, pass mark, retakes, status and reminder thresholds, without a database."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from teams import exams
from tests.teams.training_fixtures import FOUR_RIGHT, QUESTIONS, RIGHT, THREE_RIGHT


def test_all_right_scores_100_and_passes():
    result = exams.score_exam(QUESTIONS, RIGHT, 80)
    assert (result.correct, result.total, result.score, result.passed) == (5, 5, Decimal("100.0"), True)


def test_the_pass_mark_is_reached_exactly_at_80_percent():
    assert exams.score_exam(QUESTIONS, FOUR_RIGHT, 80) == exams.ExamResult(4, 5, Decimal("80.0"), True)
    assert exams.score_exam(QUESTIONS, THREE_RIGHT, 80).passed is False
    assert exams.score_exam(QUESTIONS, FOUR_RIGHT, 81).passed is False


def test_a_multiple_choice_question_counts_only_with_exactly_the_right_set():
    assert exams.score_exam(QUESTIONS, [[0], [1], [0, 2, 3], [1], [0]], 80).correct == 4
    assert exams.score_exam(QUESTIONS, [[0], [1], [2, 0], [1], [0]], 80).correct == 5


def test_unanswered_and_missing_answers_are_wrong():
    result = exams.score_exam(QUESTIONS, [[0], None, []], 80)
    assert (result.correct, result.score) == (1, Decimal("20.0"))


def test_the_score_rounds_to_one_decimal():
    three = QUESTIONS[:3]
    assert exams.score_exam(three, [[0], [1], []], 80).score == Decimal("66.7")


@pytest.mark.parametrize("answers", [
    "0", [[5]], [[0, 1]], [["a"]], [[True]], [[0]] * 6, {"q": 1},
])
def test_bad_answer_sheets_are_refused(answers):
    with pytest.raises(exams.ExamDataError):
        exams.score_exam(QUESTIONS, answers, 80)


@pytest.mark.parametrize("questions", [
    [], "x", [{"text": "", "choices": ["a", "b"], "correct": [0]}],
    [{"text": "Q", "choices": ["a"], "correct": [0]}],
    [{"text": "Q", "choices": ["a", "b"], "correct": [2]}],
    [{"text": "Q", "choices": ["a", "b"], "correct": [0, 1]}],
    [{"text": "Q", "choices": ["a", "b"], "correct": [0], "multiple": "yes"}],
    [{"text": "Q", "choices": ["a", "b"], "correct": []}],
])
def test_malformed_questions_are_refused(questions):
    with pytest.raises(exams.ExamDataError):
        exams.validate_questions(questions)


def test_well_formed_questions_pass_validation():
    exams.validate_questions(QUESTIONS)


NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_retakes_stop_after_the_most_attempts():
    assert exams.retake_refusal(attempts=3, max_attempts=3, last_attempt_at=None, cooldown_hours=0, now=NOW)
    assert exams.retake_refusal(attempts=2, max_attempts=3, last_attempt_at=None, cooldown_hours=0, now=NOW) is None
    assert exams.retake_refusal(attempts=50, max_attempts=0, last_attempt_at=None, cooldown_hours=0, now=NOW) is None


def test_a_retake_waits_for_the_cool_down():
    last = NOW - timedelta(hours=23)
    message, params = exams.retake_refusal(attempts=1, max_attempts=3, last_attempt_at=last, cooldown_hours=24,
                                           now=NOW)
    assert params["when"] == last + timedelta(hours=24)
    assert exams.retake_refusal(attempts=1, max_attempts=3, last_attempt_at=NOW - timedelta(hours=24),
                                cooldown_hours=24, now=NOW) is None


def test_certification_status():
    today = date(2026, 12, 1)
    assert exams.certification_status(None, today, warn_days=30, held=False) == exams.MISSING
    assert exams.certification_status(None, today, warn_days=30) == exams.VALID
    assert exams.certification_status(date(2026, 11, 30), today, warn_days=30) == exams.EXPIRED
    assert exams.certification_status(date(2026, 12, 31), today, warn_days=30) == exams.EXPIRING
    assert exams.certification_status(date(2027, 1, 1), today, warn_days=30) == exams.VALID


def test_the_due_reminder_is_the_smallest_threshold_reached_and_marks_larger_ones():
    expires = date(2026, 12, 6)
    assert exams.due_reminder(expires, date(2026, 11, 1), [30, 7], set()) is None
    assert exams.due_reminder(expires, date(2026, 11, 6), [30, 7], set()) == (30, [30])
    assert exams.due_reminder(expires, date(2026, 11, 7), [30, 7], {30}) is None
    assert exams.due_reminder(expires, date(2026, 12, 1), [30, 7], set()) == (7, [7, 30])
    assert exams.due_reminder(expires, date(2026, 12, 1), [30, 7], {30}) == (7, [7])
    assert exams.due_reminder(expires, date(2026, 12, 7), [30, 7], set()) is None


def test_best_by_value_ignores_none_and_breaks_ties_by_key():
    assert exams.best_by_value([(3, 90.0), (1, 90.0), (2, None), (4, 10.0)]) == (1, 90.0)
    assert exams.best_by_value([(1, None)]) is None
    assert exams.percent(1, 3) == 33.3 and exams.percent(0, 0) is None
