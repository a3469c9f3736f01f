"""Account-panel registry: how apps contribute sections to the customer-360 page without customers
importing them (ARCHITECTURE.md "Registries").

An app registers a panel in its `AppConfig.ready()` (through its `registry.py`): an order number, a
translated title and `render(account, user, request) -> PanelContent` (a template name and its
context). A panel must cost a fixed number of queries whatever the account holds (the 360 page has a
constant query count) and show only what `user` may see. The registry knows nothing of the apps.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PanelContent:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountPanel:
    code: str
    order: int
    title: Callable[[], str]  # called when shown, so the title follows the request's language
    render: Callable[..., PanelContent | None]  # (account, user, request) -> content, or None to hide


_panels: dict[str, AccountPanel] = {}


def register(code: str, *, order: int, title: Callable[[], str], render: Callable[..., PanelContent | None]) -> None:
    """Add (or replace, by code: ready() may run more than once) the account panel `code`."""
    _panels[code] = AccountPanel(code=code, order=order, title=title, render=render)


def account_panels() -> list[AccountPanel]:
    """The registered panels, lowest order first."""
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.code))
