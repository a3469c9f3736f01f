"""Writes for teams: teams (admins), the audit log, notifications (in-app and email), API tokens.

In-app notifications store an English message id (`text`, marked with `gettext_noop` by the caller)
and its parameters; `Notification.message` translates them when shown, in the reader's language.
Emails are rendered in the site's default language and sent only after the surrounding transaction
commits, so a rolled-back change never mails anybody.
"""
import json
import logging
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.admin.models import CHANGE as LOG_CHANGE
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from rest_framework.authtoken.models import Token

from ..authentication import token_is_expired
from ..models import Notification, Team, User
from ..predicates import can_manage_organisation, may_lead_team

logger = logging.getLogger(__name__)

TEAM_FIELDS = ("name", "manager", "regional_office")


# --- audit ------------------------------------------------------------------------------------

def audit_log(*, by: User, objects: Sequence[models.Model], flag: int, fields: Sequence[str] = (),
              message: str | Callable[[models.Model], str] = "") -> list[LogEntry]:
    """Audit rows for writes made through services, in Django's admin log: each object's "History"
    in the admin lists them, whichever entry (page, API, admin, import) made the change.

    `objects` are of one model. `fields` (model field names) become the admin's own "Changed name
    and manager." message; otherwise `message` (English, or a function of the object) is stored,
    e.g. what a deletion took with it. Objects must still carry their primary keys (after
    `Model.delete()`, which clears it, put the old key back first). One INSERT for all."""
    if not objects:
        return []
    opts = objects[0]._meta
    if flag == ADDITION:
        change = json.dumps([{"added": {}}])
    elif fields:
        with translation.override(None):  # stored in English, shown translated (as the admin does)
            names = [str(capfirst(opts.get_field(name).verbose_name)) for name in fields]
        change = json.dumps([{"changed": {"fields": names}}])
    else:
        change = message
    content_type = ContentType.objects.get_for_model(objects[0], for_concrete_model=False)
    entries = []
    for obj in objects:
        text = change(obj) if callable(change) else change
        entries.append(LogEntry(user_id=by.pk, content_type_id=content_type.pk, object_id=str(obj.pk),
                                object_repr=str(obj)[:200], action_flag=flag, change_message=text))
        logger.info("audit: %s #%s %r by %s (flag %s): %s", opts.label, obj.pk, str(obj), by, flag, text)
    return LogEntry.objects.bulk_create(entries)


# --- teams (administrators) -------------------------------------------------------------------

def _check_manages_organisation(by) -> None:
    if not can_manage_organisation(by):
        raise PermissionDenied(gettext("Only administrators create, change or delete teams."))


def check_known_fields(fields: dict, allowed: Sequence[str]) -> None:
    """Services take their fields as keywords; a name they do not know is a clear error, not a 500."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(gettext("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def team_check_fields(fields: dict) -> None:
    """The rules for a team's fields (the admin form asks them too, to show errors on the form)."""
    check_known_fields(fields, TEAM_FIELDS)
    manager = fields.get("manager")
    if manager is not None and not may_lead_team(manager):
        raise ValidationError({"manager": gettext("Only an active manager or administrator can lead a team.")})


@transaction.atomic
def team_create(*, by, **fields) -> Team:
    _check_manages_organisation(by)
    team_check_fields(fields)
    team = Team(**fields)
    team.full_clean()
    team.save()
    audit_log(by=by, objects=[team], flag=ADDITION)
    return team


@transaction.atomic
def team_update(*, team: Team, by, **fields) -> Team:
    """Change a team's name or manager (the row is locked; only changed fields are audited)."""
    _check_manages_organisation(by)
    team_check_fields(fields)
    team = Team.objects.select_for_update().get(pk=team.pk)
    changed = [name for name, value in fields.items() if getattr(team, name) != value]
    for name in changed:
        setattr(team, name, fields[name])
    team.full_clean()
    if changed:
        team.save(update_fields=changed)
        audit_log(by=by, objects=[team], flag=LOG_CHANGE, fields=changed)
    return team


@transaction.atomic
def team_delete(*, team: Team, by) -> None:
    """Delete an empty team (audited). A team with members is refused: their records' scope hangs on it."""
    _check_manages_organisation(by)
    team = Team.objects.select_for_update().get(pk=team.pk)
    members = team.members.count()
    if members:
        raise ValidationError(ngettext(
            "The team “%(team)s” still has %(count)d member; move them to another team first.",
            "The team “%(team)s” still has %(count)d members; move them to another team first.",
            members) % {"team": team.name, "count": members})
    pk = team.pk
    try:
        team.delete()
    except ProtectedError as exc:
        raise ValidationError(gettext("The team “%(team)s” is still in use and cannot be deleted.")
                              % {"team": team.name}) from exc
    team.pk = pk  # Model.delete() cleared it; the audit row names the deleted team
    audit_log(by=by, objects=[team], flag=DELETION)


def notify(*, recipient: User, kind: str, text: str, params: dict | None = None, url: str = "") -> Notification:
    """Create an in-app notification. `text` is an English msgid (gettext_noop), `params` fill it."""
    return Notification.objects.create(recipient=recipient, kind=kind, text=text, params=params or {}, url=url)


def user_language(user) -> str:
    """The language to write to `user` in: their own (User.language) if the site speaks it, else
    settings.LANGUAGE_CODE."""
    language = (getattr(user, "language", "") or "").lower()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@transaction.atomic
def user_set_language(*, user: User, language: str) -> bool:
    """Remember the language `user` picked in the language menu (emails follow it). Unknown codes
    change nothing; answers whether the stored language changed."""
    if language not in dict(settings.LANGUAGES) or not getattr(user, "pk", None):
        return False
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.language == language:
        return False
    locked.language = language
    locked.save(update_fields=["language"])
    user.language = language
    return True


def email_user(*, recipient: User, subject: str, body: str, params: dict | None = None) -> bool:
    """Email `recipient` after commit. `subject`/`body` are English msgids, translated here into the
    recipient's language (user_language). Returns False when the user has no email address."""
    if not recipient.email:
        return False
    with translation.override(user_language(recipient)):
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


def notify_all(*, notifications: Iterable[dict]) -> int:
    """`notify` for a batch (one INSERT): each a dict of recipient, kind, text, params and url."""
    rows = [Notification(recipient=n["recipient"], kind=n["kind"], text=n["text"], params=n.get("params") or {},
                         url=n.get("url", "")) for n in notifications]
    Notification.objects.bulk_create(rows)
    return len(rows)
