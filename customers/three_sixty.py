"""The customer-360 page's panels: every panel registered in salesops.panels, rendered in order.

A panel's `render(account, user, request)` answers a PanelContent (template and context) or None
to stay hidden. A panel may offer a badge for the page's header (e.g. the health band) by putting
`header_badge = {"label": "...", "tone": "healthy" | "at_risk" | "critical" | ...}` in its context.
"""
from dataclasses import dataclass

from django.template.loader import render_to_string

from salesops.panels import account_panels


@dataclass(frozen=True)
class RenderedPanel:
    code: str
    title: str
    html: str
    badge: dict | None = None


def rendered_panels(account, request) -> list[RenderedPanel]:
    shown = []
    for panel in account_panels():
        content = panel.render(account, request.user, request)
        if content is None:
            continue
        context = {"account": account, **content.context}
        shown.append(RenderedPanel(code=panel.code, title=str(panel.title()),
                                   html=render_to_string(content.template, context, request=request),
                                   badge=context.get("header_badge")))
    return shown
