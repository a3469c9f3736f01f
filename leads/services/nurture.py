"""Nurture: timed email tracks for leads below the top grade, sent by Celery, honouring consent.

Delivery is at most once per (enrolment, step): `nurture_send_due` first records the NurtureSend
row (unique per enrolment + step) and advances the enrolment in one short transaction that locks
the enrolment with SELECT ... FOR UPDATE SKIP LOCKED, and only after that commit sends the email.
A retried or concurrent run therefore finds the step already recorded and never emails twice; a
run killed between the commit and the SMTP call loses that one email rather than doubling it.

Clicks on the tracking link (/n/c/<token>/) become one `email_click` behaviour event per email
(external id "nurture-click-<token>"), which queues a rescore of the lead.
"""
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.predicates import can_enroll_any_lead_in_nurture, can_manage_nurture
from teams.selectors import CHANGE, VIEW

from ..models import (
    EventType,
    GradeBand,
    Lead,
    LeadEvent,
    NurtureEnrollment,
    NurtureSend,
    NurtureStep,
    NurtureTrack,
    RuleSet,
)
from ..selectors import lead_queryset_for

logger = logging.getLogger(__name__)

CLICK_EVENT_CODE = "email_click"
CLICK_EXTERNAL_ID = "nurture-click-{token}"
PLACEHOLDER = re.compile(r"\{\{\s*(name|company|link)\s*\}\}")
DEFAULT_BATCH_SIZE = 1000


# --- reads used by the nurture views, the API and this module ---------------------------------

def nurture_top_grade() -> str | None:
    """Name of the top grade (highest lower bound) of the published rule set; None if there is none."""
    return (GradeBand.objects.filter(rule_set__status=RuleSet.Status.PUBLISHED, lower_bound__isnull=False)
            .order_by("-lower_bound").values_list("name", flat=True).first())


