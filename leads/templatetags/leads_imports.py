"""`{% may_import "leads" as can_import_leads %}`: the import predicate for the signed-in user."""
from django import template

from teams.predicates import can_import

register = template.Library()


@register.simple_tag(takes_context=True)
def may_import(context, kind: str) -> bool:
    request = context.get("request")
    return bool(request is not None and can_import(request.user, kind))
