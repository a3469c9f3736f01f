"""Global-search registry: the header search box finds leads, deals, accounts, contacts (and whatever
else an app registers) without salesops importing the apps (ARCHITECTURE.md "Registries").

An app registers a kind in its `AppConfig.ready()` (through its `registry.py`):
`register(kind, search, label=..., order=..., more_url=...)` where `search(user, q, limit) -> [Hit]`
returns at most `limit` hits that `user` may see (its scoped selector), in one query whatever the
data size, and `more_url(q)` (optional) is the kind's own list filtered by `q`. The registry bounds
the input (`MAX_QUERY_LENGTH`) and asks each kind for `limit + 1` hits to know whether there are more.
"""
from collections.abc import Callable
from dataclasses import dataclass

MAX_QUERY_LENGTH = 100
MIN_QUERY_LENGTH = 2
DEFAULT_LIMIT = 8


@dataclass(frozen=True)
class Hit:
    kind: str
    kind_label: str
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class SearchKind:
    kind: str
    search: Callable[..., list[Hit]]  # (user, q, limit) -> hits the user may see
    label: Callable[[], str]  # called when shown, so it follows the request's language
    order: int = 100
    more_url: Callable[[str], str] | None = None


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    hits: list[Hit]
    more: bool
    more_url: str | None


_kinds: dict[str, SearchKind] = {}


def register(kind: str, search: Callable[..., list[Hit]], *, label: Callable[[], str], order: int = 100,
             more_url: Callable[[str], str] | None = None) -> None:
    """Add (or replace, by kind: ready() may run more than once) a searchable kind."""
    _kinds[kind] = SearchKind(kind=kind, search=search, label=label, order=order, more_url=more_url)


def kinds() -> list[SearchKind]:
    return sorted(_kinds.values(), key=lambda entry: (entry.order, entry.kind))


def clean_query(q: str | None) -> str:
    """The text to search for: trimmed, without NUL characters (the database refuses them)."""
    return " ".join((q or "").replace("\x00", "").split())


def search(user, q: str, *, limit: int = DEFAULT_LIMIT) -> list[Group]:
    """Every registered kind's hits for `q` that `user` may see, grouped by kind (empty groups left out).
    A query shorter than MIN_QUERY_LENGTH or longer than MAX_QUERY_LENGTH finds nothing."""
    q = clean_query(q)
    if not (MIN_QUERY_LENGTH <= len(q) <= MAX_QUERY_LENGTH):
        return []
    groups = []
    for entry in kinds():
        hits = list(entry.search(user, q, limit + 1))
        if hits:
            groups.append(Group(kind=entry.kind, label=str(entry.label()), hits=hits[:limit], more=len(hits) > limit,
                                more_url=entry.more_url(q) if entry.more_url else None))
    return groups
