"""Template context for every page: the unread notification count and the navigation's permission flags."""
from django.utils.functional import SimpleLazyObject


def notifications(request):
    """`unread_notification_count`: one COUNT query, run only if a template uses the value."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from .services import unread_notification_count
        return unread_notification_count(user=user)

    def queue() -> bool:
        from .predicates import can_work_lead_queue
        return can_work_lead_queue(user)

    def feasibility() -> bool:  # h7: the product team's handoff work list
        from .predicates import can_confirm_feasibility
        return can_confirm_feasibility(user)

    def integrations() -> bool:  # issue 15: integration keys and webhooks
        from .predicates import can_manage_integrations
        return can_manage_integrations(user)

    def web_forms() -> bool:  # issue 15: web-to-lead forms
        from .predicates import can_manage_web_forms
        return can_manage_web_forms(user)

    # navigation entries asked of the named predicates, never of the role in a template
    return {"unread_notification_count": SimpleLazyObject(count), "can_work_lead_queue": SimpleLazyObject(queue),
            "can_confirm_feasibility": SimpleLazyObject(feasibility),
            "can_manage_integrations": SimpleLazyObject(integrations),
            "can_manage_web_forms": SimpleLazyObject(web_forms)}
