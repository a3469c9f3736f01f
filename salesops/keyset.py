"""Keyset ("cursor") pages for big lists: the next page starts after the last row shown, read
along an index, so page 4,000 costs what page 1 costs (OFFSET reads and drops every row before
it) and rows inserted or deleted meanwhile neither repeat nor disappear between pages.

A cursor is the last row's (created_at, id) — the lists' default order, newest first, served by
an index on (created_at, id) — as an opaque URL-safe token. A token that does not decode is
treated as "from the start" (never a 500).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None


def encode_cursor(created_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(token: str | None) -> tuple[datetime, int] | None:
    if not token or len(token) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        when, pk = raw.rsplit("|", 1)
        moment = datetime.fromisoformat(when)
        if moment.tzinfo is None:
            return None
        return moment, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def keyset_page(queryset: QuerySet, *, after: str | None, size: int) -> KeysetPage:
    """`size` rows of `queryset` newest first (created_at, then id, descending), after the row the
    cursor `after` names; `next_cursor` is None on the last page."""
    queryset = queryset.order_by("-created_at", "-pk")
    position = decode_cursor(after)
    if position is not None:
        when, pk = position
        # created_at <= when bounds the index range; the OR breaks ties on the same instant by id
        queryset = queryset.filter(Q(created_at__lte=when) & (Q(created_at__lt=when) | Q(pk__lt=pk)))
    rows = list(queryset[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows=rows, next_cursor=encode_cursor(rows[-1].created_at, rows[-1].pk) if more else None)


class KeysetListMixin:
    """A ListView's keyset pages: `?after=<cursor>` (the "next" link of the default order, newest
    first) reads the page after the last row shown along the (created_at, id) index instead of counting
    every match and skipping by OFFSET, so deep pages cost what the first one does. Numbered pages
    (`?page=`) and any other order (`?ordering=`) keep Django's paginator; their context carries
    `keyset_next` for the default order. The page template shows `keyset` pages with first / next links
    (templates/includes/_pagination.html)."""

    keyset_size = 50

    def get_context_data(self, **kwargs):
        after = self.request.GET.get("after")
        ordered = bool(self.request.GET.get("ordering"))
        if after is None or ordered:
            context = super().get_context_data(**kwargs)
            page = context.get("page_obj")
            if page is not None and page.has_next() and not ordered and page.object_list:
                last = list(page.object_list)[-1]
                context["keyset_next"] = encode_cursor(last.created_at, last.pk)
            return context
        self.paginate_by = None  # the keyset page below replaces Django's paginator (no COUNT, no OFFSET)
        page = keyset_page(self.object_list, after=after, size=self.keyset_size)
        return super().get_context_data(**{**kwargs, "object_list": page.rows}) | {
            "keyset_next": page.next_cursor, "keyset": True}
