"""NPS and CSAT surveys: define them, send them by email with a personal link, record the answers.

Every answer — through the public link (/s/<token>/), the API or the demo — goes through
`survey_response_record`, the one door: it checks the scale, is idempotent by `external_id`, opens the
follow-up task for a detractor (NPS 0–6) or a low CSAT (1–2) once per account and reason while one is
open, and on commit asks for the account's health to be recomputed.

Sending records the invitations first (status "queued") and mails them after the commit, claiming
each one (queued → sent) before its email leaves: a retried or concurrent run never mails twice.
"""
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from integrations.events import publish
from teams.predicates import can_manage_surveys, can_record_survey_responses, can_send_surveys
from teams.services import check_known_fields

from .. import surveys as math
from ..models import Account, Activity, Contact, Survey, SurveyInvitation, SurveyResponse
from ..selectors import VIEW, account_queryset_for, contact_queryset_for
from .activities import task_open
from .health import health_recompute_later

logger = logging.getLogger(__name__)

SURVEY_FIELDS = ("name", "kind", "question", "extra_questions", "is_active")
MAX_SEND = 200              # contacts per send (a bounded batch)
LINK_DAYS = 30              # a personal link expires after this many days
FOLLOWUP_BUSINESS_DAYS = 2  # a follow-up task is due two business days after the answer
MAX_ANSWERS = 20

QUESTION_ERRORS = {
    "list": lambda: _("Give the further questions as a list of texts."),
    "too_many": lambda: _("At most %(n)d further questions.") % {"n": math.MAX_EXTRA_QUESTIONS},
    "blank": lambda: _("Each further question needs a text."),
    "too_long": lambda: _("A question may have at most %(n)d characters.") % {"n": math.MAX_QUESTION_LENGTH},
    "duplicate": lambda: _("Each further question must be different."),
}


# --- surveys ---------------------------------------------------------------------------------------

def _check_may_manage(by) -> None:
    if not can_manage_surveys(by):
        raise PermissionDenied(_("Only customer success, marketing and administrators manage surveys."))


def _check_questions(fields: dict) -> None:
    if "extra_questions" in fields:
        try:
            fields["extra_questions"] = math.normalise_questions(fields["extra_questions"])
        except ValueError as exc:
            raise ValidationError({"extra_questions": QUESTION_ERRORS[str(exc)]()}) from None


