"""Writes for training and certification: courses, exams and certifications (admins), exam
attempts (scored by teams.exams), certificates granted by passing, expiry reminders (beat job).
Every write locks the row it changes; rules live in teams.predicates and teams.exams."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_noop

from .. import exams
from ..models import Certification, CertificationGrant, CertificationReminder, Course, Exam, ExamAttempt, User
from ..predicates import can_manage_training, can_take_exam
from . import audit_log, check_known_fields, email_user, notify

logger = logging.getLogger(__name__)

COURSE_FIELDS = ("title", "description", "kind", "roles", "material_url", "material_text", "is_active")
EXAM_FIELDS = ("course", "title", "questions", "pass_mark", "max_attempts", "cooldown_hours", "is_active")
CERTIFICATION_FIELDS = ("name", "course", "required_for_roles", "validity_months", "reminder_days")
REMINDER_BATCH = 500


def _check_manager(by) -> None:
    if not can_manage_training(by):
        raise PermissionDenied(gettext("Only administrators manage courses, exams and certifications."))


def _exam_error(exc: exams.ExamDataError) -> ValidationError:
    return ValidationError(gettext(exc.message) % exc.params)


def check_roles(value, field: str) -> None:
    known = {code for code, _label in User.Role.choices}
    if not isinstance(value, list) or not all(isinstance(v, str) and v in known for v in value):
        raise ValidationError({field: gettext("Give a list of role codes: %(roles)s.")
                               % {"roles": ", ".join(sorted(known))}})


def check_fields(model, fields: dict) -> None:
    """The rules of a course's, exam's or certification's fields (the admin form asks them too)."""
    allowed = {Course: COURSE_FIELDS, Exam: EXAM_FIELDS, Certification: CERTIFICATION_FIELDS}[model]
    check_known_fields(fields, allowed)
    if "roles" in fields:
        check_roles(fields["roles"], "roles")
    if "required_for_roles" in fields:
        check_roles(fields["required_for_roles"], "required_for_roles")
    if "questions" in fields:
        try:
            exams.validate_questions(fields["questions"])
        except exams.ExamDataError as exc:
            raise ValidationError({"questions": _exam_error(exc).messages}) from exc
    if "reminder_days" in fields:
        days = fields["reminder_days"]
        if not isinstance(days, list) or len(days) > 5 or not all(
                isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 365 for d in days):
            raise ValidationError({"reminder_days": gettext("Give at most 5 numbers of days from 1 to 365.")})


@transaction.atomic
def training_save(*, model, by, obj=None, **fields):
    """Create (`obj` None) or change a Course, Exam or Certification (admins; locked; audited)."""
    _check_manager(by)
    check_fields(model, fields)
    if obj is None:
        obj = model(**fields)
        obj.full_clean()
        obj.save()
        audit_log(by=by, objects=[obj], flag=ADDITION)
        return obj
    obj = model.objects.select_for_update().get(pk=obj.pk)
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    obj.full_clean()
    if changed:
        obj.save(update_fields=changed)
        audit_log(by=by, objects=[obj], flag=CHANGE, fields=changed)
    return obj


@transaction.atomic
def training_delete(*, obj, by) -> None:
    """Delete a course, exam or certification (admins). A course a certification is granted by is
    kept (retire it instead: `is_active` off)."""
    _check_manager(by)
    model = type(obj)
    obj = model.objects.select_for_update().get(pk=obj.pk)
    pk = obj.pk
    try:
        obj.delete()
    except ProtectedError as exc:
        raise ValidationError(gettext("“%(name)s” is still in use (a certification is granted by it); "
                                      "retire it instead.") % {"name": obj}) from exc
    obj.pk = pk
    audit_log(by=by, objects=[obj], flag=DELETION)


# --- taking exams -----------------------------------------------------------------------------

@transaction.atomic
def exam_submit(*, exam: Exam, by, answers, now: datetime | None = None) -> ExamAttempt:
    """Score `by`'s answers to `exam`, record the attempt and, when passed, grant (or renew) the
    certifications of the exam's course. Retakes follow the exam's most attempts and wait (the
    person's row is locked, so two submissions at once count as two attempts, in turn)."""
    now = now or timezone.now()
    if not can_take_exam(by, exam):
        raise PermissionDenied(gettext("You may not take this exam."))
    if not exam.is_active or not exam.course.is_active:
        raise ValidationError(gettext("This exam is not open."))
    User.objects.select_for_update().filter(pk=by.pk).first()
    previous = ExamAttempt.objects.filter(exam=exam, user=by)
    last = previous.order_by("-taken_at").values_list("taken_at", flat=True).first()
    refusal = exams.retake_refusal(attempts=previous.count(), max_attempts=exam.max_attempts,
                                   last_attempt_at=last, cooldown_hours=exam.cooldown_hours, now=now)
    if refusal is not None:
        message, params = refusal
        if "when" in params:
            params = {"when": formats.date_format(timezone.localtime(params["when"]), "SHORT_DATETIME_FORMAT")}
        raise ValidationError(gettext(message) % params)
    try:
        result = exams.score_exam(exam.questions, answers, exam.pass_mark)
    except exams.ExamDataError as exc:
        raise ValidationError({"answers": _exam_error(exc).messages}) from exc
    sheet = [sorted(chosen) for chosen in exams.normalise_answers(exam.questions, answers)]
    attempt = ExamAttempt.objects.create(exam=exam, user=by, answers=sheet, correct=result.correct,
                                         score=result.score, passed=result.passed, taken_at=now)
    if result.passed:
        for certification in Certification.objects.filter(course_id=exam.course_id):
            certification_grant(certification=certification, user=by, attempt=attempt,
                                today=timezone.localdate(now))
    return attempt


