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
