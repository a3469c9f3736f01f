"""Timeline registry: what apps contribute to the activity timeline of a lead, deal, account or
contact without the page's app importing them (ARCHITECTURE.md "Registries").

A source registers `items(obj, user, limit) -> list[TimelineItem]` for a kind of object ("lead",
"opportunity", "account", "contact"). The timeline merges every source's items newest first. A source
costs a fixed number of queries and returns only what `user` may see.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TimelineItem:
    when: datetime
    kind: str            # a code, e.g. "call", "task", "stage_change"
    kind_label: str      # translated
    title: str
    body: str = ""
    url: str = ""
    by: str = ""
    flags: tuple[str, ...] = ()  # e.g. ("late",) for an activity logged more than 24 h after it happened
    action_url: str = ""    # a POST action on the item (e.g. complete an open task), shown as a button
    action_label: str = ""  # translated


_sources: dict[tuple[str, str], Callable] = {}


def register(subject: str, code: str, items: Callable) -> None:
    """Add (or replace) the source `code` of timeline items for objects of kind `subject`."""
    _sources[(subject, code)] = items


def timeline(subject: str, obj, user, limit: int = 50) -> list[TimelineItem]:
    """Every registered source's items about `obj`, newest first, at most `limit`."""
    merged: list[TimelineItem] = []
    for (kind, _code), items in sorted(_sources.items()):
        if kind == subject:
            merged.extend(items(obj, user, limit))
    merged.sort(key=lambda item: item.when, reverse=True)
    return merged[:limit]