def certification_grant(*, certification: Certification, user, attempt=None, today: date) -> CertificationGrant:
    """Grant `user` the certification from `today` (or renew it), valid for its months. Locks the row."""
    expires = today + relativedelta(months=certification.validity_months) if certification.validity_months else None
    grant = (CertificationGrant.objects.select_for_update()
             .filter(certification=certification, user=user).first())
    if grant is None:
        grant = CertificationGrant.objects.create(certification=certification, user=user, granted_on=today,
                                                  expires_on=expires, attempt=attempt)
    else:
        grant.granted_on, grant.expires_on, grant.attempt = today, expires, attempt
        grant.save(update_fields=["granted_on", "expires_on", "attempt"])
    notify(recipient=user, kind="certification_granted",
           text=gettext_noop("You are certified: %(name)s."), params={"name": certification.name},
           url=reverse("teams:my-certifications"))
    return grant


# --- expiry reminders (daily beat job) --------------------------------------------------------

REMINDER_TEXT = gettext_noop("Your certification “%(name)s” expires on %(date)s (in %(days)d days). "
                             "Retake its exam to renew it.")
REMINDER_SUBJECT = gettext_noop("Certification expiring: %(name)s")


def certification_reminders_send(*, today: date | None = None, limit: int = REMINDER_BATCH) -> int:
    """Remind holders of certificates that reach a reminder threshold (days before expiry). At most
    once per certificate, expiry date and threshold: the reminder row is recorded (unique) before
    the notification and email are queued, in the same transaction. Bounded: at most `limit`
    certificates per run (the next run takes the rest); rows another worker holds are skipped."""
    today = today or timezone.localdate()
    sent = 0
    for certification in Certification.objects.all():
        thresholds = sorted({d for d in certification.reminder_days if isinstance(d, int) and d > 0})
        lower = -1
        for threshold in thresholds:  # the window whose smallest reached threshold is `threshold`
            if sent >= limit:
                return sent
            sent += _remind_window(certification, today, lower, threshold, limit - sent)
            lower = threshold
    return sent


def _remind_window(certification, today: date, lower: int, threshold: int, limit: int) -> int:
    """Remind the holders of `certification` whose certificate expires in (lower, threshold] days and
    who were not yet reminded at this threshold or a smaller one for this expiry date."""
    covered = CertificationReminder.objects.filter(grant=OuterRef("pk"), expires_on=OuterRef("expires_on"),
                                                   days_before__lte=threshold)
    sent = 0
    with transaction.atomic():
        grants = (CertificationGrant.objects.select_for_update(skip_locked=True, of=("self",))
                  .select_related("certification", "user")
                  .filter(certification=certification, user__is_active=True,
                          expires_on__gt=today + timedelta(days=lower),
                          expires_on__lte=today + timedelta(days=threshold))
                  .exclude(Exists(covered))
                  .order_by("expires_on", "id")[:limit])
        for grant in grants:
            already = set(CertificationReminder.objects.filter(grant=grant, expires_on=grant.expires_on)
                          .values_list("days_before", flat=True))
            due = exams.due_reminder(grant.expires_on, today, certification.reminder_days, already)
            if due is None:
                continue
            reached = due[1]
            CertificationReminder.objects.bulk_create(
                [CertificationReminder(grant=grant, expires_on=grant.expires_on, days_before=d) for d in reached],
                ignore_conflicts=True)
            days = (grant.expires_on - today).days
            params = {"name": certification.name, "date": grant.expires_on.isoformat(), "days": days}
            notify(recipient=grant.user, kind="certification_expiring", text=REMINDER_TEXT, params=params,
                   url=reverse("teams:my-certifications"))
            email_user(recipient=grant.user, subject=REMINDER_SUBJECT, body=REMINDER_TEXT, params=params)
            sent += 1
            logger.info("certification reminder: grant %s, %s days before expiry (threshold %s)",
                        grant.pk, days, threshold)
    return sent
