"""Request limits applied before any view runs, so every endpoint (DRF or not) gets them alike."""
import json
import re
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _

MAX_JSON_DEPTH = 32


def json_depth(data) -> int:
    """Nesting depth of parsed JSON (a scalar is 0, `[]` and `{}` are 1), without recursion."""
    depth, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            depth = max(depth, level)
            stack.extend((item, level + 1) for item in value if isinstance(item, dict | list))
    return depth


class RequestBodyLimitsMiddleware:
    """JSON bodies: at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (else 413) and MAX_JSON_DEPTH levels of
    nesting (else 400), answered as JSON.

    Python's json parser recurses once per level: a body of 100,000 `[` raises RecursionError,
    which no parser in DRF turns into a 400. Multipart uploads keep Django's own limits (files are
    streamed to disk; FILE_UPLOAD_MAX_MEMORY_SIZE), form bodies the usual RequestDataTooBig.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        content_type = request.META.get("CONTENT_TYPE", "")
        if "json" in content_type.split(";")[0].lower():
            refusal = self._check_json(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _check_json(request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        try:
            if limit is not None and declared > limit:
                raise RequestDataTooBig
            body = request.body  # enforces the same limit when no length was declared
        except RequestDataTooBig:
            return JsonResponse({"detail": _("The request body is too large (at most %(size)s bytes).")
                                 % {"size": limit}, "code": "too_large"}, status=413)
        if not body:
            return None
        try:
            depth = json_depth(json.loads(body))
        except RecursionError:
            depth = MAX_JSON_DEPTH + 1
        except ValueError:  # not JSON (or not UTF-8): the view's parser gives its own 400
            return None
        if depth > MAX_JSON_DEPTH:
            return JsonResponse({"detail": _("The JSON body is nested too deeply (at most %(depth)s levels).")
                                 % {"depth": MAX_JSON_DEPTH}, "code": "too_deep"}, status=400)
        return None


REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class RequestIdMiddleware:
    """Every response carries `X-Request-ID`: the caller's own (8 to 128 letters, digits and
    `._:-`) echoed, else a new UUID. Kept on `request.request_id` for logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response