def nurture_can_enroll(*, user, lead: Lead) -> bool:
    """Users who may change the lead (owner, their manager, admins) and marketing may enroll it."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    action = VIEW if can_enroll_any_lead_in_nurture(user) else CHANGE
    return lead_queryset_for(user=user, action=action).filter(pk=lead.pk).exists()


def nurture_active_tracks() -> QuerySet[NurtureTrack]:
    return NurtureTrack.objects.filter(is_active=True).order_by("name")


def nurture_enrollments_for_lead(*, lead: Lead) -> QuerySet[NurtureEnrollment]:
    sends = NurtureSend.objects.select_related("step").order_by("step__order")
    return (NurtureEnrollment.objects.filter(lead=lead).select_related("track")
            .prefetch_related(Prefetch("sends", queryset=sends)).order_by("-enrolled_at", "-id"))


def nurture_tracking_url(*, token: str) -> str:
    """Absolute tracking URL of one email, on SALESOPS_BASE_URL (emails are read outside the app)."""
    return settings.SALESOPS_BASE_URL.rstrip("/") + reverse("nurture-click", kwargs={"token": token})


def nurture_render(*, text: str, lead: Lead, link: str) -> str:
    """Fill {{ name }}, {{ company }} and {{ link }} (plain text: no template engine, no escaping)."""
    values = {"name": lead.name, "company": lead.company, "link": link}
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


# --- enrolment -------------------------------------------------------------------------------

def nurture_enroll(*, lead: Lead, track: NurtureTrack, by, now: datetime | None = None) -> NurtureEnrollment:
    """Enroll `lead` in `track` (idempotent: an existing enrolment is returned unchanged).

    Only leads below the top grade of the published rule set may enter nurture; the track must be
    active and have steps; `by` must be allowed to change the lead, or be marketing.
    """
    if not nurture_can_enroll(user=by, lead=lead):
        raise PermissionDenied(_("You cannot enroll this lead in nurture."))
    existing = NurtureEnrollment.objects.filter(lead=lead, track=track).first()
    if existing is not None:
        return existing
    top = nurture_top_grade()
    if top and lead.grade == top:
        raise ValidationError(
            _("%(lead)s already has the top grade (%(grade)s): nurture is for leads below it.")
            % {"lead": lead.name, "grade": top})
    if not track.is_active:
        raise ValidationError(_("The nurture track “%(track)s” is not active.") % {"track": track.name})
    first = track.steps.order_by("order").first()
    if first is None:
        raise ValidationError(_("The nurture track “%(track)s” has no steps yet.") % {"track": track.name})
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return NurtureEnrollment.objects.create(
                lead=lead, track=track, next_step=first.order, next_due_at=now + timedelta(days=first.delay_days))
    except IntegrityError:  # enrolled concurrently: same outcome as the first call
        return NurtureEnrollment.objects.get(lead=lead, track=track)


def nurture_stop(*, enrollment_ids) -> int:
    """Stop active enrolments (e.g. from the admin). Returns the number stopped."""
    return (NurtureEnrollment.objects.filter(pk__in=list(enrollment_ids), status=NurtureEnrollment.Status.ACTIVE)
            .update(status=NurtureEnrollment.Status.STOPPED, next_due_at=None))


def nurture_stop_for_top_grade() -> int:
    """Stop (set-based, one UPDATE) every active enrolment whose lead reached the top grade."""
    top = nurture_top_grade()
    if not top:
        return 0
    return (NurtureEnrollment.objects.filter(status=NurtureEnrollment.Status.ACTIVE, lead__grade=top)
            .update(status=NurtureEnrollment.Status.STOPPED, next_due_at=None))


# --- sending ---------------------------------------------------------------------------------

@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    completed: int = 0
    stopped: int = 0
    failed: int = 0
    send_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "skipped": self.skipped, "completed": self.completed,
                "stopped": self.stopped, "failed": self.failed}


def _may_email(lead: Lead) -> bool:
    return bool(lead.consent and not lead.do_not_email and lead.email)


def _claim_step(*, enrollment_id: int, now: datetime) -> tuple[NurtureSend | None, bool]:
    """Record the next step of one due enrolment and advance it; (send, completed_without_step).

    Runs in its own transaction. Returns (None, False) when another worker holds the enrolment or
    it is no longer due. The send row is committed before any email leaves.
    """
    with transaction.atomic():
        enrollment = (NurtureEnrollment.objects.select_for_update(skip_locked=True, of=("self",))
                      .select_related("lead", "track")
                      .filter(pk=enrollment_id, status=NurtureEnrollment.Status.ACTIVE, next_due_at__lte=now,
                              track__is_active=True)
                      .first())
        if enrollment is None:
            return None, False
        steps = list(NurtureStep.objects.filter(track_id=enrollment.track_id, order__gte=enrollment.next_step)
                     .order_by("order")[:2])
        if not steps:  # the track lost its remaining steps: nothing left to send
            enrollment.status, enrollment.next_due_at = NurtureEnrollment.Status.COMPLETED, None
            enrollment.save(update_fields=["status", "next_due_at"])
            return None, True
        step = steps[0]
        status = NurtureSend.Status.SENT if _may_email(enrollment.lead) else NurtureSend.Status.SKIPPED
        send, created = NurtureSend.objects.get_or_create(
            enrollment=enrollment, step=step, defaults={"status": status, "token": secrets.token_urlsafe(24),
                                                        "lead_ref": enrollment.lead_id,
                                                        "email": enrollment.lead.email})
        if len(steps) > 1:
            enrollment.next_step = steps[1].order
            enrollment.next_due_at = now + timedelta(days=steps[1].delay_days)
        else:
            enrollment.status, enrollment.next_due_at = NurtureEnrollment.Status.COMPLETED, None
        enrollment.save(update_fields=["status", "next_step", "next_due_at"])
        send.enrollment = enrollment
        return (send if created else None), False


def _email_for(send: NurtureSend) -> mail.EmailMessage:
    lead, step = send.enrollment.lead, send.step
    link = nurture_tracking_url(token=send.token)
    subject = " ".join(nurture_render(text=step.subject, lead=lead, link=link).split())  # no header injection
    return mail.EmailMessage(subject=subject, body=nurture_render(text=step.body, lead=lead, link=link),
                             from_email=settings.DEFAULT_FROM_EMAIL, to=[lead.email])


def nurture_send_due(*, now: datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> SendResult:
    """Send the next step of every due active enrolment (at most `batch_size` per run).

    Safe to retry, to kill and to run concurrently: see the module docstring.
    """
    now = now or timezone.now()
    result = SendResult(stopped=nurture_stop_for_top_grade())
    due_ids = list(NurtureEnrollment.objects
                   .filter(status=NurtureEnrollment.Status.ACTIVE, next_due_at__lte=now, track__is_active=True)
                   .order_by("next_due_at", "id").values_list("pk", flat=True)[:batch_size])
    connection = None
    for enrollment_id in due_ids:
        send, completed = _claim_step(enrollment_id=enrollment_id, now=now)
        result.completed += completed
        if send is None:
            continue
        result.send_ids.append(send.pk)
        if send.enrollment.status == NurtureEnrollment.Status.COMPLETED:
            result.completed += 1
        if send.status == NurtureSend.Status.SKIPPED:
            result.skipped += 1
            continue
        try:
            if connection is None:
                connection = mail.get_connection(fail_silently=False)
            connection.send_messages([_email_for(send)])
            result.sent += 1
        except Exception:  # recorded already: never retried, so never sent twice
            result.failed += 1
            logger.exception("Nurture email %s (enrolment %s) could not be sent", send.pk, enrollment_id)
    if connection is not None:
        connection.close()
    return result


# --- clicks ----------------------------------------------------------------------------------

def _queue_rescore(lead_id: int) -> None:
    from .scoring import lead_queue_rescore  # lazy: scoring may import this module
    lead_queue_rescore(lead_id=lead_id, reason="event")


def nurture_record_click(*, token: str, now: datetime | None = None) -> NurtureSend | None:
    """Record a click on a nurture email's link; None for an unknown token.

    The first click sets `clicked_at` and creates one `email_click` behaviour event (idempotent by
    external id, so repeated clicks and concurrent requests count once), then queues a rescore.
    A click on an email of a deleted lead (the send kept, its enrolment gone) only sets `clicked_at`.
    """
    now = now or timezone.now()
    send = (NurtureSend.objects.select_related("step", "enrollment").filter(token=token).first()
            if token and len(token) <= NurtureSend._meta.get_field("token").max_length else None)
    if send is None:
        return None
    with transaction.atomic():
        if send.clicked_at is None:
            NurtureSend.objects.filter(pk=send.pk, clicked_at__isnull=True).update(clicked_at=now)
            send.clicked_at = now
        if send.enrollment_id is None:  # the lead was deleted: no one to score
            return send
        event_type = EventType.objects.filter(code=CLICK_EVENT_CODE).first()
        if event_type is None:
            logger.warning("Event type %r is missing: nurture click not counted as behaviour", CLICK_EVENT_CODE)
            return send
        lead_id = send.enrollment.lead_id
        try:
            with transaction.atomic():
                _, created = LeadEvent.objects.get_or_create(
                    posted_by=None, external_id=CLICK_EXTERNAL_ID.format(token=token),
                    defaults={"lead_id": lead_id, "event_type": event_type, "occurred_at": now})
        except IntegrityError:  # a concurrent click created it first
            created = False
        if created:
            _queue_rescore(lead_id)
    return send


# --- track editing (API) ---------------------------------------------------------------------

def sent_step_removal_message() -> str:
    return _("Steps that were already sent cannot be removed; deactivate the track instead.")


def nurture_removes_sent_steps(*, track: NurtureTrack, keep_orders) -> bool:
    """Would keeping only the steps numbered `keep_orders` remove a step that was already sent?"""
    return bool(track.pk) and track.steps.exclude(order__in=list(keep_orders)).filter(sends__isnull=False).exists()


def _save_steps(*, track: NurtureTrack, steps: list[dict]) -> None:
    orders = [s["order"] for s in steps]
    if len(orders) != len(set(orders)):
        raise ValidationError({"steps": [_("Each step needs a different order.")]})
    existing = {s.order: s for s in track.steps.all()}
    removed = [s for order, s in existing.items() if order not in set(orders)]
    if nurture_removes_sent_steps(track=track, keep_orders=orders):
        raise ValidationError({"steps": [sent_step_removal_message()]})
    for step in removed:
        step.delete()
    for data in steps:
        step = existing.get(data["order"]) or NurtureStep(track=track, order=data["order"])
        for name in ("delay_days", "subject", "body", "link_url"):
            if name in data:
                setattr(step, name, data[name])
        step.full_clean()
        step.save()


@transaction.atomic
def nurture_track_save(*, by, track: NurtureTrack | None = None, steps: list[dict] | None = None,
                       **fields) -> NurtureTrack:
    """Create (track=None) or update a track; `steps`, when given, replaces the steps by order."""
    if not can_manage_nurture(by):
        raise PermissionDenied(_("Only marketing and administrators edit nurture tracks."))
    track = track or NurtureTrack()
    for name in ("name", "description", "is_active"):
        if name in fields:
            setattr(track, name, fields[name])
    track.full_clean()
    track.save()
    if steps is not None:
        _save_steps(track=track, steps=steps)
    return track
