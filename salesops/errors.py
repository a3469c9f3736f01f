"""Errors services raise that the layers above translate (no HTTP here)."""
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


class ConflictError(ValidationError):
    """A write lost a race: a duplicate created, a row published, changed or deleted at the same time.

    A ValidationError, so pages and forms show its message like any other; the API answers 409.
    """


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
