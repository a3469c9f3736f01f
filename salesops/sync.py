"""What a sync client needs from a list endpoint (issue 15): a keyset cursor over (updated_at, id),
`updated_after`/`updated_before` filters, ETags on details and a 400 for unknown query parameters.

The design: every syncable resource has a `GET .../sync/` list (`SyncViewSetMixin`) ordered by
`(updated_at, id)` and paged by an opaque `cursor`. A page holds the rows changed after the last row
of the previous page, so rows inserted or changed between two pages come later (never skipped,
never repeated unless changed again). The ordinary list keeps page numbers.
"""
import base64
import binascii
import hashlib
import logging
from datetime import datetime, timedelta

import django_filters
from django import forms
from django.conf import settings
from django.db import connections, router
from django.db.models import Q
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, filters, pagination
from rest_framework.decorators import action
from rest_framework.response import Response

from .api import Pagination

CURSOR_PARAM = "cursor"
logger = logging.getLogger(__name__)


def committed_before(*, settle: timedelta = timedelta(0), using: str = "default") -> datetime:
    """The moment before which every row another transaction stamps (updated_at, created_at) is
    already committed, as far as the database can tell: where a reader's cursor may safely move.

    A row is stamped when its transaction writes it and becomes visible when that transaction
    commits. A long transaction — a lead import writes for as long as its file streams, about 10 s
    per 100,000 rows — commits rows stamped well before rows other transactions committed
    meanwhile, and a reader whose cursor had moved past those stamps (or past those change ids)
    would never see them. So a reader takes only rows stamped before the start of the oldest
    transaction still open that has written something (PostgreSQL's pg_stat_activity: a
    transaction id, on this database; the reader's own transaction apart), and before `settle`
    ago — the margin for a stamp taken just before its statement, and for app servers whose clocks
    differ by a little. Open transactions only delay rows this way, never lose them; a session
    left "idle in transaction" after writing holds readers back until it ends (PostgreSQL's
    idle_in_transaction_session_timeout bounds that). Every writer must use the app's database role
    (or the role must be granted pg_read_all_stats): PostgreSQL hides when another role's transaction
    began, and such a transaction is logged, not waited for. SQLite lets one transaction write at a
    time: now minus the margin."""
    horizon = timezone.now()
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(xact_start), count(*) FILTER (WHERE xact_start IS NULL) FROM pg_stat_activity"
                           " WHERE datname = current_database() AND backend_xid IS NOT NULL"
                           " AND pid <> pg_backend_pid()")
            oldest, hidden = cursor.fetchone()
        if oldest is not None:
            horizon = min(horizon, oldest)
        if hidden:
            _warn_hidden_writers()
    return horizon - settle


_warned = False


def _warn_hidden_writers() -> None:
    """PostgreSQL shows when another role's transaction began only to a member of that role or of
    pg_read_all_stats: such a writer cannot hold readers back. Said once per process, for the logs."""
    global _warned
    if not _warned:
        _warned = True
        logger.warning("A transaction of another database role is writing and its start is hidden from this role: "
                       "sync readers cannot wait for it. Use one role for every writer, or GRANT pg_read_all_stats "
                       "to this one.")


def writing_from_now(using: str = "default") -> None:
    """Make the current transaction a writer at once (PostgreSQL: it takes its transaction id now,
    `pg_current_xact_id()`, instead of at its first write), so committed_before() holds readers back
    from here. For a long transaction that stamps rows with a moment taken before its first write (a
    lead import stamps its leads with its start, then reads and checks the first chunk): call it
    first, then take the moment."""
    connection = connections[using]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")


def sync_settle() -> timedelta:
    return timedelta(seconds=max(0, int(getattr(settings, "SALESOPS_SYNC_SETTLE_SECONDS", 2))))


