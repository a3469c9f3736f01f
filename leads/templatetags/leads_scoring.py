from django import template

from ..selectors import BreakdownExplainer, lead_score_history

register = template.Library()


@register.inclusion_tag("leads/_score_section.html")
def score_section(lead):
    """The lead's score, grade, the rules behind the score and its score history."""
    return {"lead": lead, "breakdown": BreakdownExplainer()(lead), "history": lead_score_history(lead=lead)}


@register.filter
def seeded(value):
    """A seeded rule-set name, rule label or note in the page's language (leads.scoring_display)."""
    from ..scoring_display import seeded_text

    return seeded_text(value)


@register.filter
def rule_condition(rule):
    """An attribute rule's condition with translated field, operator and values."""
    from ..scoring_display import condition_display

    return condition_display(rule)
