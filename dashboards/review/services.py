"""Mailing the monthly review pack: each recipient gets THEIR scoped pack, in their language.

Idempotent per month and recipient: a `ReviewPackSend` row is claimed (committed) before the email
leaves, like leads.services.nurture `_claim_step`; a rerun, a retried task or a second worker finds
the row and sends nothing. A failed send is recorded as failed and not retried (never twice).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from teams.services import user_language

from ..models import ReviewPackSend
from .pdf import PdfUnavailable, html_to_pdf
from .selectors import review_pack, review_pack_recipients

logger = logging.getLogger(__name__)


@dataclass
class ReviewSendResult:
    month: date
    sent: int = 0
    failed: int = 0
    already: int = 0
    send_ids: list[int] = field(default_factory=list)


def recipient_language(user) -> str:
    """The user's own language if they have one the site speaks, else settings.LANGUAGE_CODE."""
    return user_language(user)


def review_pack_render(*, user, month: date) -> str:
    """The pack as a standalone HTML document (the PDF's and the email's source) in the active language."""
    return render_to_string("dashboards/review_pack_document.html", {
        "pack": review_pack(user=user, month=month),
        "base_url": settings.SALESOPS_BASE_URL.rstrip("/"),  # links in a PDF or an email must be absolute
    })


def review_pack_pdf(*, user, month: date) -> bytes:
    return html_to_pdf(review_pack_render(user=user, month=month))


def _claim(*, month: date, user, language: str) -> ReviewPackSend | None:
    """Record the send before the email leaves; None when someone already did (this month, this user)."""
    try:
        with transaction.atomic():
            send, created = ReviewPackSend.objects.get_or_create(
                month=month, recipient=user, defaults={"email": user.email, "language": language})
    except IntegrityError:  # a concurrent run claimed it between the lookup and the insert
        return None
    return send if created else None


def _finish(send: ReviewPackSend, *, error: str = "") -> None:
    with transaction.atomic():
        row = ReviewPackSend.objects.select_for_update().get(pk=send.pk)
        row.status = ReviewPackSend.Status.FAILED if error else ReviewPackSend.Status.SENT
        row.error, row.sent_at = error, None if error else timezone.now()
        row.save(update_fields=["status", "error", "sent_at"])


def _email_for(*, user, month: date) -> mail.EmailMessage:
    subject = _("Marketing–sales review %(month)s") % {"month": f"{month:%Y-%m}"}
    html = review_pack_render(user=user, month=month)
    body = render_to_string("dashboards/review_pack_email.txt", {"user": user, "month": month})
    message = mail.EmailMessage(subject=subject, body=body, to=[user.email])
    try:
        message.attach(f"review-{month:%Y-%m}.pdf", html_to_pdf(html), "application/pdf")
    except PdfUnavailable:
        logger.warning("Review pack %s for %s sent as HTML: no PDF library", month, user.pk)
        message.attach(f"review-{month:%Y-%m}.html", html, "text/html")
    return message


def review_pack_send_month(*, month: date) -> ReviewSendResult:
    """Mail the pack of `month` to every recipient who has not had it yet."""
    month = month.replace(day=1)
    result = ReviewSendResult(month=month)
    done = set(ReviewPackSend.objects.filter(month=month).values_list("recipient_id", flat=True))
    connection = None
    for user in review_pack_recipients():
        if user.pk in done:
            result.already += 1
            continue
        language = recipient_language(user)
        with translation.override(language):
            message = _email_for(user=user, month=month)   # built before claiming: a read only
        send = _claim(month=month, user=user, language=language)
        if send is None:
            result.already += 1
            continue
        result.send_ids.append(send.pk)
        try:
            connection = connection or mail.get_connection(fail_silently=False)
            connection.send_messages([message])
        except Exception as exc:  # recorded already: never retried, so never mailed twice
            logger.exception("Review pack %s for user %s could not be sent", month, user.pk)
            _finish(send, error=str(exc)[:500])
            result.failed += 1
            continue
        _finish(send)
        result.sent += 1
    if connection is not None:
        connection.close()
    return result
