"""`{% lead_recent_events lead as events %}`: the latest behaviour events of a lead (detail page)."""
from django import template

register = template.Library()

RECENT_EVENTS = 20


@register.simple_tag
def lead_recent_events(lead, limit=RECENT_EVENTS):
    """The lead's latest events with their types, in one query (the page shows at most `limit`)."""
    return list(lead.events.select_related("event_type").order_by("-occurred_at", "-id")[:limit])
