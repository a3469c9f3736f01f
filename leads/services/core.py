"""Writes to leads. Views, the API, the admin and tasks all come through here."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from integrations.events import publish
from salesops.errors import DuplicateError, VersionConflict, conflict_on_integrity_error
from salesops.queue import enqueue_on_commit
from teams.predicates import can_assign_lead
from teams.services import check_known_fields

from ..models import Lead
from ..selectors import completeness_expression, email_lookup_q
from ..tasks import lead_refresh_completeness_task

EDITABLE_FIELDS = (
    "name", "email", "phone", "company", "industry", "company_size", "region", "job_title",
    "source", "consent", "do_not_email", "owner",
    "origin", "last_activity", "total_visits", "time_on_site", "external_ref", "source_system",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
)
# Only a new lead takes a status as given (e.g. an import of historical records); afterwards the
# status changes through its named transitions (leads.services.lifecycle, routing, conversion).
CREATE_FIELDS = (*EDITABLE_FIELDS, "status")


def status_rule_message() -> str:
    return _("The status cannot be edited: it changes only through its actions — record a contact "
             "(working), qualify, nurture, disqualify with a reason, convert to a deal, or the pool return.")


def lead_payload(lead: Lead) -> dict:
    """What webhooks and the change feed say about a lead."""
    return {"id": lead.pk, "name": lead.name, "email": lead.email, "company": lead.company, "source": lead.source,
            "status": lead.status, "owner": lead.owner_id, "score": lead.score, "grade": lead.grade,
            "external_ref": lead.external_ref}


def _check_fields(fields: dict, allowed) -> None:
    if "status" in fields and "status" not in allowed:
        raise ValidationError({"status": status_rule_message()})
    check_known_fields(fields, allowed)


def _check_unique_email(*, lead: Lead) -> None:
    """A lead's email and its (source system, external reference) are unique: DuplicateError
    (the API's 409) names the lead that has them."""
    if lead.email:
        clash = Lead.objects.filter(email_lookup_q(lead.email))
        if lead.pk:
            clash = clash.exclude(pk=lead.pk)
        existing = clash.values_list("pk", flat=True).first()
        if existing is not None:
            raise DuplicateError(_("A lead with this email already exists."), field="email", existing_id=existing)
    if lead.external_ref:
        clash = Lead.objects.filter(source_system=lead.source_system, external_ref=lead.external_ref)
        if lead.pk:
            clash = clash.exclude(pk=lead.pk)
        existing = clash.values_list("pk", flat=True).first()
        if existing is not None:
            raise DuplicateError(_("A lead with this external reference already exists for this source system."),
                                 field="external_ref", existing_id=existing)


def _save_checked(lead: Lead, **save_kwargs) -> None:
    """Save after the checks; another request may have saved the same email in between (409)."""
    with conflict_on_integrity_error(_("A lead with this email was saved by someone else at the same time.")):
        lead.save(**save_kwargs)


def _queue_background_work(lead_id: int) -> None:
    """After commit: refresh data completeness and rescore the lead (its data may have changed)."""
    from .scoring import lead_queue_rescore

    enqueue_on_commit(lead_refresh_completeness_task, lead_id)
    lead_queue_rescore(lead_id=lead_id, reason="data")


def lead_saved(*, lead: Lead) -> None:
    """Background work after any save of a lead."""
    _queue_background_work(lead.pk)


def lead_lock(*, lead: Lead | int, expected_version: int | None = None) -> Lead:
    """Lock the lead's row and re-read it; refuse (VersionConflict) when it is not at `expected_version`."""
    locked = Lead.objects.select_for_update().filter(pk=getattr(lead, "pk", lead)).first()
    if locked is None:
        raise ValidationError(_("This lead no longer exists."))
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(
            _("This lead was changed by someone else meanwhile (version %(current)s, you had %(yours)s). "
              "Reload it and try again.") % {"current": locked.version, "yours": expected_version},
            current_version=locked.version)
    return locked


@transaction.atomic
def lead_create(*, by, **fields) -> Lead:
    """Create a lead. Its creator owns it unless `owner` says otherwise (None: unowned, for routing);
    an owner is recorded like any assignment (audit row, notification, first-touch SLA)."""
    from .routing import lead_record_assignment

    _check_fields(fields, CREATE_FIELDS)
    fields.setdefault("owner", by)
    owner = fields.pop("owner")
    lead = Lead(**fields)
    if not can_assign_lead(by, lead, owner):
        raise ValidationError({"owner": _("You cannot assign records to this user.")})
    _check_unique_email(lead=lead)
    lead.full_clean()
    _save_checked(lead)
    publish("lead.created", object_id=lead.pk, owner_id=owner.pk if owner else None, payload=lead_payload(lead))
    if owner is not None:
        lead_record_assignment(lead=lead, rep=owner, by=by, note=gettext_noop("new lead"))
    _queue_background_work(lead.pk)
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, by, expected_version: int | None = None, **fields) -> Lead:
    """Change a lead's data: locks and re-reads the row, writes only the fields given.

    A changed owner goes through the assignment service (rule, audit row, notification, SLA);
    nobody empties the owner here (leads return to the pool only by the pool-return rule).
    """
    from .routing import lead_assign_locked

    _check_fields(fields, EDITABLE_FIELDS)
    locked = lead_lock(lead=lead, expected_version=expected_version)
    owner_given = "owner" in fields
    owner = fields.pop("owner", None)
    if owner_given and owner is None and locked.owner_id is not None:
        raise ValidationError({"owner": _("A lead cannot be left without an owner here: leads return to the "
                                          "pool only through the pool-return rule.")})
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, fields[name])
    _check_unique_email(lead=locked)
    locked.full_clean()
    if owner is not None and owner.pk != locked.owner_id:
        if not can_assign_lead(by, locked, owner):
            raise ValidationError({"owner": _("You cannot assign records to this user.")})
        lead_assign_locked(lead=locked, rep=owner, by=by, reason="")
    if changed:
        locked.version += 1
        _save_checked(locked, update_fields=[*changed, "version", "updated_at"])
        _queue_background_work(locked.pk)
    return locked


