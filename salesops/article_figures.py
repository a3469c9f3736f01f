"""Article-figure registry: how a higher app adds figures to a knowledge-base article page without
teams importing it (ARCHITECTURE.md "Registries"). Pipeline registers "opened on N deals, M later
won".

An entry is `figures(article, user) -> list[Figure]`, registered by code from an app's
`registry.py`. It must cost a fixed number of queries and count only what `user` may see (or
aggregate without naming records). The registry knows nothing of the apps.
"""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    code: str
    label: str  # translated when computed
    value: int | str
    detail: str = ""


_entries: dict[str, tuple[int, Callable[..., list[Figure]]]] = {}


def register(code: str, *, order: int, figures: Callable[..., list[Figure]]) -> None:
    """Add (or replace, by code: ready() may run more than once) the figure source `code`."""
    _entries[code] = (order, figures)


def figures_for(article, user) -> list[Figure]:
    result: list[Figure] = []
    for _order, compute in sorted(_entries.values(), key=lambda entry: entry[0]):
        result.extend(compute(article, user))
    return result
