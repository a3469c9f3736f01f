"""Reads for saved filters and the pickers' type-ahead lookups."""
from django.db.models import Q, QuerySet

from salesops.list_filters import saved_list

from ..models import SavedFilter, Team, User
from ..predicates import is_active_user, may_narrow_dashboards_to_anyone
from . import dashboard_teams_for, scope_for_user

LOOKUP_LIMIT = 10


def saved_filters_for(*, user, list_key: str | None = None) -> QuerySet[SavedFilter]:
    """The user's own saved filters (nobody reads anybody else's)."""
    if not is_active_user(user):
        return SavedFilter.objects.none()
    queryset = SavedFilter.objects.filter(user=user)
    return queryset.filter(list_key=list_key) if list_key is not None else queryset


def list_presets_for(*, user, list_key: str, today) -> list[dict]:
    """The built-in presets of a list as {code, name, query}, computed for the user and today."""
    from urllib.parse import urlencode

    registered = saved_list(list_key)
    if registered is None or not is_active_user(user):
        return []
    return [{"code": p.code, "name": p.name, "query": urlencode(p.params(user, today), doseq=True)}
            for p in registered.presets]


def people_visible_to(*, user) -> QuerySet[User]:
    """Whom `user` may pick in a person filter: the people whose records they may see (scope_for_user
    on the person: a rep themselves, a manager their teams' members, admins everyone); marketing and
    customer success, who read every lead, everyone who may own records."""
    people = User.objects.filter(is_active=True)
    if not is_active_user(user):
        return people.none()
    if may_narrow_dashboards_to_anyone(user):
        return people
    return scope_for_user(people, user=user, owner_field="pk")


def _terms(q: str) -> list[str]:
    return [term for term in q.replace("\x00", "").split()[:4] if term]  # PostgreSQL text holds no NUL


def people_lookup(*, user, q: str) -> list[dict]:
    """Up to ten people `user` may pick whose name or username contains every word of `q`."""
    people = people_visible_to(user=user)
    for term in _terms(q):
        people = people.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term)
                               | Q(username__icontains=term))
    rows = people.order_by("first_name", "last_name", "username", "pk").values(
        "pk", "first_name", "last_name", "username")[:LOOKUP_LIMIT]
    return [{"id": r["pk"], "label": f"{r['first_name']} {r['last_name']}".strip() or r["username"]} for r in rows]


def teams_lookup(*, user, q: str) -> list[dict]:
    teams = dashboard_teams_for(user=user)
    for term in _terms(q):
        teams = teams.filter(name__icontains=term)
    return [{"id": pk, "label": name} for pk, name in teams.order_by("name", "pk").values_list("pk", "name")[:LOOKUP_LIMIT]]


def person_labels(ids) -> dict:
    """{id: name} of the people among `ids` (the pickers show the chosen name back)."""
    return {u.pk: str(u) for u in User.objects.filter(pk__in=list(ids)).only("pk", "first_name", "last_name",
                                                                               "username")}


def team_labels(ids) -> dict:
    return dict(Team.objects.filter(pk__in=list(ids)).values_list("pk", "name"))
