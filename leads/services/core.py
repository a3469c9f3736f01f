"""Writes to leads. Views, the API, the admin and tasks all come through here."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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


def _queue_completeness(lead_id: int) -> None:
    from .scoring import lead_queue_rescore

    transaction.on_commit(lambda: lead_refresh_completeness_task.delay(lead_id))
    lead_queue_rescore(lead_id=lead_id, reason="data")


def lead_saved(*, lead: Lead) -> None:
    """Background work after any save of a lead (also used by the admin)."""
    _queue_completeness(lead.pk)


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
    lead.save()
    _queue_completeness(lead.pk)
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
    lead.save()
    _queue_completeness(lead.pk)
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
