"""Shared REST API plumbing: pagination, error format, base viewset behaviour."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from django.utils.translation import gettext as _
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import VersionConflict


def reject_nul_characters(data) -> None:
    """Raw JSON that reaches a service unvalidated: NUL characters cannot be stored or queried."""
    if isinstance(data, str):
        if "\x00" in data:
            raise exceptions.ValidationError({"detail": _("Text may not contain NUL (\\x00) characters.")})
    elif isinstance(data, dict):
        for key, value in data.items():
            reject_nul_characters(key)
            reject_nul_characters(value)
    elif isinstance(data, list):
        for value in data:
            reject_nul_characters(value)


class Pagination(pagination.PageNumberPagination):
    """`count`, `next`, `previous`, `results`; clients may ask for up to 200 rows a page."""

    page_size_query_param = "page_size"
    max_page_size = 200


def _django_validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    """DRF's handler, plus Django's ValidationError (raised by services) as a 400.

    Errors are always JSON: `{"field": ["message", ...]}` for input errors and
    `{"detail": "message"}` for everything else; messages are in the user's language. A stale
    version (salesops.errors.VersionConflict) answers 409 with the current version.
    """
    if isinstance(exc, VersionConflict):
        return Response({"detail": exc.messages[0], **exc.conflict_detail()}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DataError):
        # Last line of defence: a value the database cannot hold (out of range, NUL byte…) is bad
        # input, not a server error. The request's transaction is rolled back by DRF.
        exc = exceptions.ValidationError({"detail": _("A value is out of range or not valid for storage.")})
    return drf_exception_handler(exc, context)
