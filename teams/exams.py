"""Exams, retakes and certification status as pure functions (no Django, no database).

A question is data: `{"text": str, "choices": [str, ...], "correct": [index, ...], "multiple": bool}`.
A single-choice question has exactly one correct choice and takes one answer; a multiple-choice
question takes any number. An answer sheet is a list with one list of chosen indexes per question
(an empty list, or a missing tail, is unanswered). A question counts only when the chosen set is
exactly the correct set (no partial credit); the score is the share of questions answered right,
in percent with one decimal, and the exam is passed when the score reaches the pass mark.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_noop  # marks msgids only (needs no settings)

MAX_QUESTIONS = 100
MAX_CHOICES = 10
MAX_TEXT = 500

# certification status of one person for one certification
VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"
MISSING = "missing"
STATUSES = (VALID, EXPIRING, EXPIRED, MISSING)


class ExamDataError(ValueError):
    """Questions or answers that do not fit the format; `messages` are English msgids with params."""

    def __init__(self, message: str, params: dict | None = None):
        super().__init__(message)
        self.message = message
        self.params = params or {}


@dataclass(frozen=True)
class ExamResult:
    correct: int
    total: int
    score: Decimal          # percent, one decimal
    passed: bool


def validate_questions(questions) -> None:
    """Raise ExamDataError unless `questions` is a non-empty list of well-formed questions."""
    if not isinstance(questions, list) or not questions:
        raise ExamDataError(gettext_noop("An exam needs at least one question."))
    if len(questions) > MAX_QUESTIONS:
        raise ExamDataError(gettext_noop("An exam has at most %(n)d questions."), {"n": MAX_QUESTIONS})
    for number, question in enumerate(questions, start=1):
        params = {"n": number}
        if not isinstance(question, dict):
            raise ExamDataError(gettext_noop("Question %(n)d is not a question."), params)
        text, choices, correct = question.get("text"), question.get("choices"), question.get("correct")
        multiple = question.get("multiple", False)
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise ExamDataError(gettext_noop("Question %(n)d needs a text (at most 500 characters)."), params)
        if (not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES
                or not all(isinstance(c, str) and c.strip() and len(c) <= MAX_TEXT for c in choices)):
            raise ExamDataError(gettext_noop("Question %(n)d needs 2 to 10 choices, each a text."), params)
        if not isinstance(multiple, bool):
            raise ExamDataError(gettext_noop("Question %(n)d: “multiple” is true or false."), params)
        if (not isinstance(correct, list) or not correct or len(set(correct)) != len(correct)
                or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(choices) for i in correct)):
            raise ExamDataError(gettext_noop("Question %(n)d: the correct answers must be choice numbers."), params)
        if not multiple and len(correct) != 1:
            raise ExamDataError(gettext_noop("Question %(n)d is single choice: exactly one answer is correct."), params)


def normalise_answers(questions: list, answers) -> list[frozenset[int]]:
    """The answer sheet as one set of chosen indexes per question; ExamDataError on bad input."""
    if not isinstance(answers, list) or len(answers) > len(questions):
        raise ExamDataError(gettext_noop("Give one answer per question, at most %(n)d."), {"n": len(questions)})
    sheet: list[frozenset[int]] = []
    for number, (question, chosen) in enumerate(zip(questions, answers, strict=False), start=1):
        if chosen is None:
            chosen = []
        if isinstance(chosen, int) and not isinstance(chosen, bool):
            chosen = [chosen]
        size = len(question["choices"])
        if (not isinstance(chosen, list)
                or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < size for i in chosen)):
            raise ExamDataError(gettext_noop("Answer %(n)d is not one of the question's choices."), {"n": number})
        if not question.get("multiple", False) and len(set(chosen)) > 1:
            raise ExamDataError(gettext_noop("Question %(n)d takes one answer."), {"n": number})
        sheet.append(frozenset(chosen))
    sheet += [frozenset()] * (len(questions) - len(sheet))
    return sheet


def score_exam(questions: list, answers, pass_mark: int) -> ExamResult:
    """Score an answer sheet. All-or-nothing per question; passed when score >= pass_mark (percent)."""
    sheet = normalise_answers(questions, answers)
    correct = sum(1 for question, chosen in zip(questions, sheet, strict=True)
                  if chosen == frozenset(question["correct"]))
    total = len(questions)
    score = (Decimal(correct * 100) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return ExamResult(correct=correct, total=total, score=score, passed=score >= Decimal(pass_mark))


def retake_refusal(*, attempts: int, max_attempts: int, last_attempt_at: datetime | None,
                   cooldown_hours: int, now: datetime) -> tuple[str, dict] | None:
    """Why another attempt is not allowed now (an English msgid and its params), or None.

    `max_attempts` 0 means unlimited; `cooldown_hours` is the wait after each attempt."""
    if max_attempts and attempts >= max_attempts:
        return gettext_noop("You have used all %(n)d attempts at this exam."), {"n": max_attempts}
    if last_attempt_at is not None and cooldown_hours:
        ready = last_attempt_at + timedelta(hours=cooldown_hours)
        if now < ready:
            return gettext_noop("You can retake this exam from %(when)s."), {"when": ready}
    return None


def certification_status(expires_on: date | None, today: date, *, warn_days: int, held: bool = True) -> str:
    """valid / expiring (within `warn_days` of its expiry) / expired / missing (never held)."""
    if not held:
        return MISSING
    if expires_on is None:
        return VALID
    if expires_on < today:
        return EXPIRED
    if (expires_on - today).days <= warn_days:
        return EXPIRING
    return VALID


def due_reminder(expires_on: date, today: date, thresholds, already: set[int]) -> tuple[int, list[int]] | None:
    """The reminder to send today for a certification expiring on `expires_on`: the smallest threshold
    (days before expiry) already reached and not yet sent, plus every larger reached threshold (marked
    as sent with it, so a late start never sends a burst). None when nothing is due or it has expired."""
    days_left = (expires_on - today).days
    if days_left < 0:
        return None
    reached = sorted(t for t in set(thresholds) if days_left <= t and t not in already)
    if not reached:
        return None
    return reached[0], reached


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, one decimal; None for an empty whole."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def best_by_value(candidates) -> tuple | None:
    """The (key, value) with the highest value, ties broken by the smaller key; None-valued entries
    never win. `candidates` is an iterable of (key, value)."""
    ranked = sorted(((key, value) for key, value in candidates if value is not None),
                    key=lambda kv: (-kv[1], kv[0]))
    return ranked[0] if ranked else None
