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
    "description": "An error: `{\"detail\": \"message\", \"code\": \"not_found\"}`, or for invalid input "
                   "`{\"field\": [\"message\", ...], \"code\": \"invalid\", \"codes\": {\"field\": [\"required\"]}}` "
                   "(`non_field_errors` for the input as a whole). Messages are in the user's language; codes are "
                   "stable and meant for programs.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in the user's language.",
                   "example": "Not found."},
        "code": {"description": "A stable machine-readable code: e.g. `invalid`, `required`, `not_found`, "
                                "`not_authenticated`, `permission_denied`, `duplicate`, `version_conflict`, "
                                "`unknown_parameter`, `naive_datetime`, `throttled`. (A resource with an input field "
                                "named `code` may have that field's messages here: read `codes`.)",
                 "example": "not_found"},
        "codes": {"type": "object", "additionalProperties": {},
                  "description": "For invalid input: the codes of each field's messages, shaped like the messages.",
                  "example": {"email": ["invalid"]}},
    },
}

# extend_schema(extensions={ONE_OR_MANY: max_items}): the request body is one object or a list of them
ONE_OR_MANY = "x-salesops-one-or-many"

# Examples on the fields integrations use most (by field name; only where the field has none).
FIELD_EXAMPLES = {
    "email": "ada@example.com", "name": "Ada Lovelace", "company": "Analytical Engines Ltd",
    "phone": "+86 21 5555 0100", "external_ref": "hs-1001", "source_system": "hubspot",
    "external_id": "evt-2026-05-01-0001", "occurred_at": "2026-05-01T10:00:00Z", "created_at": "2026-05-01T10:00:00Z",
    "updated_at": "2026-05-02T08:30:00Z", "version": 3, "reason": "Customer asked for a second demo",
    "job_title": "Head of Operations", "company_size": 250, "amount": "12500.00", "currency": "CNY",
    "detail": "Not found.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error answers the base layer gives on every operation, so a
    client (and schemathesis' status-code check) knows each status it may receive."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        max_items = operation.pop(ONE_OR_MANY, None)
        if max_items:
            for media in operation.get("requestBody", {}).get("content", {}).values():
                one = media["schema"]
                media["schema"] = {"oneOf": [one, {"type": "array", "items": one, "minItems": 1, "maxItems": max_items}],
                                   "description": f"One item, or a JSON list of 1 to {max_items} items."}
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

    def _is_list_view(self, serializer=None):
        """The sync clients' `…/sync/` lists (salesops.sync) are lists, paged by their cursor."""
        if getattr(self.view, "action", None) == "sync":
            return True
        return super()._is_list_view(serializer)

    def get_paginated_name(self, serializer_name):
        if getattr(self.view, "action", None) == "sync":
            return f"{serializer_name}SyncPage"
        return super().get_paginated_name(serializer_name)

    def get_tags(self):
        """One tag per resource (`leads`, `opportunities`, `scoring`, ...): the path's first part
        after /api/v1/, so generated clients get a module per resource."""
        parts = [part for part in self.path.split("/") if part and not part.startswith("{")]
        if parts[:2] == ["api", "v1"] and len(parts) > 2:
            return [parts[2]]
        return super().get_tags()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A decimal is written as a string (`"12.50"`, exact), but DRF also reads a JSON number:
        request bodies say both, so a client (and the fuzzer) knows `12.5` is accepted too.

        Every field has a description (its help text, else its label: the model field's verbose
        name) and the common ones an example (FIELD_EXAMPLES)."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if set(schema) == {"$ref"} and getattr(field, "label", None):  # an enum or a nested object
            schema = {"allOf": [schema], "description": str(field.label)}
        elif "$ref" not in schema and "allOf" not in schema:
            if not schema.get("description") and getattr(field, "label", None):
                schema["description"] = str(field.label)
            name = getattr(field, "field_name", None)
            if name in FIELD_EXAMPLES and "example" not in schema and schema.get("type") in (
                    "string", "integer") and not schema.get("enum"):
                example = FIELD_EXAMPLES[name]
                if isinstance(example, int) == (schema.get("type") == "integer"):
                    schema["example"] = example
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
        yield 429, "Too many requests; retry after the `Retry-After` header's seconds."


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


def describe_enum_properties(result, generator, request, public):
    """Post-processing hook (after drf-spectacular's enum hook, which turns inline choices into
    `$ref`s and drops what was beside them): an enum property without a description gets one from
    its name, so every property of the schema is described."""
    for component in result.get("components", {}).get("schemas", {}).values():
        for name, prop in component.get("properties", {}).items():
            if "description" in prop:
                continue
            label = name.replace("_", " ").capitalize()
            if set(prop) == {"$ref"}:
                component["properties"][name] = {"allOf": [prop], "description": label}
            elif "oneOf" in prop or "allOf" in prop:
                prop["description"] = label
    return result
