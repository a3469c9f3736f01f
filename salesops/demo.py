"""Demo-data registry: how each app contributes to `manage.py seed_demo` without the command importing it.

An app registers a loader in its `AppConfig.ready()` (through its `registry.py`); `seed_demo` runs the
loaders by their order number (lower first: an app's data may rely on the data of the apps below it).
A loader is `load(today) -> str`: it adds what is missing (idempotent, safe to run repeatedly) and
answers a short, translated summary such as "12 new leads". The registry knows nothing of the apps.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DemoLoader:
    order: int
    name: str
    load: Callable[[date], str]


_loaders: dict[str, DemoLoader] = {}


def register(order: int, name: str, load: Callable[[date], str]) -> None:
    """Add (or replace, by name: ready() may run more than once) the demo loader `name`."""
    _loaders[name] = DemoLoader(order=order, name=name, load=load)


def loaders() -> list[DemoLoader]:
    """The registered loaders, lowest order first."""
    return sorted(_loaders.values(), key=lambda loader: (loader.order, loader.name))