def _encode(updated_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = text.split("|")
        when = parse_datetime(stamp)
        if when is None or when.tzinfo is None or not pk.isdigit():
            raise ValueError
        return when, int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise exceptions.ValidationError({CURSOR_PARAM: [_("This cursor is not valid; start again without one.")]}) from None


class SyncCursorPagination(pagination.BasePagination):
    """Keyset paging over (updated_at, id): `{"next_cursor", "next", "results"}`.

    `next_cursor` is empty when the client has caught up; it keeps the last cursor and asks again
    later to get what changed since. Rows changed in the last SALESOPS_SYNC_SETTLE_SECONDS (2), or
    since the oldest write transaction still open began, come on a later call (committed_before):
    that is what lets the cursor move past a stamp without skipping a row committed after it.
    """

    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = Pagination._single_number(self, request, self.page_size_query_param, maximum=self.max_page_size)
        self.size = size or self.page_size
        values = request.query_params.getlist(CURSOR_PARAM)
        if len(values) > 1:
            raise exceptions.ValidationError({CURSOR_PARAM: [_("Give this parameter at most once.")]})
        # rows stamped at or after the horizon wait for the next call: their transaction, or an older
        # one still open, may yet commit rows stamped before them (committed_before)
        queryset = queryset.filter(updated_at__lt=committed_before(settle=sync_settle(),
                                                                         using=router.db_for_write(queryset.model)))
        queryset = queryset.order_by("updated_at", "pk")
        if values and values[0]:
            when, pk = _decode(values[0])
            queryset = queryset.filter(Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk))
        rows = list(queryset[:self.size + 1])
        self.has_more = len(rows) > self.size
        rows = rows[:self.size]
        self.last = rows[-1] if rows else None
        self.given = values[0] if values else ""
        return rows

    def _next_cursor(self):
        if self.last is None:
            return self.given  # nothing new: ask again with the same cursor
        return _encode(self.last.updated_at, self.last.pk)

    def get_paginated_response(self, data):
        cursor = self._next_cursor()
        url = self.request.build_absolute_uri()
        from rest_framework.utils.urls import replace_query_param

        return Response({"next_cursor": cursor, "has_more": self.has_more,
                         "next": replace_query_param(url, CURSOR_PARAM, cursor) if self.has_more else None,
                         "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next_cursor", "has_more", "next", "results"],
            "properties": {
                "next_cursor": {"type": "string", "description": "Pass as `cursor` to get the rows changed after "
                                "this page (empty: from the start).", "example": "MjAyNi0xMi0wMVQxOTozMDoxOCswMDowMHw0Mg"},
                "has_more": {"type": "boolean", "description": "More rows are waiting now."},
                "next": {"type": "string", "format": "uri", "nullable": True,
                         "description": "The next page's URL while `has_more`."},
                "results": {**schema, "description": "The changed rows, oldest change first."},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": CURSOR_PARAM, "required": False, "in": "query",
             "description": "The `next_cursor` of the previous page (none: from the oldest change).",
             "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": "Rows per page (default 100).",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]


class AwareIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                from .ingest import naive_datetime_message

                raise forms.ValidationError(naive_datetime_message(), code="naive_datetime")
        return super().to_python(value)


class AwareIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time with an offset (`2026-05-01T10:00:00Z`); naive ones are a 400."""

    field_class = AwareIsoDateTimeField


class UpdatedRangeFilterSet(django_filters.FilterSet):
    """`updated_after` / `updated_before` (ISO 8601 with offset; both inclusive)."""

    updated_after = AwareIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte",
                                           label=gettext_lazy("Changed at or after (ISO 8601 with offset)"))
    updated_before = AwareIsoDateTimeFilter(field_name="updated_at", lookup_expr="lte",
                                            label=gettext_lazy("Changed at or before (ISO 8601 with offset)"))


class SyncViewSetMixin:
    """A `sync` list action (keyset cursor over updated_at, id) and ETags on the detail."""

    @extend_schema(summary="Changed rows, oldest change first, for sync clients (cursor pagination)",
                   parameters=[OpenApiParameter("ordering", exclude=True)])
    @action(detail=False, methods=["get"], pagination_class=SyncCursorPagination)
    def sync(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        return with_etag(request, response)


def with_etag(request, response):
    """A weak ETag of the serialized body; `If-None-Match` with it answers 304 without a body."""
    if response.status_code != 200:
        return response
    from rest_framework.renderers import JSONRenderer

    tag = f'W/"{hashlib.sha256(JSONRenderer().render(response.data)).hexdigest()[:32]}"'
    response["ETag"] = tag
    given = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    if tag in given or "*" in given:
        response.status_code = 304
        response.data = None
    return response


# --- unknown query parameters -----------------------------------------------------------------
ALWAYS_ALLOWED = frozenset({"format"})


def allowed_query_params(request, view) -> set[str] | None:
    """The query parameters a list endpoint reads, or None when it is not a list (not checked)."""
    if request.method not in ("GET", "HEAD") or getattr(view, "action", None) not in ("list", "sync"):
        return None
    allowed = set(ALWAYS_ALLOWED)
    for backend in view.filter_backends:
        if hasattr(backend, "get_filterset_class"):
            filterset_class = backend().get_filterset_class(view, view.get_queryset())
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
        elif issubclass(backend, filters.OrderingFilter) and view.action == "list":
            allowed.add(backend.ordering_param)
        elif issubclass(backend, filters.SearchFilter):
            allowed.add(backend.search_param)
    paginator = view.paginator
    if paginator is not None:
        allowed |= {p["name"] for p in paginator.get_schema_operation_parameters(view)}
    allowed |= set(getattr(view, "extra_query_params", ()))
    return allowed


def check_query_params(request, view) -> None:
    allowed = allowed_query_params(request, view)
    if allowed is None:
        return
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        message = _("Unknown query parameter. Allowed: %(allowed)s.") % {"allowed": ", ".join(sorted(allowed))}
        raise exceptions.ValidationError({name: [message] for name in unknown}, code="unknown_parameter")
