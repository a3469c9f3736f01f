"""`Authorization: Bearer <key>` for integration keys (DRF authentication class).

The request then acts as the key's service user (its visibility and predicates) and `request.auth`
is the IntegrationKey, which integrations.permissions.KeyScopes checks against the view's scope."""
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from . import keys
from .models import IntegrationKey


class IntegrationKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: give “Bearer <key>”."))
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid integration key.")) from None
        prefix = keys.split_key(raw)
        key = (IntegrationKey.objects.select_related("user").filter(prefix=prefix).first()
               if prefix and "\x00" not in raw else None)
        if key is None or not keys.matches(raw, key.key_hash):
            raise exceptions.AuthenticationFailed(_("Invalid integration key."))
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This integration key has been revoked."))
        if not key.is_usable():
            raise exceptions.AuthenticationFailed(_("This integration key has expired."))
        from .scopes import check_scope
        from .services import key_touch

        # Checked here, not only by a permission class: a view with its own permission_classes
        # must not open itself to every key.
        check_scope(key, getattr(request, "parser_context", {}).get("view"), request.method)
        key_touch(key=key)
        return key.user, key

    def authenticate_header(self, request):
        return self.keyword
