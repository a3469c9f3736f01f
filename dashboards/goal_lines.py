"""Goal lines: where a dashboard chart plots a metric that has an active SMART goal for the
dashboard's scope, the goal's target and its pro-rated target for today (dashboards.goals) are drawn
as horizontal lines (Plotly shapes, in the legend and labelled), and the chart's table lists them.

"For the scope": the goal's scope is the dashboard's (organisation, the chosen team, the chosen
rep) and the viewer sees the goal (goal_selectors.goal_queryset_for). Goals are read once per page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from salesops import formats, metrics
from salesops.metric_tools import shared
from salesops.metrics import Scope

from . import goals as goal_math
from .goal_selectors import goal_queryset_for
from .models import Goal

TARGET_COLOUR = "#b42318"
EXPECTED_COLOUR = "#9a6700"


@dataclass(frozen=True)
class GoalLine:
    goal_id: int
    metric: str
    name: str             # the metric's name
    target: float
    expected: float | None  # the pro-rated target today (None without a baseline)
    deadline: date

    @property
    def target_label(self) -> str:
        return _("Goal: %(metric)s %(target)s by %(deadline)s") % {
            "metric": self.name, "target": _number(self.target), "deadline": formats.date_text(self.deadline)}

    @property
    def expected_label(self) -> str:
        return _("Expected by today: %(metric)s %(value)s") % {"metric": self.name, "value": _number(self.expected)}


def _number(value) -> str:
    return "—" if value is None else f"{float(value):,.1f}"


@shared
def scope_goals(scope: Scope, today: date) -> dict[str, list[Goal]]:
    """The viewer's active goals for exactly this scope, by metric code (one query per page)."""
    found: dict[str, list[Goal]] = {}
    for goal in (goal_queryset_for(user=scope.user)
                 .filter(status=Goal.Status.ACTIVE, scope=scope.level, team_id=scope.team_id, owner_id=scope.owner_id)
                 .order_by("deadline", "pk")):
        found.setdefault(goal.metric, []).append(goal)
    return found


def goal_lines(codes, scope: Scope, today: date) -> list[GoalLine]:
    """The goal lines of the metrics `codes` a chart plots."""
    lines = []
    for code in codes:
        metric = metrics.find(code)
        for goal in scope_goals(scope, today).get(code, []):
            expected = (None if goal.baseline is None else
                        goal_math.prorated_target(goal.baseline, goal.target, goal.start, goal.deadline, today))
            lines.append(GoalLine(goal_id=goal.pk, metric=code, name=str(metric.name) if metric else code,
                                  target=float(goal.target), expected=None if expected is None else round(expected, 4),
                                  deadline=goal.deadline))
    return lines


def draw(fig, lines: list[GoalLine]) -> None:
    """Each goal's target (dashed) and pro-rated target today (dotted) across the chart, in its legend."""
    for line in lines:
        fig.add_shape(type="line", xref="paper", x0=0, x1=1, yref="y", y0=line.target, y1=line.target,
                      line={"color": TARGET_COLOUR, "width": 2, "dash": "dash"}, name=line.target_label,
                      showlegend=True, label={"text": line.target_label, "textposition": "end", "yanchor": "bottom",
                                              "font": {"size": 11, "color": TARGET_COLOUR}})
        if line.expected is not None:
            fig.add_shape(type="line", xref="paper", x0=0, x1=1, yref="y", y0=line.expected, y1=line.expected,
                          line={"color": EXPECTED_COLOUR, "width": 2, "dash": "dot"}, name=line.expected_label,
                          showlegend=True, label={"text": line.expected_label, "textposition": "start",
                                                  "yanchor": "top", "font": {"size": 11, "color": EXPECTED_COLOUR}})
