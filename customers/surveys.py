"""NPS and CSAT arithmetic without Django: the figures the survey pages, the metrics and health share.

- NPS (0–10): promoters score 9–10, passives 7–8, detractors 0–6;
  NPS = % promoters − % detractors (−100…100), shown with the three counts.
- CSAT (1–5): the share of answers scoring 4 or 5, in percent.
- Response rate: answered invitations ÷ invitations sent, in percent.
- A follow-up is due for a detractor (NPS 0–6) or a low CSAT (1–2), two business days later.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

NPS = "nps"
CSAT = "csat"
SCALES = {NPS: (0, 10), CSAT: (1, 5)}

PROMOTER_MIN = 9
PASSIVE_MIN = 7
CSAT_SATISFIED_MIN = 4
CSAT_LOW_MAX = 2

NPS_DETRACTOR = "nps-detractor"
CSAT_LOW = "csat-low"

MAX_EXTRA_QUESTIONS = 10
MAX_QUESTION_LENGTH = 300
MAX_ANSWER_LENGTH = 2000


def in_scale(kind: str, score: int) -> bool:
    low, high = SCALES[kind]
    return isinstance(score, int) and not isinstance(score, bool) and low <= score <= high


def nps_category(score: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if score >= PROMOTER_MIN:
        return "promoter"
    if score >= PASSIVE_MIN:
        return "passive"
    return "detractor"


@dataclass(frozen=True)
class NpsFigures:
    promoters: int
    passives: int
    detractors: int

    @property
    def responses(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        """% promoters − % detractors, one decimal; None without responses."""
        return nps_value(self.promoters, self.detractors, self.responses)


def nps_value(promoters: int, detractors: int, responses: int) -> float | None:
    if not responses:
        return None
    return round(100.0 * (promoters - detractors) / responses, 1)


def nps(scores: Iterable[int]) -> NpsFigures:
    counts = {"promoter": 0, "passive": 0, "detractor": 0}
    for score in scores:
        counts[nps_category(score)] += 1
    return NpsFigures(counts["promoter"], counts["passive"], counts["detractor"])


@dataclass(frozen=True)
class CsatFigures:
    satisfied: int
    responses: int

    @property
    def score(self) -> float | None:
        """The share of 4–5 answers in percent, one decimal; None without responses."""
        return csat_value(self.satisfied, self.responses)


def csat_value(satisfied: int, responses: int) -> float | None:
    if not responses:
        return None
    return round(100.0 * satisfied / responses, 1)


def csat(scores: Iterable[int]) -> CsatFigures:
    scores = list(scores)
    return CsatFigures(sum(1 for s in scores if s >= CSAT_SATISFIED_MIN), len(scores))


def response_rate(answered: int, sent: int) -> float | None:
    """Answered invitations ÷ invitations sent, in percent (one decimal); None when none were sent."""
    if not sent:
        return None
    return round(100.0 * answered / sent, 1)


def followup_reason(kind: str, score: int) -> str | None:
    """Why an answer needs a follow-up: NPS_DETRACTOR, CSAT_LOW or None."""
    if kind == NPS and score < PASSIVE_MIN:
        return NPS_DETRACTOR
    if kind == CSAT and score <= CSAT_LOW_MAX:
        return CSAT_LOW
    return None


def add_business_days(start: date | datetime, days: int):
    """`start` moved forward by `days` working days (Monday–Friday); a weekend start counts from Monday."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def normalise_questions(questions) -> list[str]:
    """Further questions as a list of non-blank texts; ValueError with a reason otherwise."""
    if questions in (None, ""):
        return []
    if not isinstance(questions, list):
        raise ValueError("list")
    if len(questions) > MAX_EXTRA_QUESTIONS:
        raise ValueError("too_many")
    texts = []
    for question in questions:
        if not isinstance(question, str) or not question.strip():
            raise ValueError("blank")
        if len(question) > MAX_QUESTION_LENGTH:
            raise ValueError("too_long")
        texts.append(question.strip())
    if len(set(texts)) != len(texts):
        raise ValueError("duplicate")
    return texts
