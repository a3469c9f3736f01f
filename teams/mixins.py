"""HTML-view side of the permission layer: querysets scoped by teams.selectors."""
from django.contrib.auth.mixins import LoginRequiredMixin

from salesops.metric_tools import shared_reads

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

    def dispatch(self, request, *args, **kwargs):
        # the scope's people (a manager's teams, a mentor's hires) read once as values, so PostgreSQL
        # plans with the owners it will match (an owner index at 1M rows), not a subquery's guess.
        # Reads only: a POST may change a team or a plan and must see the scope as it then is.
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        with shared_reads():
            return super().dispatch(request, *args, **kwargs)

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


class ListFiltersMixin:
    """A list page's filter extras (issue 12): an unknown sort key answers the default order (not an
    empty list), and the context has the list's built-in presets and the user's saved filters.
    Set `saved_list_key` to the key the app registered in salesops.list_filters."""

    saved_list_key = ""

    def get_filterset_kwargs(self, filterset_class):
        from salesops.list_filters import sanitize_ordering

        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = sanitize_ordering(kwargs.get("data"), filterset_class)
        return kwargs

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        from .selectors.saved_filters import list_presets_for, saved_filters_for
        from .services.saved_filters import clean_query

        user = self.request.user
        return super().get_context_data(
            saved_list_key=self.saved_list_key,
            list_presets=list_presets_for(user=user, list_key=self.saved_list_key, today=timezone.localdate()),
            saved_filters=list(saved_filters_for(user=user, list_key=self.saved_list_key)),
            current_query=clean_query(self.request.GET.urlencode()),
            **kwargs)
