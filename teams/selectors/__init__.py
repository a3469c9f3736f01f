"""Who may see and change what. The one place where record visibility is decided.

HTML views (teams.mixins) and API viewsets (teams.api.permissions) both call these functions, so a
rule changed here holds everywhere:
- admins (role admin or superuser) see and change every record;
- a manager sees and changes their own records and those of the members of the teams they manage;
- any other user (rep, marketing, customer success) sees and changes only their own records,
  except that a resource may open read access to some roles (e.g. marketing reads all leads).
"""
from collections.abc import Iterable, Sequence
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from salesops.metric_tools import shared, sharing

from ..models import OnboardingPlan, Quota, Team, User
from ..predicates import is_active_user, may_narrow_dashboards_to_anyone

VIEW = "view"
CHANGE = "change"


def _owner_fields(owner_field: str | None, owner_fields: Sequence[str] | None) -> tuple[str, ...]:
    if owner_field is not None and owner_fields is not None:
        raise TypeError("Pass owner_field or owner_fields, not both.")
    if owner_fields is not None:
        if isinstance(owner_fields, str) or not owner_fields:
            raise TypeError("owner_fields must be a non-empty sequence of field names.")
        return tuple(owner_fields)
    return (owner_field or "owner",)


def owner_q(*, user, owner_field: str | None = None, owner_fields: Sequence[str] | None = None,
            action: str = VIEW, read_all_roles: Iterable[str] = ()) -> Q:
    """A Q selecting the records `user` may `action`, given the record's owner field(s).

    With several `owner_fields` (e.g. ("owner", "success_owner")) a record is in scope when ANY of
    them is the user or, for a manager, a member of a team they manage. An empty field never matches.
    Reading (VIEW) also covers the records of the hires the user mentors on an open onboarding plan.
    """
    if not user or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin_role:
        return Q()
    if action == VIEW and user.role in set(read_all_roles):
        return Q()
    fields = _owner_fields(owner_field, owner_fields)
    if user.role == User.Role.MANAGER:
        # the owner among the manager and their teams' members, on the owner column (an OR across a
        # join to users and teams hides the owner from the planner: no owner index used). Inside a
        # dashboard (salesops.metric_tools.shared_reads) the people are read once and given as values,
        # so the planner knows how many deals they own; elsewhere a subquery (teams by a subquery too,
        # not a join, or the planner takes the people for one row).
        people = (list(managed_people(user.pk)) if sharing() else User.objects.filter(
            Q(pk=user.pk) | Q(team__in=Team.objects.filter(manager=user).values("pk"))).values("pk"))
        terms = [Q(**{f"{field}__in": people}) for field in fields]
    else:
        # owner_field "pk" scopes the people themselves (the pickers' lookup): compare with the user's id
        terms = [Q(**{field: user.pk if field == "pk" else user}) for field in fields]
    if action == VIEW:  # onboarding: a mentor reads the records of the hires of their open plans
        # inside shared_reads (dashboards, list pages, the board) as values: no hires drops the term, so
        # the owner condition stays an index condition (an OR with a subquery is a filter on every row)
        mentees = list(mentee_id_list(user.pk)) if sharing() else mentee_ids(user)
        terms += [Q(**{f"{field}__in": mentees}) for field in fields]
    return reduce(or_, terms)


@shared
def managed_people(user_id: int) -> tuple[int, ...]:
    """The manager `user_id` and the members of the teams they manage (ids)."""
    return tuple(User.objects.filter(Q(pk=user_id) | Q(team__manager_id=user_id)).order_by("pk")
                 .values_list("pk", flat=True))


@shared
def mentee_id_list(user_id: int) -> tuple[int, ...]:
    """The hires `user_id` mentors on an open onboarding plan (ids; read once inside shared_reads)."""
    return tuple(OnboardingPlan.objects.filter(mentor_id=user_id, closed_at__isnull=True).order_by("hire_id")
                 .values_list("hire_id", flat=True))


def mentee_ids(user) -> QuerySet:
    """The hires `user` mentors on an open onboarding plan, as a subquery (no extra round trip, no join)."""
    return OnboardingPlan.objects.filter(mentor=user, closed_at__isnull=True).values("hire_id")


def scope_for_user(queryset: QuerySet, *, user, owner_field: str | None = None,
                   owner_fields: Sequence[str] | None = None, action: str = VIEW,
                   read_all_roles: Iterable[str] = ()) -> QuerySet:
    return queryset.filter(owner_q(user=user, owner_field=owner_field, owner_fields=owner_fields,
                                   action=action, read_all_roles=read_all_roles))


def assignable_users_for(*, user) -> QuerySet:
    """Users that `user` may make the owner of a record (reps may only assign to themselves)."""
    active = User.objects.filter(is_active=True)
    if not user or not user.is_authenticated:
        return active.none()
    if user.is_admin_role:
        return active
    if user.role == User.Role.MANAGER:
        return active.filter(Q(pk=user.pk) | Q(team__manager=user))
    return active.filter(pk=user.pk)


def success_owner_choices_for(*, user) -> QuerySet:
    """Whom `user` may make an account's success owner: anyone they may assign records to, and any
    active customer-success user (reps and managers hand accounts over to success, not only admins)."""
    assignable = assignable_users_for(user=user)
    if not user or not user.is_authenticated:
        return assignable
    return User.objects.filter(Q(pk__in=assignable.values("pk")) | Q(is_active=True, role=User.Role.SUCCESS))


def quota_queryset_for(*, user) -> QuerySet[Quota]:
    return scope_for_user(Quota.objects.select_related("user", "user__team"), user=user,
                          owner_field="user")


def user_directory_for(*, user) -> QuerySet[User]:
    """The people list: every authenticated user may read names, roles and teams."""
    return User.objects.filter(is_active=True).select_related("team", "territory")


def team_queryset() -> QuerySet[Team]:
    return Team.objects.select_related("manager")


def dashboard_teams_for(*, user) -> QuerySet[Team]:
    """The teams `user` may narrow a dashboard to (teams.predicates.may_narrow_dashboards_to_anyone)."""
    if not is_active_user(user):
        return Team.objects.none()
    teams = Team.objects.order_by("name")
    if may_narrow_dashboards_to_anyone(user):
        return teams
    if user.role == User.Role.MANAGER:
        return teams.filter(manager=user)
    return teams.filter(pk=user.team_id) if user.team_id else teams.none()


def dashboard_people_for(*, user) -> QuerySet[User]:
    """The sellers `user` may narrow a dashboard to: everyone who may own records for admins,
    marketing and success; a manager themselves and their teams' members; anyone else themselves."""
    if not is_active_user(user):
        return User.objects.none()
    sellers = (User.objects.filter(is_active=True, role__in=(User.Role.REP, User.Role.MANAGER, User.Role.ADMIN))
               .select_related("team").order_by("first_name", "last_name", "username"))
    if may_narrow_dashboards_to_anyone(user):
        return sellers
    if user.role == User.Role.MANAGER:
        return sellers.filter(Q(pk=user.pk) | Q(team__manager=user))
    return User.objects.filter(pk=user.pk)


def person_or_team_labels(group_by: str, keys) -> dict:
    """{id: display name} of the users (group_by "owner") or teams ("team") among `keys`, for metric breakdowns."""
    keys = [k for k in keys if k is not None]
    if group_by == "owner":
        return {u.pk: (u.get_full_name() or u.username) for u in User.objects.filter(pk__in=keys)}
    if group_by == "team":
        return dict(Team.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {}
