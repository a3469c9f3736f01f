"""Template context for every page: the unread notification count shown in the navigation."""
from django.utils.functional import SimpleLazyObject


def notifications(request):
    """`unread_notification_count`: one COUNT query, run only if a template uses the value."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from .services import unread_notification_count
        return unread_notification_count(user=user)

    return {"unread_notification_count": SimpleLazyObject(count)}
