"""Reads for training, certification and awards, scoped by the caller (teams.selectors rules).

Whose training figures a user may read: admins everyone's; a manager their own and their teams'
members'; anyone else their own. The figures (`certified_share`, `training_participation`, pass
rates) count exactly those people, narrowed to a team or a person, never widened.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from .. import exams
from ..models import (
    Award, Certification, CertificationGrant, Course, Exam, ExamAttempt, Nomination, Team, User,
)
from ..predicates import is_active_user
from . import scope_for_user

PEOPLE_ROLES = (User.Role.REP, User.Role.MANAGER)


def people_in_scope(*, user, team_id: int | None = None, owner_id: int | None = None) -> QuerySet[User]:
    """Active people whose training `user` may read, narrowed to a team or a person."""
    if not is_active_user(user):
        return User.objects.none()
    people = User.objects.filter(is_active=True)
    if not user.is_admin_role:
        if user.role == User.Role.MANAGER:
            people = people.filter(Q(pk=user.pk) | Q(team__manager=user))
        else:
            people = people.filter(pk=user.pk)
    if team_id is not None:
        people = people.filter(team_id=team_id)
    if owner_id is not None:
        people = people.filter(pk=owner_id)
    return people.select_related("team").order_by("first_name", "last_name", "username")


def course_queryset_for(*, user) -> QuerySet[Course]:
    """Courses: every signed-in user reads the active ones (admins also the retired ones)."""
    if not is_active_user(user):
        return Course.objects.none()
    courses = Course.objects.all() if user.is_admin_role else Course.objects.filter(is_active=True)
    return courses.prefetch_related(Prefetch("exams", queryset=Exam.objects.filter(is_active=True)))


def exam_queryset_for(*, user) -> QuerySet[Exam]:
    if not is_active_user(user):
        return Exam.objects.none()
    return Exam.objects.filter(is_active=True, course__is_active=True).select_related("course")


def attempt_queryset_for(*, user) -> QuerySet[ExamAttempt]:
    """Exam attempts: a rep reads their own, a manager their team's, an admin all."""
    return scope_for_user(ExamAttempt.objects.select_related("exam__course", "user"), user=user,
                          owner_field="user").order_by("-taken_at", "-id")


def grant_queryset_for(*, user) -> QuerySet[CertificationGrant]:
    """Certificates held: a rep reads their own, a manager their team's, an admin all."""
    return scope_for_user(CertificationGrant.objects.select_related("certification", "user"), user=user,
                          owner_field="user").order_by("expires_on", "id")


def attempts_of(*, exam: Exam, person) -> QuerySet[ExamAttempt]:
    return ExamAttempt.objects.filter(exam=exam, user=person).order_by("-taken_at", "-id")


def certification_rows(*, people, today: date) -> list[dict]:
    """Per person, per certification required for their role or held: the status (teams.exams)."""
    people = list(people)
    certifications = list(Certification.objects.all())
    grants = {(g.user_id, g.certification_id): g
              for g in CertificationGrant.objects.filter(user__in=[p.pk for p in people])}
    rows = []
    for person in people:
        cells = []
        for cert in certifications:
            grant = grants.get((person.pk, cert.pk))
            required = cert.is_required_for(person.role)
            if grant is None and not required:
                cells.append(None)
                continue
            status = exams.certification_status(grant.expires_on if grant else None, today,
                                                warn_days=cert.warn_days, held=grant is not None)
            cells.append({"certification": cert, "grant": grant, "required": required, "status": status})
        rows.append({"person": person, "cells": cells})
    return rows


def certified_share_parts(*, people, as_of: date) -> tuple[int, int]:
    """(required certifications held and valid on `as_of`, required certifications) over `people`."""
    people = list(people)
    required = 0
    pairs = []
    for cert in Certification.objects.all():
        holders = [p.pk for p in people if cert.is_required_for(p.role)]
        required += len(holders)
        pairs.append((cert.pk, holders))
    valid = 0
    for cert_id, holders in pairs:
        if holders:
            valid += CertificationGrant.objects.filter(
                certification_id=cert_id, user_id__in=holders, granted_on__lte=as_of,
            ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=as_of)).count()
    return valid, required


def required_q() -> Q:
    """Certificates whose holder's role requires their certification."""
    q = Q(pk__in=[])
    for cert in Certification.objects.all():
        if cert.required_for_roles:
            q |= Q(certification_id=cert.pk, user__role__in=list(cert.required_for_roles))
    return q


def valid_on_q(as_of: date) -> Q:
    return Q(granted_on__lte=as_of) & (Q(expires_on__isnull=True) | Q(expires_on__gte=as_of))


