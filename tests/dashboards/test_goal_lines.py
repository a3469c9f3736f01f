"""Goal lines: a chart that plots a metric with an active SMART goal for the dashboard's scope draws the
goal's target and its pro-rated target as lines (in the legend), and the chart's table lists them;
trends read closed months from KPI snapshots."""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards import goals as goal_math
from dashboards import panels
from dashboards.models import Goal, KpiSnapshot
from salesops.metrics import Period, Scope
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def goal(metric="mql_to_opportunity", **kwargs):
    today = timezone.localdate()
    fields = {"baseline": Decimal("15"), "target": Decimal("25"), "better": "up",
              "start": today - timedelta(days=30), "deadline": today + timedelta(days=60), **kwargs}
    return Goal.objects.create(metric=metric, **fields)


def section(board, section_id):
    return next(s for s in board["sections"] if s.id == section_id)


def goal_shapes(figure):
    return [shape for shape in figure["figure"]["layout"].get("shapes", []) if shape.get("showlegend")]


@pytest.fixture
def leads(org):
    LeadFactory.create_batch(2, owner=org["owner"], source="website", mql_at=timezone.now())
    return org


def test_the_trend_chart_draws_the_goals_target_and_prorated_target(leads):
    today = timezone.localdate()
    set_goal = goal()
    board = panels.build("marketing", Scope(leads["admin"]), Period(today - timedelta(days=90), today), today)
    trend = section(board, "mql-to-opportunity")
    target, expected = goal_shapes(trend.figures[0])
    prorated = goal_math.prorated_target(15, 25, set_goal.start, set_goal.deadline, today)
    assert (target["y0"], target["y1"], target["xref"]) == (25.0, 25.0, "paper")
    assert target["line"]["dash"] == "dash" and "Goal: MQL → opportunity 25.0" in target["name"]
    assert expected["y0"] == pytest.approx(prorated, abs=1e-4) and expected["line"]["dash"] == "dot"
    assert trend.goal_lines[0].target == 25.0 and trend.goal_lines[0].expected == pytest.approx(prorated, abs=1e-4)
    by_source = section(board, "quality")  # the by-source chart plots mql_to_opportunity too
    assert len(goal_shapes(by_source.figures[0])) == 2
    assert not goal_shapes(section(board, "mql-trend").figures[0])  # mql_count has no goal


def test_only_goals_of_the_dashboards_scope_are_drawn(leads):
    today = timezone.localdate()
    goal(scope="team", team=leads["east"])
    goal(status=Goal.Status.ACHIEVED)
    period = Period(today - timedelta(days=90), today)
    organisation = panels.build("marketing", Scope(leads["admin"]), period, today)
    assert not section(organisation, "mql-to-opportunity").goal_lines
    east = panels.build("marketing", Scope(leads["admin"], team_id=leads["east"].pk), period, today)
    assert [line.target for line in section(east, "mql-to-opportunity").goal_lines] == [25.0]


def test_a_goal_without_baseline_draws_only_its_target(leads):
    today = timezone.localdate()
    goal(baseline=None)
    board = panels.build("marketing", Scope(leads["admin"]), Period(today - timedelta(days=90), today), today)
    trend = section(board, "mql-to-opportunity")
    assert [shape["y0"] for shape in goal_shapes(trend.figures[0])] == [25.0]


def test_the_table_view_lists_the_goal_line(client, leads):
    set_goal = goal()
    client.force_login(leads["admin"])
    html = re.sub(r"\s+", " ", client.get("/dashboards/marketing/").content.decode())
    table = re.search(r'id="table-mql-to-opportunity".*?</div>', html).group(0)
    assert f'data-goal-line="{set_goal.pk}"' in table
    assert f"Goal: MQL → opportunity 25.0 by {set_goal.deadline:%-d %b %Y}" in table  # salesops/formats (en)
    assert "Expected by today: MQL → opportunity" in table


def test_closed_months_of_a_trend_come_from_the_snapshots(leads):
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month, closed
    last_day = today.replace(day=1) - timedelta(days=1)
    KpiSnapshot.objects.create(metric="mql_count", scope="organisation", scope_id=0, period_kind="month",
                               period_start=first, period_end=last_day, value=Decimal("42"), count=42,
                               computed_at=timezone.now())
    board = panels.build("marketing", Scope(leads["admin"]), Period(first, today), today)
    rows = {row[0].text: (row[1].text, row[2].text) for row in section(board, "mql-trend").rows}
    assert rows[f"{first:%Y-%m}"] == ("42", "KPI snapshot")
    assert rows[f"{today:%Y-%m}"] == ("2", "computed")  # this month: still running, computed
    manager = panels.build("marketing", Scope(leads["mgr"]), Period(first, today), today)
    assert {row[2].text for row in section(manager, "mql-trend").rows} == {"computed"}  # not the org's figure
    assert date(first.year, first.month, 1) == first
