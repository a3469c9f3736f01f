"""Template context for every page: the header's count of one's overdue tasks (h2)."""
from django.utils.functional import SimpleLazyObject


def tasks(request):
    """`overdue_task_count`: one COUNT query, run only if a template uses the value."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from .selectors import overdue_task_count
        return overdue_task_count(user=user)

    return {"overdue_task_count": SimpleLazyObject(count)}
