"""API side of the permission layer: the same teams.selectors rules as the HTML views."""
from rest_framework import permissions

from ..selectors import CHANGE, VIEW, scope_for_user


class ScopedQuerysetMixin:
    """For viewsets: list/retrieve see the VIEW scope, writes only the CHANGE scope (else 404)."""

    scope_owner_field = "owner"
    scope_read_all_roles: tuple[str, ...] = ()

    def get_base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        action = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        return scope_for_user(
            self.get_base_queryset(), user=self.request.user, owner_field=self.scope_owner_field,
            action=action, read_all_roles=self.scope_read_all_roles,
        )


class IsAdminRole(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_admin_role)


class ReadOnlyOrAdminRole(permissions.BasePermission):
    """Everyone signed in may read; only admins may write (people, teams)."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or request.user.is_admin_role
