"""Behaviour event ingestion: one event or a batch, all-or-nothing, idempotent by external id per poster.

Who may post events for a lead: whoever may change it (reps their own leads, managers their team's,
admins all), plus marketing for every lead (the marketing-automation integration posts as a
marketing user). Unknown emails follow settings.LEADS_UNKNOWN_EMAIL_POLICY: "error" (default) or
"create" (a lead is created with no owner and source "other"; only for users who may post events
for every lead, so a rep cannot create leads they could not see).
"""
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from salesops.ingest import (
    BatchError, ItemErrors, first_occurrences, ingest_atomically, parse_event_time, parse_external_id, parse_id,
    unknown_fields, validate_batch,
)
from teams.predicates import can_create_leads_from_events, can_record_events_for_any_lead
from teams.selectors import CHANGE, VIEW

from ..models import EventType, Lead, LeadEvent, ScoreChange, Source
from ..selectors import email_lookup_q, lead_queryset_for
from .core import lead_create
from .scoring import lead_queue_rescore

MAX_BATCH = 1000
ITEM_FIELDS = {"lead", "email", "type", "occurred_at", "external_id"}
UNKNOWN_EMAIL_ERROR, UNKNOWN_EMAIL_CREATE = "error", "create"

# The shared bulk-ingest error (salesops.ingest): some items are invalid, nothing was stored.
EventBatchError = BatchError


@dataclass
class EventIngestResult:
    created: list[LeadEvent] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # external ids that were already stored
    leads_created: list[Lead] = field(default_factory=list)
    statuses: list[tuple[str, int | None]] = field(default_factory=list)  # per item: (status, event id)


@dataclass
class _Item:
    lead: Lead | None
    new_email: str  # a lead to auto-create (policy "create")
    event_type: EventType
    occurred_at: datetime
    external_id: str | None


def lead_queryset_for_events(*, user) -> QuerySet[Lead]:
    """Leads `user` may post behaviour events for."""
    action = VIEW if can_record_events_for_any_lead(user) else CHANGE
    return lead_queryset_for(user=user, action=action)


class _Resolver:
    """Validates raw items with a constant number of queries per batch."""

    def __init__(self, *, by, raw_items: list):
        self.by = by
        dicts = [raw for raw in raw_items if isinstance(raw, dict)]
        codes = {raw.get("type") for raw in dicts if isinstance(raw.get("type"), str)}
        self.types = {t.code: t for t in EventType.objects.filter(code__in=codes)}
        scope = lead_queryset_for_events(user=by)
        ids = {parse_id(raw.get("lead")) for raw in dicts} - {None}
        self.by_id = {lead.pk: lead for lead in scope.filter(pk__in=ids)}
        emails = {raw.get("email").strip().lower() for raw in dicts if isinstance(raw.get("email"), str)}
        self.by_email = {lead.email.lower(): lead for lead in scope.filter(email_lookup_q(emails))} if emails else {}
        unseen = emails - set(self.by_email)
        self.existing_emails = set(Lead.objects.filter(email_lookup_q(unseen)).annotate(
            email_ci=Lower("email")).values_list("email_ci", flat=True)) if unseen else set()

    def resolve(self, raw) -> tuple[_Item | None, dict[str, list[str]]]:
        if not isinstance(raw, dict):
            return None, {"non_field_errors": [_("Each event must be a JSON object.")]}
        errors = ItemErrors()
        unknown_fields(raw, ITEM_FIELDS, errors)
        lead, new_email = self._resolve_lead(raw, errors.fail)
        event_type = None
        code = raw.get("type")
        if code in (None, ""):
            errors.fail("type", _("This field is required."), "required")
        elif not isinstance(code, str) or code not in self.types:
            errors.fail("type", _("Unknown event type “%(type)s”.") % {"type": code}, "unknown_event_type")
        elif not self.types[code].is_active:
            errors.fail("type", _("The event type “%(type)s” is not active.") % {"type": code})
        else:
            event_type = self.types[code]
        occurred_at = None
        if raw.get("occurred_at") in (None, ""):
            errors.fail("occurred_at", _("This field is required."), "required")
        else:
            occurred_at = errors.parse("occurred_at", parse_event_time, raw.get("occurred_at"))
        external_id = errors.parse("external_id", parse_external_id, raw.get("external_id"))
        if errors:
            return None, errors
        return _Item(lead, new_email, event_type, occurred_at, external_id), {}

    def _resolve_lead(self, raw, fail) -> tuple[Lead | None, str]:
        lead_id, email = raw.get("lead"), raw.get("email")
        if lead_id not in (None, "") and email not in (None, ""):
            fail("lead", _("Give either a lead id or an email, not both."))
        elif lead_id not in (None, ""):
            if parse_id(lead_id) not in self.by_id:
                fail("lead", _("No lead with id “%(id)s” that you may add events to.") % {"id": lead_id})
            else:
                return self.by_id[parse_id(lead_id)], ""
        elif email not in (None, ""):
            return self._resolve_email(email, fail)
        else:
            fail("lead", _("Give the lead id or the lead's email."))
        return None, ""

    def _resolve_email(self, email, fail) -> tuple[Lead | None, str]:
        if not isinstance(email, str):
            fail("email", _("Enter a valid email address."))
            return None, ""
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            fail("email", _("Enter a valid email address."))
            return None, ""
        key = email.lower()
        if key in self.by_email:
            return self.by_email[key], ""
        policy = getattr(settings, "LEADS_UNKNOWN_EMAIL_POLICY", UNKNOWN_EMAIL_ERROR)
        if policy == UNKNOWN_EMAIL_CREATE and key not in self.existing_emails and can_create_leads_from_events(self.by):
            return None, email
        fail("email", _("No lead with email “%(email)s” that you may add events to.") % {"email": email})
        return None, ""


