"""Errors services raise that the layers above translate (no HTTP here; the base layer imports no app)."""
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


class ConflictError(ValidationError):
    """A write lost a race: a duplicate created, a row published, changed or deleted at the same time.

    A ValidationError, so pages and forms show its message like any other; the API answers 409.
    """


class VersionConflict(ConflictError):
    """Someone else changed the record since the caller read it (optimistic concurrency).

    Raised by a service when the `expected_version` it was given is not the row's version any more.
    The API answers 409 with `{"detail", "version", ...conflict_detail()}` (salesops.api), HTML forms
    show the message; nothing is saved.
    """

    def __init__(self, message, *, current_version: int, code: str = "conflict"):
        self.current_version = current_version
        super().__init__(message, code=code)

    def conflict_detail(self) -> dict:
        """Extra fields of the 409 body (subclasses add e.g. the deal's current stage)."""
        return {"version": self.current_version}


@contextmanager
def conflict_on_integrity_error(message):
    """Run a write in a savepoint; a constraint violation (a concurrent request wrote first, after
    the service's own check) becomes a ConflictError with `message`, and the outer transaction
    stays usable."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ConflictError(message, code="conflict") from exc


class DuplicateError(ConflictError):
    """The record exists already (a unique email, an external reference): the API answers 409 with
    `{"detail", "code": "duplicate", "field", "existing_id"}`, so a client can update that one."""

    def __init__(self, message, *, field: str, existing_id: int):
        self.conflict_body = {"field": field, "existing_id": existing_id}
        self.error_code = "duplicate"
        super().__init__({field: [message]})
