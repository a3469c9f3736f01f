"""Admin building blocks shared by the apps."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect


class ReadOnlyAdminMixin:
    """For audit and log records (assignments, stage ledger, sends, jobs): viewable, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceWritesAdminMixin:
    """For models whose writes go through services (which check the predicate and write the audit
    row in the admin log): the admin's own log rows would double them, so it writes none; deleting
    one object or a selection calls `delete_objects` (the service). On the confirmation page,
    objects the user may not delete (`may_delete`, a teams.predicates rule) are listed as not
    permitted and those a service would refuse (`delete_refusals`) as protected, so the admin
    refuses exactly what the service refuses, before anything is deleted. Should a service still
    refuse (a rule the form cannot see, a concurrent change), its error is shown on the page and
    nothing is written (the admin's transaction is rolled back), never a 500.

    A subclass defines `delete_objects(request, objs)`: the call of its app's deletion service."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "delete_objects", None)):
            raise TypeError(f"{cls.__name__} writes through services: define delete_objects(request, objs)")

    def _refused_by_service(self, request, view, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        return self._refused_by_service(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._refused_by_service(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._refused_by_service(request, super().changelist_view, *args, **kwargs)

    def may_delete(self, request, obj) -> bool:
        return True

    def delete_refusals(self, request, objs) -> list[str]:
        return []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self.may_delete(request, obj))

    def get_deleted_objects(self, objs, request):
        objs = list(objs)
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed = set(perms_needed) | {str(obj) for obj in objs if not self.may_delete(request, obj)}
        return deleted, counts, perms_needed, [*protected, *self.delete_refusals(request, objs)]

    def delete_model(self, request, obj):
        self.delete_objects(request, [obj])

    def delete_queryset(self, request, queryset):
        self.delete_objects(request, list(queryset))

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return []
