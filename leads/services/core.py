"""Writes to leads. Views, the API, the admin and tasks all come through here."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from salesops.errors import conflict_on_integrity_error
from teams.selectors import assignable_users_for

from ..models import Lead
from ..selectors import completeness_expression
from ..tasks import lead_refresh_completeness_task

EDITABLE_FIELDS = (
    "name", "email", "phone", "company", "industry", "company_size", "region", "job_title",
    "source", "consent", "do_not_email", "owner", "status",
    "origin", "last_activity", "total_visits", "time_on_site", "external_ref",
)


def _check_owner(*, by, owner) -> None:
    if owner is not None and not assignable_users_for(user=by).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("You cannot assign records to this user.")})


def _check_unique_email(*, lead: Lead) -> None:
    if not lead.email:
        return
    clash = Lead.objects.filter(email__iexact=lead.email)
    if lead.pk:
        clash = clash.exclude(pk=lead.pk)
    if clash.exists():
        raise ValidationError({"email": _("A lead with this email already exists.")})


def _save_checked(lead: Lead) -> None:
    """Save after the checks; another request may have saved the same email in between (409)."""
    with conflict_on_integrity_error(_("A lead with this email was saved by someone else at the same time.")):
        lead.save()


def _queue_background_work(lead_id: int) -> None:
    """After commit: refresh data completeness and rescore the lead (its data may have changed)."""
    from .scoring import lead_queue_rescore

    transaction.on_commit(lambda: lead_refresh_completeness_task.delay(lead_id))
    lead_queue_rescore(lead_id=lead_id, reason="data")


def lead_saved(*, lead: Lead) -> None:
    """Background work after any save of a lead (also used by the admin)."""
    _queue_background_work(lead.pk)


@transaction.atomic
def lead_create(*, by, **fields) -> Lead:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown lead fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    fields.setdefault("owner", by)
    lead = Lead(**fields)
    _check_owner(by=by, owner=lead.owner)
    _check_unique_email(lead=lead)
    lead.full_clean()
    _save_checked(lead)
    _queue_background_work(lead.pk)
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, by, **fields) -> Lead:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown lead fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "owner" in fields and fields["owner"] != lead.owner:
        _check_owner(by=by, owner=fields["owner"])
    for name, value in fields.items():
        setattr(lead, name, value)
    _check_unique_email(lead=lead)
    lead.full_clean()
    _save_checked(lead)
    _queue_background_work(lead.pk)
    return lead


def lead_refresh_completeness(*, lead_ids=None) -> int:
    """Recompute data completeness set-based; only rows whose value changes are written.

    Idempotent and safe to re-run or to kill halfway (each UPDATE is one statement).
    Returns the number of rows changed.
    """
    queryset = Lead.objects.all()
    if lead_ids is not None:
        queryset = queryset.filter(pk__in=list(lead_ids))
    expression = completeness_expression()
    return queryset.exclude(completeness=expression).update(completeness=expression)


def lead_record_won(*, lead_id: int, won_at) -> None:
    """The opportunity converted from this lead was won (or, with None, reopened): the funnel and
    lead-quality figures count a lead as won while its deal is."""
    Lead.objects.filter(pk=lead_id).update(won_at=won_at)


def lead_lock_for_conversion(*, lead_id: int) -> Lead:
    """Lock a lead that is about to become an opportunity; only qualified, unconverted leads convert."""
    locked = Lead.objects.select_for_update().get(pk=lead_id)
    if locked.converted_at or locked.status == Lead.Status.CONVERTED:
        raise ValidationError(_("This lead has already been converted."))
    if locked.status != Lead.Status.QUALIFIED:
        raise ValidationError(_("Only qualified leads can be converted."))
    return locked


def lead_mark_converted(*, lead_id: int, at) -> None:
    """The lead became an opportunity (the link is kept on the opportunity, for conversion metrics)."""
    Lead.objects.filter(pk=lead_id).update(status=Lead.Status.CONVERTED, converted_at=at)
