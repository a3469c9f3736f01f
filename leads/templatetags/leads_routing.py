"""`{% routing_section lead %}`: the Assignment card of the lead detail page (SLA, touch, history)."""
from django import template
from django.utils import timezone

from ..services.routing import assignment_history

register = template.Library()


@register.inclusion_tag("leads/_routing.html", takes_context=True)
def routing_section(context, lead):
    user = context["request"].user
    return {
        "lead": lead,
        "assignments": assignment_history(lead=lead),
        "can_touch": lead.owner_id is not None and lead.owner_id == user.pk and lead.first_touched_at is None,
        "overdue": bool(lead.first_touch_due_at and lead.first_touched_at is None
                        and lead.first_touch_due_at < timezone.now()),
    }
