"""Which scope an API call needs when it is made with an integration key.

By default the app that serves the view decides (leads → leads:*, pipeline → deals:*, customers →
accounts:*, integrations → webhooks:manage); safe methods need `<area>:read`, the others
`<area>:write`. Apps register exceptions by viewset basename or view class name
(`register("lead-event", write="events:write")`). A view with no scope refuses keys (403)."""
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import IntegrationKey

_by_app = {
    "leads": ("leads:read", "leads:write"),
    "pipeline": ("deals:read", "deals:write"),
    "customers": ("accounts:read", "accounts:write"),
    "integrations": ("webhooks:manage", "webhooks:manage"),
}
_by_view: dict[str, tuple[str | None, str | None]] = {}


def register(view_name: str, *, read: str | None = None, write: str | None = None) -> None:
    _by_view[view_name] = (read, write)


def required_scope(view, method: str) -> str | None:
    name = getattr(view, "basename", None) or type(view).__name__
    read, write = _by_view.get(name) or _by_view.get(type(view).__name__) or _by_app.get(
        type(view).__module__.split(".")[0], (None, None))
    return read if method in SAFE_METHODS else write


def check_scope(key: IntegrationKey, view, method: str) -> None:
    """PermissionDenied (403) unless `key` has the scope `view` needs for `method`."""
    scope = required_scope(view, method) if view is not None else None
    if scope is None:
        raise exceptions.PermissionDenied(_("Integration keys cannot use this endpoint."))
    if scope not in (key.scopes or ()):
        raise exceptions.PermissionDenied(_("This integration key lacks the scope “%(scope)s”.") % {"scope": scope})


class KeyScopes(BasePermission):
    """Passes every request not made with an integration key; a key needs the view's scope
    (the authentication class checks it already; this class states it on views that list it)."""

    def has_permission(self, request, view):
        if isinstance(request.auth, IntegrationKey):
            check_scope(request.auth, view, request.method)
        return True


register("ChangeFeedView", read="changes:read", write=None)
register("integration-key")  # keys never manage keys