def valid_grants(*, people, as_of: date) -> QuerySet[CertificationGrant]:
    """The certificates behind `certified_share` (held, valid on `as_of`, required for the holder's role)."""
    return (CertificationGrant.objects.filter(required_q(), valid_on_q(as_of), user__in=people)
            .select_related("certification", "user").order_by("expires_on", "id"))


def assigned_courses(courses, role: str) -> list[Course]:
    return [c for c in courses if c.is_for(role)]


def participation_parts(*, people, start: date | None, end: date | None) -> tuple[int, int]:
    """(assigned courses attempted in the period, assigned courses) over `people`. A course is
    assigned to a person when it is active, has an active exam and is for their role."""
    people = list(people)
    courses = list(Course.objects.filter(is_active=True, exams__is_active=True).distinct())
    assigned = {(p.pk, c.pk) for p in people for c in assigned_courses(courses, p.role)}
    attempted = set(period_attempts(people=people, start=start, end=end)
                    .values_list("user_id", "exam__course_id").distinct())
    return len(assigned & attempted), len(assigned)


def period_attempts(*, people, start: date | None, end: date | None) -> QuerySet[ExamAttempt]:
    attempts = ExamAttempt.objects.filter(user__in=[p.pk for p in people])
    if start is not None:
        attempts = attempts.filter(taken_at__date__gte=start)
    if end is not None:
        attempts = attempts.filter(taken_at__date__lte=end)
    return attempts


def pass_rates(*, people, start: date | None = None, end: date | None = None) -> dict[str, list[dict]]:
    """Pass rates per course and per team over the people's attempts in the period: of the people
    who took a course's exam, the share who passed it (at least once)."""
    attempts = period_attempts(people=people, start=start, end=end).order_by()
    passed = Count("user", distinct=True, filter=Q(passed=True))
    by_course = (attempts.values("exam__course_id", "exam__course__title")
                 .annotate(takers=Count("user", distinct=True), passed=passed).order_by("exam__course__title"))
    per_team: dict = defaultdict(lambda: [set(), set()])
    for user_id, team_id, course_id, ok in attempts.values_list("user_id", "user__team_id", "exam__course_id",
                                                                "passed"):
        per_team[team_id][0].add((user_id, course_id))
        if ok:
            per_team[team_id][1].add((user_id, course_id))
    names = dict(Team.objects.filter(pk__in=[k for k in per_team if k]).values_list("pk", "name"))
    courses = [{"key": r["exam__course_id"], "label": r["exam__course__title"], "takers": r["takers"],
                "passed": r["passed"], "rate": exams.percent(r["passed"], r["takers"])} for r in by_course]
    teams = [{"key": k, "label": names.get(k, "—"), "takers": len(v[0]), "passed": len(v[1]),
              "rate": exams.percent(len(v[1]), len(v[0]))}
             for k, v in sorted(per_team.items(), key=lambda kv: names.get(kv[0], "~"))]
    return {"courses": courses, "teams": teams}


# --- awards -----------------------------------------------------------------------------------

def award_queryset() -> QuerySet[Award]:
    """Awards are public recognition: every signed-in user reads them."""
    return Award.objects.select_related("user", "team", "chosen_by")


def leaderboard(*, limit: int = 50) -> list[dict]:
    rows = (Award.objects.values("user_id").annotate(total=Count("pk"),
            newcomer=Count("pk", filter=Q(kind=Award.Kind.BEST_NEWCOMER)),
            collaboration=Count("pk", filter=Q(kind=Award.Kind.BEST_COLLABORATION)))
            .order_by("-total", "user_id")[:limit])
    rows = list(rows)
    people = User.objects.select_related("team").in_bulk([r["user_id"] for r in rows])
    return [{**r, "person": people[r["user_id"]]} for r in rows if r["user_id"] in people]


def nominations_for(*, user) -> QuerySet[Nomination]:
    """Nominations a user may read: their own (made), their team's for its manager, all for admins."""
    if not is_active_user(user):
        return Nomination.objects.none()
    noms = Nomination.objects.select_related("nominee", "nominated_by", "team")
    if user.is_admin_role:
        return noms
    return noms.filter(Q(nominated_by=user) | Q(team__manager=user))


def newcomers(*, as_of: date) -> QuerySet[User]:
    """Active reps hired less than 12 months before `as_of`."""
    from dateutil.relativedelta import relativedelta

    return User.objects.filter(is_active=True, role=User.Role.REP, hired_on__isnull=False,
                               hired_on__gt=as_of - relativedelta(months=12), hired_on__lte=as_of)
