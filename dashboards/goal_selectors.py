"""Reads for goals: which goals a user sees, and the board rows (progress and pace) for pages."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from salesops import metrics as registry

from . import goals
from .goal_services import goal_evaluate
from .models import Goal


def goal_queryset_for(*, user) -> QuerySet[Goal]:
    """Everyone sees organisation goals; team goals of their team (or the teams they manage); rep
    goals of themselves (or of the reps they manage); admins see all (teams.predicates.can_see_scope_figures)."""
    goals_qs = Goal.objects.select_related("team", "owner", "created_by")
    if not user or not user.is_authenticated or not user.is_active:
        return goals_qs.none()
    if user.is_admin_role:
        return goals_qs
    visible = (Q(scope="organisation") | Q(team__manager=user) | Q(owner=user) | Q(owner__team__manager=user))
    if user.team_id:
        visible |= Q(team_id=user.team_id)
    return goals_qs.filter(visible)


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    metric: registry.Metric | None
    pace: goals.Pace


def goal_board(*, user, today: date | None = None) -> list[GoalRow]:
    """The visible goals with their last measured value and pace today (from `Goal.current`,
    written by the daily check: no metric is computed here)."""
    today = today or timezone.localdate()
    return [GoalRow(goal, registry.find(goal.metric), goal_evaluate(goal, goal.current, today))
            for goal in goal_queryset_for(user=user).order_by("status", "deadline", "pk")]