@transaction.atomic
def survey_create(*, by, **fields) -> Survey:
    check_known_fields(fields, SURVEY_FIELDS)
    _check_may_manage(by)
    _check_questions(fields)
    survey = Survey(**fields)
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, by, **fields) -> Survey:
    check_known_fields(fields, SURVEY_FIELDS)
    _check_may_manage(by)
    _check_questions(fields)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if "kind" in fields and fields["kind"] != survey.kind and (
            survey.responses.exists() or survey.invitations.exists()):
        raise ValidationError({"kind": _("A survey that was sent or answered keeps its kind; create a new survey.")})
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_delete(*, survey: Survey, by) -> None:
    """Delete a survey nobody was sent or answered; otherwise deactivate it (is_active false)."""
    _check_may_manage(by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.responses.exists() or survey.invitations.exists():
        raise ValidationError(_("This survey was sent or answered: deactivate it instead of deleting it."))
    survey.delete()


# --- sending ---------------------------------------------------------------------------------------

@dataclass
class SendOutcome:
    invitations: list = field(default_factory=list)
    no_email: list = field(default_factory=list)        # contact ids without an email address
    already_invited: list = field(default_factory=list)  # contact ids with an open invitation

    def as_dict(self) -> dict:
        return {"invited": len(self.invitations), "no_email": self.no_email, "already_invited": self.already_invited}


def _language() -> str:
    current = translation.get_language() or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    return current if current in codes else settings.LANGUAGE_CODE


@transaction.atomic
def survey_send(*, survey: Survey, contact_ids, by, now: datetime | None = None, deliver: bool = True) -> SendOutcome:
    """Invite `contact_ids` (contacts of accounts `by` may see, at most MAX_SEND) to answer `survey`.

    A contact without an email address, or with an open invitation to this survey, is skipped (and
    reported). Refuses the whole batch, changing nothing, for an unknown or hidden contact.
    `deliver=False` (the demo) records the invitations as sent at `now` without mailing them."""
    if not can_send_surveys(by):
        raise PermissionDenied(_("You may not send surveys."))
    ids = sorted({int(pk) for pk in contact_ids})
    if not ids:
        raise ValidationError({"contacts": _("Choose at least one contact.")})
    if len(ids) > MAX_SEND:
        raise ValidationError({"contacts": _("Send to at most %(n)d contacts at a time.") % {"n": MAX_SEND}})
    survey = Survey.objects.select_for_update().get(pk=survey.pk)  # one send of a survey at a time
    if not survey.is_active:
        raise ValidationError(_("This survey is not active."))
    contacts = list(contact_queryset_for(user=by).filter(pk__in=ids).order_by("pk"))
    missing = sorted(set(ids) - {c.pk for c in contacts})
    if missing:
        raise ValidationError({"contacts": _("Unknown contacts (or not yours): %(ids)s.")
                               % {"ids": ", ".join(map(str, missing[:20]))}})
    now = now or timezone.now()
    open_for = set(SurveyInvitation.objects.filter(
        survey=survey, contact_id__in=ids, answered_at__isnull=True, expires_at__gt=now).exclude(
        status=SurveyInvitation.Status.FAILED).values_list("contact_id", flat=True))
    outcome = SendOutcome()
    language = _language()
    rows = []
    for contact in contacts:
        if not contact.email:
            outcome.no_email.append(contact.pk)
        elif contact.pk in open_for:
            outcome.already_invited.append(contact.pk)
        else:
            rows.append(SurveyInvitation(survey=survey, account_id=contact.account_id, contact=contact,
                                         token=secrets.token_urlsafe(32), language=language, sent_by=by,
                                         created_at=now, expires_at=now + timedelta(days=LINK_DAYS)))
    if not deliver:
        for row in rows:
            row.status, row.sent_at = SurveyInvitation.Status.SENT, now
    outcome.invitations = SurveyInvitation.objects.bulk_create(rows)
    invitation_ids = [i.pk for i in outcome.invitations]
    if invitation_ids and deliver:
        transaction.on_commit(lambda: survey_invitations_email(invitation_ids=invitation_ids))
    return outcome


def survey_link(*, token: str) -> str:
    """The absolute personal link of an invitation (emails are read outside the app)."""
    return settings.SALESOPS_BASE_URL.rstrip("/") + reverse("survey-answer", kwargs={"token": token})


def _email_for(invitation: SurveyInvitation) -> mail.EmailMessage:
    with translation.override(invitation.language):
        context = {"invitation": invitation, "survey": invitation.survey, "contact": invitation.contact,
                   "link": survey_link(token=invitation.token)}
        subject = _("%(survey)s: a question for %(account)s") % {"survey": invitation.survey.name,
                                                                   "account": invitation.account.name}
        body = render_to_string("customers/surveys/invitation_email.txt", context)
    return mail.EmailMessage(subject=subject[:200], body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                             to=[invitation.contact.email])


def survey_invitations_email(*, invitation_ids) -> int:
    """Mail the queued invitations among `invitation_ids`; returns how many were sent.

    Each is claimed (queued → sent) in its own short transaction before its email leaves, so a
    second run skips it; a failure marks it failed with the reason (it may be sent again)."""
    sent = 0
    connection = None
    for invitation_id in invitation_ids:
        now = timezone.now()
        claimed = SurveyInvitation.objects.filter(pk=invitation_id, status=SurveyInvitation.Status.QUEUED).update(
            status=SurveyInvitation.Status.SENT, sent_at=now)
        if not claimed:
            continue
        invitation = SurveyInvitation.objects.select_related("survey", "account", "contact").get(pk=invitation_id)
        try:
            if connection is None:
                connection = mail.get_connection(fail_silently=False)
            connection.send_messages([_email_for(invitation)])
            sent += 1
        except Exception as exc:  # the SMTP server's refusal is recorded, not raised
            logger.exception("Survey invitation %s could not be sent", invitation_id)
            SurveyInvitation.objects.filter(pk=invitation_id).update(
                status=SurveyInvitation.Status.FAILED, sent_at=None, error=str(exc)[:300])
    return sent


# --- answering -------------------------------------------------------------------------------------

OPEN, ANSWERED, EXPIRED, CLOSED = "open", "answered", "expired", "closed"


def invitation_state(invitation: SurveyInvitation, *, now: datetime | None = None) -> str:
    if invitation.answered_at is not None:
        return ANSWERED
    if invitation.expires_at <= (now or timezone.now()):
        return EXPIRED
    if not invitation.survey.is_active:
        return CLOSED
    return OPEN


class LinkNotOpen(ValidationError):
    """The personal link was used, expired or its survey closed (`state` says which)."""

    def __init__(self, state: str):
        self.state = state
        super().__init__(_("This link can no longer be used."), code=state)


@transaction.atomic
def survey_answer(*, token: str, score: int, reason: str = "", answers: dict | None = None,
                  now: datetime | None = None) -> SurveyResponse:
    """Record the answer given through a personal link (at most once, before it expires)."""
    invitation = (SurveyInvitation.objects.select_for_update(of=("self",)).select_related("survey", "account", "contact")
                  .filter(token=token).first())
    if invitation is None:
        raise LinkNotOpen("unknown")
    now = now or timezone.now()
    state = invitation_state(invitation, now=now)
    if state != OPEN:
        raise LinkNotOpen(state)
    answers = {q: (answers or {}).get(q, "") for q in invitation.survey.extra_questions}
    response, _created = survey_response_record(
        survey=invitation.survey, account=invitation.account, contact=invitation.contact, score=score,
        reason=reason, answers={q: a for q, a in answers.items() if a}, responded_at=now)
    invitation.response = response
    invitation.answered_at = now
    invitation.save(update_fields=["response", "answered_at"])
    return response


def _check_answers(answers) -> dict:
    if answers in (None, ""):
        return {}
    if not isinstance(answers, dict) or len(answers) > MAX_ANSWERS:
        raise ValidationError({"answers": _("Give at most %(n)d answers, each a question and its text answer.")
                               % {"n": MAX_ANSWERS}})
    for question, answer in answers.items():
        if not isinstance(answer, str) or len(question) > math.MAX_QUESTION_LENGTH \
                or len(answer) > math.MAX_ANSWER_LENGTH:
            raise ValidationError({"answers": _("Each answer is a text of at most %(n)d characters.")
                                   % {"n": math.MAX_ANSWER_LENGTH}})
    return answers


@transaction.atomic
def survey_response_record(*, survey: Survey, account: Account, score: int, reason: str = "",
                           answers: dict | None = None, contact: Contact | None = None,
                           responded_at: datetime | None = None, external_id: str = "",
                           by=None) -> tuple[SurveyResponse, bool]:
    """Record one answer (the one door). Returns (response, created): a second call with the same
    `external_id` returns the first response unchanged. With `by` (the API, an integration) the
    account must be one `by` may see and `by` may record answers; the personal link passes none."""
    if by is not None:
        if not can_record_survey_responses(by):
            raise PermissionDenied(_("You may not record survey answers."))
        if not account_queryset_for(user=by, action=VIEW).filter(pk=account.pk).exists():
            raise ValidationError({"account": _("You cannot use this account.")})
    if external_id:
        existing = SurveyResponse.objects.filter(external_id=external_id).first()
        if existing is not None:
            return existing, False
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": _("This contact belongs to another account.")})
    if not math.in_scale(survey.kind, score):
        low, high = math.SCALES[survey.kind]
        raise ValidationError({"score": _("Give a score from %(low)d to %(high)d.") % {"low": low, "high": high}})
    now = timezone.now()
    responded_at = responded_at or now
    if responded_at > now + timedelta(minutes=5):
        raise ValidationError({"responded_at": _("An answer cannot be dated in the future.")})
    response = SurveyResponse(survey=survey, account=account, contact=contact, kind=survey.kind, score=score,
                              reason=(reason or "").strip(), answers=_check_answers(answers),
                              responded_at=responded_at, external_id=external_id)
    response.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        if not external_id:
            raise
        return SurveyResponse.objects.get(external_id=external_id), False  # a concurrent twin won
    survey_followup_open(response=response)
    publish("survey.answered", object_id=response.pk, owner_id=account.owner_id,
            payload={"response": response.pk, "survey": survey.pk, "kind": response.kind, "account": account.pk,
                     "contact": contact.pk if contact else None, "score": score, "reason": response.reason,
                     "responded_at": responded_at.isoformat()})
    account_id = account.pk
    transaction.on_commit(lambda: health_recompute_later([account_id]))
    return response, True


FOLLOWUP_KEY = "survey-followup:{account_id}:{reason}"


def followup_summary(reason: str, response: SurveyResponse) -> str:
    who = response.contact.name if response.contact else response.account.name
    if reason == math.NPS_DETRACTOR:
        text = _("Follow up on a detractor: %(who)s gave NPS %(score)d") % {"who": who, "score": response.score}
    else:
        text = _("Follow up on a low CSAT: %(who)s gave %(score)d of 5") % {"who": who, "score": response.score}
    return f"{text}. {response.reason}"[:1000] if response.reason else text


def survey_followup_open(*, response: SurveyResponse) -> Activity | None:
    """Open the follow-up task a detractor or low CSAT calls for: for the account's success owner
    (else its sales owner), due in two business days; one per account and reason while it is open."""
    reason = math.followup_reason(response.kind, response.score)
    if reason is None:
        return None
    account = Account.objects.select_for_update(of=("self",)).select_related("owner", "success_owner").get(pk=response.account_id)
    base = FOLLOWUP_KEY.format(account_id=account.pk, reason=reason)
    keyed = Activity.objects.filter(Q(key=base) | Q(key__startswith=f"{base}:"), account=account,
                                    kind=Activity.Kind.TASK)
    open_task = keyed.filter(done_at__isnull=True).order_by("pk").first()
    if open_task is not None:
        return open_task
    # the first follow-up takes the plain key; later ones (the earlier done) carry the response id
    key = f"{base}:{response.pk}" if keyed.exists() else base
    due = math.add_business_days(timezone.localtime(), FOLLOWUP_BUSINESS_DAYS)
    return task_open(owner=account.success_owner or account.owner, summary=followup_summary(reason, response),
                     due_at=due, account=account, contact=response.contact, key=key)
