"""Reads of scoring suggestions (issue 16): who sees which."""
from django.db.models import QuerySet

from teams.models import User
from teams.predicates import can_manage_scoring
from teams.selectors import VIEW, scope_for_user

from ..models import ScoringSuggestion


def suggestion_queryset_for(*, user) -> QuerySet[ScoringSuggestion]:
    """The suggestions `user` may see: none unless they may edit scoring rules (marketing, admins);
    then every suggestion, as rule sets are shared (scope_for_user with marketing reading all)."""
    if not can_manage_scoring(user):
        return ScoringSuggestion.objects.none()
    return scope_for_user(
        ScoringSuggestion.objects.select_related("requested_by", "base_rule_set", "draft_rule_set"),
        user=user, action=VIEW, owner_fields=("requested_by",), read_all_roles=(User.Role.MARKETING,))
