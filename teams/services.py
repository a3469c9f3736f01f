"""Writes for teams: notifications (in-app and email), API tokens.

In-app notifications store an English message id (`text`, marked with `gettext_noop` by the caller)
and its parameters; `Notification.message` translates them when shown, in the reader's language.
Emails are rendered in the site's default language and sent only after the surrounding transaction
commits, so a rolled-back change never mails anybody.
"""
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from .authentication import token_is_expired
from .models import Notification, User

logger = logging.getLogger(__name__)


def notify(*, recipient: User, kind: str, text: str, params: dict | None = None, url: str = "") -> Notification:
    """Create an in-app notification. `text` is an English msgid (gettext_noop), `params` fill it."""
    return Notification.objects.create(recipient=recipient, kind=kind, text=text, params=params or {}, url=url)


def email_user(*, recipient: User, subject: str, body: str, params: dict | None = None) -> bool:
    """Email `recipient` after commit. `subject`/`body` are English msgids, translated here into the
    default language (settings.LANGUAGE_CODE). Returns False when the user has no email address."""
    if not recipient.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        values = params or {}
        rendered_subject = (gettext(subject) % values).replace("\n", " ")
        rendered_body = gettext(body) % values
    address = recipient.email

    def send():
        send_mail(rendered_subject, rendered_body, None, [address])

    # robust: a mail server outage is logged and never undoes or breaks the committed change.
    transaction.on_commit(send, robust=True)
    return True


def notifications_for(*, user) -> QuerySet[Notification]:
    """The user's own notifications (nobody reads anybody else's)."""
    if not user or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_notification_count(*, user) -> int:
    return notifications_for(user=user).filter(read_at__isnull=True).count()


def notifications_mark_read(*, user, ids: Iterable[int] | None = None, now=None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None). Idempotent."""
    queryset = notifications_for(user=user).filter(read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=now or timezone.now())



# --- API tokens --------------------------------------------------------------------------------

def token_issue(*, user: User) -> Token:
    """The user's API token (one per user): the current one, or a new one when it has expired."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and not token_is_expired(token):
            return token
        if token is not None:
            token.delete()
        try:
            with transaction.atomic():
                return Token.objects.create(user=user)
        except IntegrityError:  # a concurrent request issued it first
            return Token.objects.get(user=user)


def tokens_revoke(*, user: User) -> int:
    """Revoke the user's API tokens (logout, password change, POST /api/v1/auth/token/revoke/)."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        logger.info("Revoked the API token of user %s", user.pk)
    return deleted
