"""Create-or-update of leads by the other system's id (issue 15): `POST /api/v1/leads/upsert/`.

Each item is matched by (source_system, external_ref) when it has a reference, else by email
(case-insensitive); a match is updated through lead_update (row lock, version, audit of the owner),
anything else created through lead_create. Items are independent: each runs in its own savepoint
and reports `created`, `updated`, `unchanged` or `error` (with a code). Sending the same batch
again changes nothing and reports `unchanged`: the endpoint is idempotent.
"""
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from salesops.errors import ConflictError, DuplicateError

from ..models import Lead
from .core import EDITABLE_FIELDS, lead_create, lead_update

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
MAX_UPSERT_BATCH = 1000


@dataclass
class UpsertOutcome:
    status: str
    lead: Lead | None = None
    code: str = ""
    errors: dict = field(default_factory=dict)
    existing_id: int | None = None


def _match(fields: dict) -> Lead | None:
    """The lead this item is about, locked: by the other system's id, else by email."""
    ref = fields.get("external_ref") or ""
    if ref:
        found = (Lead.objects.select_for_update()
                 .filter(source_system=fields.get("source_system") or "", external_ref=ref).first())
        if found is not None:
            return found
    if fields.get("email"):
        return Lead.objects.select_for_update().filter(email__iexact=fields["email"]).first()
    return None


def _differs(lead: Lead, name: str, value) -> bool:
    if name == "owner":
        return lead.owner_id != getattr(value, "pk", value)
    return getattr(lead, name) != value


@transaction.atomic
def lead_upsert(*, by, fields: dict, changeable: QuerySet[Lead]) -> UpsertOutcome:
    """Create or update one lead from an integration's record (see the module). `changeable`: the
    leads `by` may change (teams.selectors scope); a match outside it is refused."""
    match = _match(fields)
    if match is None:
        return UpsertOutcome(CREATED, lead_create(by=by, **fields))
    if not changeable.filter(pk=match.pk).exists():
        raise PermissionDenied(_("A lead with this email or external reference exists, but you cannot change it."))
    changes = {name: value for name, value in fields.items() if name in EDITABLE_FIELDS and _differs(match, name, value)}
    if not changes:
        return UpsertOutcome(UNCHANGED, match)
    return UpsertOutcome(UPDATED, lead_update(lead=match, by=by, **changes))


def _error_code(exc: ValidationError) -> str:
    codes = {error.code for error in exc.error_list if error.code} if not hasattr(exc, "error_dict") else {
        error.code for errors in exc.error_dict.values() for error in errors if error.code}
    return codes.pop() if len(codes) == 1 else "invalid"


def leads_upsert(*, by, items: list[dict], changeable: QuerySet[Lead]) -> list[UpsertOutcome]:
    """lead_upsert for each already-validated item, in its own savepoint; refusals become `error`
    outcomes with a code (`invalid`, `duplicate`, `conflict`, `permission_denied`)."""
    outcomes = []
    for fields in items:
        try:
            outcomes.append(lead_upsert(by=by, fields=fields, changeable=changeable))
        except DuplicateError as exc:
            outcomes.append(UpsertOutcome(ERROR, code="duplicate", errors=exc.message_dict,
                                          existing_id=exc.conflict_body["existing_id"]))
        except ConflictError as exc:
            outcomes.append(UpsertOutcome(ERROR, code="conflict", errors={"non_field_errors": exc.messages}))
        except PermissionDenied as exc:
            outcomes.append(UpsertOutcome(ERROR, code="permission_denied", errors={"non_field_errors": [str(exc)]}))
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            outcomes.append(UpsertOutcome(ERROR, code=_error_code(exc), errors=errors))
    return outcomes
