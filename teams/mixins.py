"""HTML-view side of the permission layer: querysets scoped by teams.selectors."""
from django.contrib.auth.mixins import LoginRequiredMixin

from .selectors import CHANGE, VIEW, scope_for_user


class ScopedQuerysetMixin(LoginRequiredMixin):
    """Limits `get_queryset()` to the rows the user may see (or change, for edit views).

    Rows outside the scope answer 404, not 403, so their existence is not revealed.
    `scope_owner_fields` (several owner fields, any of which makes a record the user's) takes
    precedence over the single `scope_owner_field`.
    """

    scope_owner_field = "owner"
    scope_owner_fields: tuple[str, ...] = ()
    scope_read_all_roles: tuple[str, ...] = ()
    scope_action = VIEW

    def get_base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        return scope_for_user(
            self.get_base_queryset(), user=self.request.user,
            owner_fields=self.scope_owner_fields or (self.scope_owner_field,),
            action=self.scope_action, read_all_roles=self.scope_read_all_roles,
        )


class ScopedChangeMixin(ScopedQuerysetMixin):
    scope_action = CHANGE
