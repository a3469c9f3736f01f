"""Shared REST API plumbing: pagination, error format, base viewset behaviour."""
import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ConflictError, VersionConflict
from .pagination import LargeListPaginator


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


def query_param_errors(params, *, names, blank_ok=(), many_ok=()):
    """(name, message) for each query parameter given twice or blank where the schema allows neither.

    Django forms, django-filter and DRF read `?start=` as "not given" and `?a=1&a=2` as its last
    value; to an API client that is a silent surprise, so the API answers 400 instead.
    """
    for name in names:
        values = params.getlist(name)
        if len(values) > 1 and name not in many_ok:
            yield name, _("Give this parameter at most once.")
        elif "" in values and name not in blank_ok:
            yield name, _("This value may not be blank.")


def raise_query_param_errors(errors) -> None:
    errors = {name: [message] for name, message in errors}
    if errors:
        raise exceptions.ValidationError(errors)


class QuerySerializer(serializers.Serializer):
    """A serializer for query parameters (`Serializer(data=request.query_params)`): each given at
    most once and not blank, unless the field takes a list or blank text."""

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            fields = self.fields
            raise_query_param_errors(query_param_errors(
                data, names=fields,
                blank_ok={name for name, field in fields.items() if getattr(field, "allow_blank", False)},
                many_ok={name for name, field in fields.items()
                         if isinstance(field, serializers.ListField | serializers.MultipleChoiceField)}))
        return super().to_internal_value(data)


def _from_json(field) -> bool:
    """The value comes from a JSON body (not a form or query string, where every value is text)."""
    data = getattr(field.root, "initial_data", None)
    return data is not None and not hasattr(data, "getlist")


def _strict(field_class, accepts):
    original = field_class.to_internal_value
    if getattr(original, "strict", False):
        return

    def to_internal_value(self, data):
        if not accepts(self, data):
            self.fail("invalid")
        return original(self, data)

    to_internal_value.strict = True
    field_class.to_internal_value = to_internal_value


def install_strict_types() -> None:
    """JSON values must have the type the schema states. DRF is lenient: a CharField takes the
    number 0 as "0", a BooleanField takes 0, "yes" or "off", an IntegerField "12" or 12.0. Such
    input now gets the field's usual "invalid" message. Form and query input (always text) is read
    as before. Installed once by salesops.apps."""
    _strict(serializers.CharField, lambda field, data: isinstance(data, str))
    _strict(serializers.BooleanField, lambda field, data: isinstance(data, bool) or not _from_json(field))
    _strict(serializers.IntegerField, lambda field, data: not _from_json(field)
            or (isinstance(data, int) and not isinstance(data, bool)))
    _strict(serializers.FloatField, lambda field, data: not _from_json(field)
            or (isinstance(data, int | float) and not isinstance(data, bool)))
    _refuse_naive_datetimes()


def _refuse_naive_datetimes() -> None:
    """A date-time without an offset is ambiguous (whose 10:00?): 400 with code `naive_datetime`,
    instead of DRF's silent reading in the server's zone."""
    original = serializers.DateTimeField.to_internal_value
    if getattr(original, "strict", False):
        return

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                from .ingest import naive_datetime_message

                raise serializers.ValidationError(naive_datetime_message(), code="naive_datetime")
        return original(self, value)

    to_internal_value.strict = True
    serializers.DateTimeField.to_internal_value = to_internal_value


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This conflicts with a change made at the same time; reload and try again.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


_DIGITS = re.compile(r"^[0-9]{1,18}$")


