"""Admin building blocks shared by the apps."""


class ReadOnlyAdminMixin:
    """For audit and log records (assignments, stage ledger, sends, jobs): viewable, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