def _validate(*, by, items) -> list[_Item]:
    resolver = _Resolver(by=by, raw_items=items if isinstance(items, list) and len(items) <= MAX_BATCH else [])
    return validate_batch(items, resolve=resolver.resolve, max_batch=MAX_BATCH,
                          empty_message=_("Send one event or a non-empty list of events."),
                          too_many_message=_("Send at most %(max)s events at a time."))


def _store(*, by, items: list[_Item]) -> EventIngestResult:
    result = EventIngestResult()
    poster = by if getattr(by, "pk", None) else None  # external ids are unique per poster
    external_ids = [item.external_id for item in items if item.external_id]
    stored = set(LeadEvent.objects.filter(posted_by=poster, external_id__in=external_ids)
                 .values_list("external_id", flat=True))
    new_leads: dict[str, Lead] = {}
    to_create = []
    for item, new in zip(items, first_occurrences([item.external_id for item in items], stored), strict=True):
        if not new:
            result.duplicates.append(item.external_id)
            result.statuses.append(("duplicate", None))
            continue
        lead = item.lead
        if lead is None:
            key = item.new_email.lower()
            if key not in new_leads:
                new_leads[key] = lead_create(by=by, name=item.new_email, email=item.new_email, owner=None,
                                             source=Source.OTHER)
                result.leads_created.append(new_leads[key])
            lead = new_leads[key]
        to_create.append(LeadEvent(lead=lead, event_type=item.event_type, occurred_at=item.occurred_at,
                                   external_id=item.external_id, posted_by=poster))
        result.statuses.append(("created", None))
    result.created = LeadEvent.objects.bulk_create(to_create)
    created_ids = iter(event.pk for event in result.created)
    result.statuses = [(status, next(created_ids) if status == "created" else None)
                       for status, _unused in result.statuses]
    for lead_id in sorted({event.lead_id for event in result.created}):
        lead_queue_rescore(lead_id=lead_id, reason=ScoreChange.Reason.EVENT)
    return result


def events_ingest(*, by, items: list[dict]) -> EventIngestResult:
    """Store behaviour events. Every item is validated first; if any is invalid nothing is stored
    and EventBatchError lists the errors by item index. Items whose external id `by` already posted
    (or repeated in the batch) are reported as duplicates and change nothing; another poster's
    events with the same id are neither counted nor revealed. One rescore is queued
    per lead that received new events."""
    return ingest_atomically(validate=lambda: _validate(by=by, items=items),
                             store=lambda parsed: _store(by=by, items=parsed),
                             clash_message=_("These events clash with events stored at the same time; retry."))


def event_ingest(*, by, item: dict) -> EventIngestResult:
    """One event: the same rules as a batch of one."""
    return events_ingest(by=by, items=[item])
