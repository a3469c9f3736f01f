"""Goal services: baseline, permissions (who sets goals for which scope), check and the at-risk notification."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from dashboards import goal_services
from dashboards.demo import seed_goals
from dashboards.goal_selectors import goal_board, goal_queryset_for
from dashboards.models import Goal, KpiSnapshot
from teams.models import Notification

pytestmark = pytest.mark.django_db
START, DEADLINE = date(2026, 1, 1), date(2026, 4, 11)  # 100 days
MID = date(2026, 2, 20)  # day 50


def make(by, **kw):
    fields = dict(metric="fake_rate", target=Decimal("25"), start=START, deadline=DEADLINE, baseline=Decimal("15"))
    fields.update(kw)
    return goal_services.goal_create(by=by, **fields)


class TestCreate:
    def test_better_direction_comes_from_the_metric_and_it_is_audited(self, org, fake_metrics):
        goal = make(org["admin"], metric="fake_cycle", baseline=Decimal("90"), target=Decimal("75"))
        assert (goal.better, goal.baseline_source) == ("down", "given")
        assert LogEntry.objects.filter(object_id=str(goal.pk), action_flag=1).count() == 1

    def test_baseline_is_the_snapshot_of_the_month_before_the_start(self, org, fake_metrics):
        KpiSnapshot.objects.create(metric="fake_rate", scope="team", scope_id=org["east"].pk, period_kind="month",
                                   period_start=date(2025, 12, 1), period_end=date(2025, 12, 31),
                                   value=Decimal("14.5"), computed_at="2026-01-01T00:00:00Z")
        goal = make(org["mgr"], scope="team", team=org["east"], baseline=None)
        assert (goal.baseline, goal.baseline_source) == (Decimal("14.5"), "snapshot")
        assert fake_metrics["fake_rate"].calls == []

    def test_baseline_is_computed_when_there_is_no_snapshot(self, org, fake_metrics):
        fake_metrics["fake_rate"].values[f"rep:{org['owner'].pk}"] = Decimal("12")
        goal = make(org["mgr"], scope="rep", owner=org["owner"], baseline=None)
        assert (goal.baseline, goal.baseline_source) == (Decimal("12.0000"), "computed")
        assert fake_metrics["fake_rate"].calls == [(f"rep:{org['owner'].pk}", date(2025, 12, 1), date(2025, 12, 31))]

    @pytest.mark.parametrize("kw, field", [
        ({"metric": "nope"}, "metric"),
        ({"deadline": START}, "deadline"),
        ({"target": Decimal("10")}, "target"),          # worse than the baseline for an "up" metric
        ({"scope": "team"}, "team"),
        ({"scope": "rep"}, "owner"),
    ])
    def test_bad_input_is_refused_with_the_field_and_nothing_saved(self, org, fake_metrics, kw, field):
        with pytest.raises(ValidationError) as caught:
            make(org["admin"], **kw)
        assert field in caught.value.message_dict
        assert not Goal.objects.exists()

    def test_no_baseline_anywhere_is_a_clear_error(self, org, fake_metrics):
        fake_metrics["fake_rate"].default = None
        with pytest.raises(ValidationError, match="give a baseline"):
            make(org["admin"], baseline=None)


class TestPermissions:
    @pytest.mark.parametrize("who, scope, target, allowed", [
        ("admin", "organisation", None, True),
        ("admin", "team", "west", True),
        ("mgr", "team", "east", True),
        ("mgr", "team", "west", False),
        ("mgr", "rep", "owner", True),
        ("mgr", "rep", "outsider", False),
        ("mgr", "organisation", None, False),
        ("marketing", "organisation", None, True),   # fake_rate is a leads metric
        ("marketing", "team", "east", False),
        ("owner", "rep", "owner", False),
        ("owner", "organisation", None, False),
    ])
    def test_who_sets_goals_for_which_scope(self, org, fake_metrics, who, scope, target, allowed):
        kw = {"scope": scope}
        if scope == "team":
            kw["team"] = org[target]
        if scope == "rep":
            kw["owner"] = org[target]
        if allowed:
            assert make(org[who], **kw).pk
        else:
            with pytest.raises(PermissionDenied):
                make(org[who], **kw)
            assert not Goal.objects.exists()

    def test_marketing_may_not_set_pipeline_goals(self, org, fake_metrics):
        with pytest.raises(PermissionDenied):
            make(org["marketing"], metric="fake_cycle", baseline=Decimal("90"), target=Decimal("75"))

    def test_a_manager_may_not_change_or_remove_another_teams_goal(self, org, fake_metrics):
        goal = make(org["other_mgr"], scope="team", team=org["west"])
        with pytest.raises(PermissionDenied):
            goal_services.goal_update(goal=goal, by=org["mgr"], target=Decimal("30"))
        with pytest.raises(PermissionDenied):
            goal_services.goal_delete(goal=goal, by=org["mgr"])
        goal.refresh_from_db()
        assert goal.target == Decimal("25")

    def test_update_and_delete_by_the_teams_manager(self, org, fake_metrics):
        goal = make(org["mgr"], scope="team", team=org["east"])
        goal = goal_services.goal_update(goal=goal, by=org["mgr"], target=Decimal("30"))
        assert (goal.target, goal.baseline, goal.baseline_source) == (Decimal("30"), Decimal("15"), "given")
        goal_services.goal_delete(goal=goal, by=org["mgr"])
        assert not Goal.objects.exists()

    def test_visibility_of_goals(self, org, fake_metrics):
        org_goal = make(org["admin"])
        east = make(org["mgr"], scope="team", team=org["east"])
        rep = make(org["mgr"], scope="rep", owner=org["owner"])
        west = make(org["other_mgr"], scope="team", team=org["west"])

        def seen(who):
            return set(goal_queryset_for(user=org[who]).values_list("pk", flat=True))
        assert seen("owner") == {org_goal.pk, east.pk, rep.pk}
        assert seen("teammate") == {org_goal.pk, east.pk}
        assert seen("mgr") == {org_goal.pk, east.pk, rep.pk}
        assert seen("outsider") == {org_goal.pk, west.pk}
        assert seen("admin") == {org_goal.pk, east.pk, rep.pk, west.pk}


class TestCheck:
    def test_pace_is_measured_over_the_trailing_window(self, org, fake_metrics):
        goal = make(org["admin"])
        fake_metrics["fake_rate"].calls.clear()
        goal = goal_services.goal_check(goal=goal, today=MID)
        assert fake_metrics["fake_rate"].calls == [("organisation", MID - timedelta(days=30), MID - timedelta(days=1))]
        assert (goal.current, goal.pace) == (Decimal("20.0000"), "on_track")

    def test_turning_at_risk_notifies_once_per_turn(self, org, fake_metrics):
        goal = make(org["mgr"], scope="rep", owner=org["owner"])
        rates = fake_metrics["fake_rate"].values
        key = f"rep:{org['owner'].pk}"
        rates[key] = Decimal("18")  # pace 0.6: at risk
        goal_services.goal_check(goal=goal, today=MID)
        notes = Notification.objects.filter(kind="goal_at_risk")
        assert sorted(notes.values_list("recipient__username", flat=True)) == ["mgr", "owner"]
        assert "18.0" in notes.first().message and "20.0" in notes.first().message
        goal_services.goal_check(goal=goal, today=MID + timedelta(days=1))  # still at risk: no new note
        assert notes.count() == 2
        rates[key] = Decimal("19.5")  # behind: re-armed
        assert goal_services.goal_check(goal=goal, today=MID).pace == "behind"
        rates[key] = Decimal("16")
        goal_services.goal_check(goal=goal, today=MID)
        assert notes.count() == 4

    def test_past_the_deadline_a_goal_is_achieved_or_missed(self, org, fake_metrics):
        hit, miss = make(org["admin"], target=Decimal("20")), make(org["admin"], target=Decimal("30"))
        after = DEADLINE + timedelta(days=2)
        assert goal_services.goal_check(goal=hit, today=after).status == "achieved"
        assert goal_services.goal_check(goal=miss, today=after).status == "missed"
        assert not Notification.objects.filter(kind="goal_at_risk").exists()  # a missed goal is not "at risk"

    def test_check_all_checks_active_goals(self, org, fake_metrics):
        make(org["admin"])
        assert goal_services.goals_check_all(today=MID) == 1
        assert Goal.objects.get().pace == "on_track"

    def test_board_rows_carry_progress(self, org, fake_metrics):
        goal_services.goal_check(goal=make(org["admin"]), today=MID)
        [row] = goal_board(user=org["owner"], today=MID)
        assert (row.pace.status, row.pace.progress_percent, str(row.metric.name)) == ("on_track", 50, "Fake rate")


class TestDemo:
    def test_seed_goals_are_set_for_registered_metrics_only_and_once(self, org, fake_metrics, monkeypatch):
        monkeypatch.setattr("dashboards.demo.SEED_GOALS", [
            ("fake_cycle", Decimal("90"), Decimal("75"), "Sales cycle"), ("nps", Decimal("30"), Decimal("50"), "NPS")])
        assert seed_goals(today=MID) == (1, 1)
        assert seed_goals(today=MID) == (0, 1)
        goal = Goal.objects.get()
        assert (goal.metric, goal.baseline, goal.target, goal.created_by) == (
            "fake_cycle", Decimal("90"), Decimal("75"), org["admin"])


class TestMoneyAndFailures:
    def test_money_goals_measure_the_default_currency(self, org, fake_metrics, settings):
        from salesops import metrics as registry
        from salesops.metrics import Metric, MetricResult

        settings.DEFAULT_CURRENCY = "EUR"
        registry.register(Metric(code="fake_won", name="Won", unit=registry.MONEY, better=registry.UP, app="pipeline",
                                 compute=lambda scope, period: MetricResult(
                                     value=None, count=3, per_currency={"EUR": Decimal("1200"), "USD": Decimal("9")})))
        goal = make(org["admin"], metric="fake_won", baseline=None, target=Decimal("2000"))
        assert (goal.baseline, goal.baseline_source) == (Decimal("1200.0000"), "computed")
        assert goal_services.goal_check(goal=goal, today=MID).current == Decimal("1200.0000")

    def test_one_failing_goal_does_not_stop_the_others(self, org, fake_metrics):
        make(org["admin"], metric="fake_cycle", baseline=Decimal("90"), target=Decimal("75"))
        make(org["admin"])
        fake_metrics["fake_cycle"].fail = True
        assert goal_services.goals_check_all(today=MID) == 1
        assert Goal.objects.get(metric="fake_rate").pace == "on_track"
        assert Goal.objects.get(metric="fake_cycle").pace == ""


class TestBaselineOnUpdate:
    def test_a_derived_baseline_is_kept_when_resubmitted_and_follows_a_new_start(self, org, fake_metrics):
        goal = make(org["admin"], baseline=None)
        assert (goal.baseline, goal.baseline_source) == (Decimal("20.0000"), "computed")
        goal = goal_services.goal_update(goal=goal, by=org["admin"], baseline=Decimal("20"), target=Decimal("26"))
        assert goal.baseline_source == "computed"  # the form sends the value back unchanged
        fake_metrics["fake_rate"].default = Decimal("18")
        goal = goal_services.goal_update(goal=goal, by=org["admin"], start=date(2026, 2, 1))
        assert (goal.baseline, goal.baseline_source) == (Decimal("18.0000"), "computed")
        goal = goal_services.goal_update(goal=goal, by=org["admin"], baseline=Decimal("17"))
        assert (goal.baseline, goal.baseline_source) == (Decimal("17"), "given")
