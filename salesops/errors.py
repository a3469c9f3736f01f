"""Errors shared by the apps' services (the base layer: it imports no app)."""
from django.core.exceptions import ValidationError


class VersionConflict(ValidationError):
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
