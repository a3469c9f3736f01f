"""The OpenAPI schema class (kept apart from salesops.api: drf-spectacular imports DRF's settings,
which import salesops.api)."""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from rest_framework import serializers
from rest_framework.permissions import AllowAny

FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
# (surrounding spaces are trimmed by DRF before validation, so they are allowed here too)
BLANKABLE_FORMATS = {"uri": r"^\s*$|^\s*[A-Za-z][A-Za-z0-9+.-]*://\S+\s*$",
                     "email": r"^\s*$|^\s*[^@\s]+@[^@\s]+\s*$"}


ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {},
    "description": "An error: `{\"detail\": \"message\"}`, or for invalid input `{\"field\": [\"message\", ...]}` "
                   "(`non_field_errors` for the input as a whole). Messages are in the user's language.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error answers the base layer gives on every operation, so a
    client (and schemathesis' status-code check) knows each status it may receive."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        component = ResolvedComponent(name="Error", type=ResolvedComponent.SCHEMA, object="Error",
                                      schema=ERROR_SCHEMA)
        registry.register_on_missing(component)
        responses = operation.setdefault("responses", {})
        for code, description in self._error_statuses(operation, path, method):
            responses.setdefault(str(code), {"content": {"application/json": {"schema": component.ref}},
                                             "description": description})
        for code, response in responses.items():
            if str(code).startswith("4"):
                _or_error(response, component.ref)
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A decimal is written as a string (`"12.50"`, exact), but DRF also reads a JSON number:
        request bodies say both, so a client (and the fuzzer) knows `12.5` is accepted too."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.DecimalField) and schema.get("type") == "string":
            number = {"type": "number"}
            for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                if bound in schema:
                    number[bound] = schema[bound]
            text = {key: value for key, value in schema.items() if key not in ("nullable", "description", "title")}
            schema = {"oneOf": [text, number],
                      **{key: schema[key] for key in ("nullable", "description", "title") if key in schema}}
        return schema

    def _insert_field_validators(self, field, schema):
        """A URL or email field that may be blank (a nurture step without a link, a lead without an
        email): drf-spectacular writes `oneOf: [{format: uri}, {maxLength: 0}]`, which is right but
        which fuzzers misread ("" taken for an invalid URI); one pattern that allows "" says the same."""
        super()._insert_field_validators(field, schema)
        options = schema.get("oneOf") or []
        if len(options) == 2 and options[1] == {"type": "string", "maxLength": 0} \
                and options[0].get("format") in BLANKABLE_FORMATS:
            inner = schema.pop("oneOf")[0]
            inner["pattern"] = BLANKABLE_FORMATS[inner.pop("format")]
            schema.update(inner)

    def map_parsers(self):
        """The API's bodies are JSON; form media types are offered only where a file is uploaded.

        DRF also parses forms (for the browsable API), but a form cannot carry a type: `false`,
        `0` and "" all arrive as text, and nested lists not at all, so documenting forms would
        promise typed input the server can only guess at.
        """
        media_types = super().map_parsers()
        serializer = self.get_request_serializer()
        if "application/json" in media_types and not _has_file_input(serializer):
            media_types = [m for m in media_types if m not in FORM_MEDIA_TYPES]
        return media_types

    def _error_statuses(self, operation, path, method):
        has_body = "requestBody" in operation
        unsafe = method.upper() in ("POST", "PUT", "PATCH", "DELETE")
        if has_body or unsafe or any(p.get("in") == "query" for p in operation.get("parameters", [])):
            yield 400, "Invalid input (see the field messages)."
        if not all(permission is AllowAny for permission in self.view.permission_classes):
            yield 401, "Not authenticated."
            yield 403, "Not allowed for this user."
        if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])):
            yield 404, "Not found (or not visible to this user; or no such page)."
        if unsafe:
            yield 409, "Conflicts with a change made at the same time (e.g. a duplicate); reload and retry."
        if has_body:
            yield 413, "The request body is too large."
            yield 415, "Unsupported media type."
        if self.view.throttle_classes:
            yield 429, "Too many requests; retry later."


def _or_error(response: dict, error_ref: dict) -> None:
    """A 4xx documented with its own body (import row errors, unmet stage criteria, a version
    conflict) may also be the generic error: the input failed validation before the view's own
    check, or the base layer answered (a race: 409)."""
    for media in response.get("content", {}).values():
        schema = media.get("schema")
        if schema and schema != error_ref and "anyOf" not in schema and schema.get("type") != "object":
            media["schema"] = {"anyOf": [schema, error_ref]}


def _has_file_input(serializer) -> bool:
    serializer = force_instance(serializer)
    serializer = getattr(serializer, "child", serializer)  # a list body: its items
    fields = getattr(serializer, "fields", {})
    return any(isinstance(field, serializers.FileField) for field in fields.values())