class Pagination(pagination.PageNumberPagination):
    """`count`, `count_is_estimate`, `next`, `previous`, `results`; clients may ask for up to 200 rows
    a page.

    Pages come from salesops.pagination.LargeListPaginator, as on the list pages: a deep page is
    read by a deferred join (its OFFSET walks ids only), and the count of a whole big table (no
    filter, no scope narrower than everything, at least SALESOPS_LIST_ESTIMATE_FROM rows) is
    PostgreSQL's estimate, said by `count_is_estimate`. `next` is exact either way: follow it to
    the end and every row comes once (with an estimate, each page reads one row more to know).

    `page` and `page_size` are checked, not ignored: anything but one whole number in range is a 400
    (DRF's default silently falls back to 50 rows for `page_size=-1`).
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = LargeListPaginator

    def get_html_context(self):
        # the browsable API numbers the pages up to the last one; past an estimated count's guessed end
        # (a page `next` leads to when the guess is short) there is no numbering to show: previous and next
        if self.page.number > self.page.paginator.num_pages:
            return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link(), "page_links": []}
        return super().get_html_context()

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {"count": response.data["count"], "count_is_estimate": self.page.paginator.estimated,
                         **{key: value for key, value in response.data.items() if key != "count"}}
        return response

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

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"] = {"count": result["properties"]["count"],
                                "count_is_estimate": {"type": "boolean", "example": False},
                                **{key: value for key, value in result["properties"].items() if key != "count"}}
        descriptions = {"count": "Rows in all pages: exact, or PostgreSQL's estimate for a whole table of"
                                 " SALESOPS_LIST_ESTIMATE_FROM rows or more (see count_is_estimate).",
                        "count_is_estimate": "Whether count is an estimate (a whole big table, no filter).",
                        "next": "The next page's URL (null on the last page; exact even when count is not).",
                        "previous": "The previous page's URL (null on the first page).",
                        "results": "The rows of this page."}
        for name, prop in result["properties"].items():
            prop.setdefault("description", descriptions.get(name, name))
        return result

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
    `{"detail": "message"}` for everything else; messages are in the user's language. Beside the
    messages, a stable machine-readable `code` (e.g. `not_found`, `naive_datetime`,
    `unknown_parameter`, `duplicate`, `version_conflict`) and, for input errors, `codes`
    {field: [code, ...]} (see with_error_codes). A stale version (salesops.errors.VersionConflict)
    answers 409 with the current version.
    """
    if isinstance(exc, VersionConflict):
        return Response({"detail": exc.messages[0], "code": "version_conflict", **exc.conflict_detail()},
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ConflictError):
        extra = getattr(exc, "conflict_body", None)
        if extra is not None:
            return Response({"detail": " ".join(exc.messages), "code": getattr(exc, "error_code", "conflict"),
                             **extra}, status=status.HTTP_409_CONFLICT)  # e.g. salesops.errors.DuplicateError
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
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = with_error_codes(response.data, exc.get_codes())
    return response


def _flat_codes(codes) -> list[str]:
    if isinstance(codes, dict):
        return [code for value in codes.values() for code in _flat_codes(value)]
    if isinstance(codes, list):
        return [code for value in codes for code in _flat_codes(value)]
    return [str(codes)]


def with_error_codes(data, codes):
    """The error body with its machine-readable codes.

    `{"detail": ...}` bodies get `code`; field-error bodies `codes` ({field: [code, ...]}, nested as
    the messages are) and `code`: the one code when all fields agree, else `invalid`. A resource with
    an input field named `code` keeps that field's messages under `code`: read `codes` there.
    """
    if isinstance(data, list):  # a bare list of messages (ValidationError("text") in a view)
        flat = _flat_codes(codes)
        return {"non_field_errors": data, "code": flat[0] if len(set(flat)) == 1 else "invalid",
                "codes": {"non_field_errors": flat}}
    if not isinstance(data, dict):
        return data
    data = dict(data)
    if set(data) == {"detail"} or (isinstance(codes, dict) and set(codes) == {"detail"}) or not isinstance(codes, dict):
        flat = _flat_codes(codes.get("detail") if isinstance(codes, dict) else codes)
        data.setdefault("code", flat[0] if flat else "error")
        return data
    flat = set(_flat_codes(codes))
    data.setdefault("code", flat.pop() if len(flat) == 1 else "invalid")
    data.setdefault("codes", codes)
    return data



# --- Django's own error pages, as JSON under /api/ --------------------------------------------------
# A URL the API's routes do not match (`/api/v1/leads/0.5/`) or a crash outside DRF's handler would
# otherwise answer the HTML page; API clients (and the schema) expect `{"detail": ...}`.
def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("Bad request."), "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("Server error; it has been logged."), "code": "server_error"}, status=500)
    return defaults.server_error(request)