def lead_refresh_completeness(*, lead_ids=None) -> int:
    """Recompute data completeness set-based; only rows whose value changes are written.

    Idempotent and safe to re-run or to kill halfway (each UPDATE is one statement).
    Returns the number of rows changed.
    """
    queryset = Lead.objects.all()
    if lead_ids is not None:
        queryset = queryset.filter(pk__in=list(lead_ids))
    expression = completeness_expression()
    return queryset.exclude(completeness=expression).update(completeness=expression, updated_at=timezone.now())


def lead_record_won(*, lead_id: int, won_at) -> None:
    """The opportunity converted from this lead was won (or, with None, reopened): the funnel and
    lead-quality figures count a lead as won while its deal is."""
    Lead.objects.filter(pk=lead_id).update(won_at=won_at, version=F("version") + 1, updated_at=timezone.now())


def lead_lock_for_conversion(*, lead_id: int) -> Lead:
    """Lock a lead that is about to become an opportunity; only qualified, unconverted leads convert."""
    locked = lead_lock(lead=lead_id)
    if locked.converted_at or locked.status == Lead.Status.CONVERTED:
        raise ValidationError(_("This lead has already been converted."))
    if locked.status != Lead.Status.QUALIFIED:
        raise ValidationError(_("Only qualified leads can be converted."))
    return locked


def lead_mark_converted(*, lead_id: int, at) -> None:
    """The lead became an opportunity (the link is kept on the opportunity, for conversion metrics)."""
    Lead.objects.filter(pk=lead_id).update(status=Lead.Status.CONVERTED, converted_at=at, version=F("version") + 1,
                                           updated_at=timezone.now())
