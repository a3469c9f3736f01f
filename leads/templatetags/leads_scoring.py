from django import template

from ..selectors import BreakdownExplainer, lead_score_history

register = template.Library()


@register.inclusion_tag("leads/_score_section.html")
def score_section(lead):
    """The lead's score, grade, the rules behind the score and its score history."""
    return {"lead": lead, "breakdown": BreakdownExplainer()(lead), "history": lead_score_history(lead=lead)}
