"""Web-to-lead: forms (marketing and administrators) and their public submissions.

A submission creates its lead through lead_create (the one door) or, when a lead with that email
exists, records a `form_submitted` behaviour event on it through events_ingest; a filled honeypot
stores nothing. The answer is the same in all three cases (nothing is revealed to the sender)."""
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.events import publish
from teams.predicates import can_create_leads_from_events, can_give_records_to, can_manage_web_forms

from ..models import Lead, WebForm
from .core import lead_create
from .events import events_ingest

FORM_EVENT_TYPE = "form_submitted"
FORM_FIELDS = ("name", "email", "phone", "company", "job_title")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
HONEYPOT_FIELD = "website"
EDIT_FIELDS = ("name", "allowed_origins", "posted_as", "owner", "source", "success_url", "is_active")


@dataclass
class SubmitResult:
    outcome: str  # "created", "event" or "ignored"
    lead: Lead | None = None


def _check(form: WebForm) -> None:
    if not can_create_leads_from_events(form.posted_as):
        raise ValidationError({"posted_as": _("Choose an active marketing user or administrator.")})
    if form.owner is not None and not can_give_records_to(form.posted_as, form.owner):
        raise ValidationError({"owner": _("The form's user cannot give leads to this owner.")})
    for origin in form.origins():
        if not origin.startswith(("https://", "http://")) or "/" in origin.split("://", 1)[1]:
            raise ValidationError({"allowed_origins": _("“%(origin)s” is not an origin: give scheme and host only, "
                                                        "e.g. https://www.example.com.") % {"origin": origin}})
    form.full_clean()


@transaction.atomic
def web_form_save(*, by, form: WebForm | None = None, **fields) -> WebForm:
    if not can_manage_web_forms(by):
        raise PermissionDenied(_("Only marketing and administrators manage web forms."))
    unknown = set(fields) - set(EDIT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if form is None or form.pk is None:
        form = WebForm(created_by=by)
    else:
        form = WebForm.objects.select_for_update().get(pk=form.pk)
    for name, value in fields.items():
        setattr(form, name, value)
    _check(form)
    form.save()
    return form


def origin_allowed(form: WebForm, origin: str | None) -> bool:
    """No Origin header (a server or a plain form post from an old browser) passes; a browser's
    Origin must be on the form's list."""
    return not origin or origin.rstrip("/").lower() in form.origins()


def _clean(data) -> dict:
    errors, cleaned = {}, {}
    for name in (*FORM_FIELDS, *UTM_FIELDS):
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = [_("Enter text.")]
            continue
        value = value.strip()
        limit = Lead._meta.get_field(name).max_length
        if "\x00" in value or len(value) > limit:
            errors[name] = [_("Enter at most %(max)s characters.") % {"max": limit}]
        cleaned[name] = value
    if not errors and not cleaned.get("email"):
        errors["email"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    cleaned["name"] = cleaned.get("name") or cleaned["email"]
    return cleaned


@transaction.atomic
def web_form_submit(*, form: WebForm, data) -> SubmitResult:
    """One public submission of `form` (a dict or QueryDict of text fields)."""
    fields = _clean(data)  # invalid input is a 400 whatever the honeypot says
    honeypot = data.get(HONEYPOT_FIELD)
    if honeypot is not None and not isinstance(honeypot, str):
        raise ValidationError({HONEYPOT_FIELD: [_("Enter text.")]})
    if honeypot:
        return SubmitResult("ignored")
    lead = Lead.objects.annotate(email_ci=Lower("email")).filter(email_ci=fields["email"].lower()).first()
    if lead is None:
        candidate = Lead(**{name: value for name, value in fields.items()})
        try:
            candidate.clean_fields(exclude=[f.name for f in Lead._meta.fields if f.name not in fields])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        lead = lead_create(by=form.posted_as, owner=form.owner, source=form.source,
                           origin=f"web form {form.name}"[:100], **fields)
        return SubmitResult("created", lead)
    events_ingest(by=form.posted_as, items=[{"lead": lead.pk, "type": FORM_EVENT_TYPE,
                                             "occurred_at": timezone.now().isoformat()}])
    publish("lead.form_submitted", object_id=lead.pk, owner_id=lead.owner_id,
            payload={"lead": lead.pk, "form": form.key, **{k: v for k, v in fields.items() if k in UTM_FIELDS}})
    return SubmitResult("event", lead)
