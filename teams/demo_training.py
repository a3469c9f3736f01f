"""Demo training and awards for `manage.py seed_demo` (registered by teams.registry, after pipeline).

A "Solution selling" course with its exam, the certification required for reps, some reps
certified (one expiring within the month), a failed attempt, the best newcomer computed from the
demo deals, and a best-collaboration nomination. Idempotent: matched by title, name and person."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from .demo import demo_users
from .models import Certification, CertificationGrant, Course, Exam, ExamAttempt, Nomination

QUESTIONS = [
    {"text": "What does the S in SPIN stand for?", "choices": ["Situation", "Sales", "Solution"], "correct": [0]},
    {"text": "Which questions make the cost of a problem clear?",
     "choices": ["Situation questions", "Implication questions", "Closing questions"], "correct": [1]},
    {"text": "Which belong in a solution-selling discovery call? (several)",
     "choices": ["The customer's goals", "Our price list", "Who decides and how", "The current pain"],
     "correct": [0, 2, 3], "multiple": True},
    {"text": "When do you present the solution?",
     "choices": ["First thing", "After the customer states the need", "Never"], "correct": [1]},
    {"text": "A need-payoff question asks the customer to…",
     "choices": ["state the value of a solution", "sign the contract", "name a competitor"], "correct": [0]},
]
RIGHT = [[0], [1], [0, 2, 3], [1], [0]]
HALF = [[0], [0], [0, 2], [1], [2]]

# username -> (months ago certified, hired months ago or None)
CERTIFIED = {"rep.li": 2, "rep.chen": 11, "rep.zhao": 5, "rep.lin": 1}
HIRES = {"rep.sun": 8, "rep.ortiz": 4, "rep.wang": 10}


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


@transaction.atomic
def seed_training(*, today: date) -> str:
    from .services.awards import best_newcomer_compute, month_of

    people = demo_users()
    course, _ = Course.objects.get_or_create(title="Solution selling", defaults={
        "description": "Discovery with SPIN questions, value before price, and the buying process.",
        "kind": Course.Kind.METHOD, "roles": ["rep", "manager"],
        "material_text": "1. Situation, Problem, Implication, Need-payoff.\n2. Present only what the customer "
                         "needs.\n3. Map who decides and how.",
    })
    exam, _ = Exam.objects.get_or_create(course=course, title="Solution selling exam", defaults={
        "questions": QUESTIONS, "pass_mark": 80, "max_attempts": 3, "cooldown_hours": 24})
    cert, _ = Certification.objects.get_or_create(name="Solution selling", defaults={
        "course": course, "required_for_roles": ["rep"], "validity_months": 12, "reminder_days": [30, 7]})
    for username, months in HIRES.items():
        person = people.get(username)
        if person is not None and person.hired_on is None:
            person.hired_on = today - relativedelta(months=months)
            person.save(update_fields=["hired_on"])
    for username, months in CERTIFIED.items():
        person = people.get(username)
        if person is None:
            continue
        # rep.chen: certified 11 months and ~2 weeks ago, so the certificate expires within the month
        granted = today - relativedelta(months=months) - timedelta(days=15 if username == "rep.chen" else 0)
        attempt = ExamAttempt.objects.filter(exam=exam, user=person, passed=True).first()
        if attempt is None:
            attempt = ExamAttempt.objects.create(exam=exam, user=person, answers=RIGHT, correct=5, score=100,
                                                 passed=True, taken_at=_at(granted))
        CertificationGrant.objects.get_or_create(certification=cert, user=person, defaults={
            "granted_on": granted, "expires_on": granted + relativedelta(months=12), "attempt": attempt})
    wang = people.get("rep.wang")
    if wang is not None and not ExamAttempt.objects.filter(exam=exam, user=wang).exists():
        ExamAttempt.objects.create(exam=exam, user=wang, answers=HALF, correct=2, score=40, passed=False,
                                   taken_at=_at(today - timedelta(days=3)))
    award = None
    for month in (today, today - relativedelta(months=1)):
        start, end = month_of(month)
        award = best_newcomer_compute(start=start, end=end)
    chen, li = people.get("rep.chen"), people.get("rep.li")
    if chen is not None and li is not None:
        start, end = month_of(today)
        Nomination.objects.get_or_create(nominated_by=chen, period_start=start, defaults={
            "period_end": end, "team_id": chen.team_id, "nominee": li,
            "reason": "Li shared her discovery notes and joined my two hardest customer calls."})
    return f"1 course, {CertificationGrant.objects.filter(certification=cert).count()} certified, " \
           f"best newcomer: {award.user if award else '—'}"
