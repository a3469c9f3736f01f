"""Shared REST API plumbing: pagination, error format, base viewset behaviour."""
import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, status
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ConflictError


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


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This conflicts with a change made at the same time; reload and try again.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


_DIGITS = re.compile(r"^[0-9]{1,9}$")


class Pagination(pagination.PageNumberPagination):
    """`count`, `next`, `previous`, `results`; clients may ask for up to 200 rows a page.

    `page` and `page_size` are checked, not ignored: anything but one whole number in range is a 400
    (DRF's default silently falls back to 50 rows for `page_size=-1`).
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def _single_number(self, request, name: str, *, maximum: int | None = None, allow: tuple = ()):
        values = request.query_params.getlist(name)
        if not values:
            return None
        value = values[0]
        if len(values) > 1:
            raise exceptions.ValidationError({name: [_("Give this parameter at most once.")]})
        if value in allow:
            return value
        if not _DIGITS.match(value) or int(value) < 1 or (maximum is not None and int(value) > maximum):
            message = (_("Enter a whole number from 1 to %(max)s.") % {"max": maximum} if maximum
                       else _("Enter a whole number from 1."))
            raise exceptions.ValidationError({name: [message]})
        return int(value)

    def get_page_size(self, request):
        return self._single_number(request, self.page_size_query_param, maximum=self.max_page_size) \
            or self.page_size

    def get_page_number(self, request, paginator):
        page_number = self._single_number(request, self.page_query_param, allow=self.last_page_strings) or 1
        return paginator.num_pages if page_number in self.last_page_strings else page_number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


def _django_validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    """DRF's handler, plus Django's ValidationError (raised by services) as a 400.

    Errors are always JSON: `{"field": ["message", ...]}` for input errors and
    `{"detail": "message"}` for everything else; messages are in the user's language.
    """
    if isinstance(exc, ConflictError):
        exc = Conflict(detail=" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DataError):
        # Last line of defence: a value the database cannot hold (out of range, NUL byte…) is bad
        # input, not a server error. The request's transaction is rolled back by DRF.
        exc = exceptions.ValidationError({"detail": _("A value is out of range or not valid for storage.")})
    elif isinstance(exc, IntegrityError):
        # A unique or foreign-key constraint caught what the service's checks could not see: a
        # concurrent request wrote first. Services translate the races they expect (ConflictError);
        # this is the net under the others.
        exc = Conflict()
    elif isinstance(exc, OverflowError):
        exc = exceptions.ValidationError({"detail": _("A date or number is out of the supported range.")})
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    return drf_exception_handler(exc, context)

