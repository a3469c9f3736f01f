"""KPI snapshots: idempotent writes, the daily beat job, backfill (service and command), trends."""
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from dashboards import snapshots, tasks
from dashboards.models import KpiSnapshot
from dashboards.trends import metric_trend, metric_vs_last_period
from salesops.metrics import Scope

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 11)


def scopes_count(org):
    # organisation + 2 teams + active reps and managers (mgr, other_mgr, owner, teammate, outsider)
    return 1 + 2 + 5


class TestDaily:
    def test_it_writes_yesterday_and_the_month_to_date_for_every_metric_and_scope(self, org, fake_metrics):
        written = snapshots.kpi_snapshots_daily(today=TODAY)
        assert written == 2 * 2 * scopes_count(org)  # metrics x kinds x scopes
        day = KpiSnapshot.objects.get(metric="fake_rate", scope="team", scope_id=org["east"].pk, period_kind="day")
        assert (day.period_start, day.period_end, day.value, day.count) == (
            date(2026, 3, 10), date(2026, 3, 10), Decimal("20.0000"), 20)
        assert day.per_currency == {"EUR": "1.50"}
        month = KpiSnapshot.objects.get(metric="fake_cycle", scope="rep", scope_id=org["owner"].pk,
                                        period_kind="month")
        assert (month.period_start, month.period_end) == (date(2026, 3, 1), date(2026, 3, 10))
        assert not KpiSnapshot.objects.filter(scope_id=org["marketing"].pk, scope="rep").exists()

    def test_a_second_run_computes_and_changes_nothing(self, org, fake_metrics):
        snapshots.kpi_snapshots_daily(today=TODAY)
        before = list(KpiSnapshot.objects.order_by("pk").values())
        calls = len(fake_metrics["fake_rate"].calls)
        fake_metrics["fake_rate"].default = Decimal("99")  # would differ if recomputed
        assert snapshots.kpi_snapshots_daily(today=TODAY) == 0
        assert len(fake_metrics["fake_rate"].calls) == calls
        assert list(KpiSnapshot.objects.order_by("pk").values()) == before

    def test_a_broken_metric_is_skipped_and_written_on_the_next_run(self, org, fake_metrics):
        fake_metrics["fake_cycle"].fail = True
        assert snapshots.kpi_snapshots_daily(today=TODAY) == 2 * scopes_count(org)
        assert not KpiSnapshot.objects.filter(metric="fake_cycle").exists()
        fake_metrics["fake_cycle"].fail = False
        assert snapshots.kpi_snapshots_daily(today=TODAY) == 2 * scopes_count(org)
        assert KpiSnapshot.objects.filter(metric="fake_cycle").count() == 2 * scopes_count(org)

    def test_the_next_day_adds_a_new_month_to_date_row(self, org, fake_metrics):
        snapshots.kpi_snapshots_daily(today=TODAY)
        snapshots.kpi_snapshots_daily(today=TODAY + timedelta(days=1))
        ends = list(KpiSnapshot.objects.filter(metric="fake_rate", scope="organisation", period_kind="month")
                    .order_by("period_end").values_list("period_end", flat=True))
        assert ends == [date(2026, 3, 10), date(2026, 3, 11)]

    def test_beat_runs_the_task_daily_and_the_task_calls_the_service(self):
        entry = settings.CELERY_BEAT_SCHEDULE["dashboards-kpi-snapshots-daily"]
        assert entry["task"] == "dashboards.tasks.kpi_snapshots_daily_task"
        assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {15})
        assert settings.CELERY_BEAT_SCHEDULE["dashboards-goals-check-daily"]["task"] == "dashboards.tasks.goals_check_task"
        with mock.patch("dashboards.snapshots.kpi_snapshots_daily", return_value=7) as service:
            assert tasks.kpi_snapshots_daily_task() == 7
        service.assert_called_once_with()


class TestBackfill:
    def test_plan_has_a_row_per_day_and_one_per_month_touched(self):
        plan = snapshots.backfill_plan(date(2026, 1, 30), date(2026, 2, 2), ["day", "month"])
        assert [(p.kind, p.start, p.end) for p in plan if p.kind == "month"] == [
            ("month", date(2026, 1, 1), date(2026, 1, 31)), ("month", date(2026, 2, 1), date(2026, 2, 2))]
        assert len([p for p in plan if p.kind == "day"]) == 4

    def test_quarter_and_week_starts(self):
        assert snapshots.kind_start("quarter", date(2026, 8, 17)) == date(2026, 7, 1)
        assert snapshots.kind_start("week", date(2026, 3, 11)) == date(2026, 3, 9)  # a Monday
        assert snapshots.kind_shift("quarter", date(2026, 1, 1), -1) == date(2025, 10, 1)

    def test_command_writes_one_metric_and_is_idempotent(self, org, fake_metrics):
        out = StringIO()
        call_command("backfill_snapshots", "--start", "2026-01-30", "--end", "2026-02-02", "--metric", "fake_rate",
                     stdout=out)
        assert "48 snapshots written" in out.getvalue()  # (4 days + 2 months) x 8 scopes
        assert not KpiSnapshot.objects.filter(metric="fake_cycle").exists()
        call_command("backfill_snapshots", "--start", "2026-01-30", "--end", "2026-02-02", stdout=out)
        assert KpiSnapshot.objects.filter(metric="fake_rate").count() == 48
        assert KpiSnapshot.objects.filter(metric="fake_cycle").count() == 48

    @pytest.mark.parametrize("args, message", [
        (["--start", "2026-02-02", "--end", "2026-01-01"], "must not be after"),
        (["--start", "2026-01-01", "--end", "2999-01-01"], "complete days"),
        (["--start", "2026-01-01", "--end", "2026-01-02", "--metric", "nope"], "Unknown metric"),
        (["--start", "yesterday", "--end", "2026-01-02"], "not a date"),
        (["--start", "2026-01-01", "--end", "2026-01-02", "--kinds", "year"], "unknown kinds"),
    ])
    def test_command_refuses_bad_input_and_writes_nothing(self, org, fake_metrics, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("backfill_snapshots", *args, stdout=StringIO())
        assert not KpiSnapshot.objects.exists()


class TestTrends:
    def _snap(self, code, start, end, value, kind="month", scope="organisation", scope_id=0):
        KpiSnapshot.objects.create(metric=code, scope=scope, scope_id=scope_id, period_kind=kind, period_start=start,
                                   period_end=end, value=value, computed_at="2026-03-11T00:00:00Z")

    def test_trend_takes_the_latest_row_per_period_and_leaves_gaps(self, org):
        self._snap("m", date(2026, 1, 1), date(2026, 1, 31), Decimal("10"))
        self._snap("m", date(2026, 3, 1), date(2026, 3, 5), Decimal("11"))
        self._snap("m", date(2026, 3, 1), date(2026, 3, 10), Decimal("12"))
        trend = metric_trend("m", Scope(org["owner"]), "month", 3, today=TODAY)
        assert trend == [(date(2026, 1, 1), Decimal("10")), (date(2026, 2, 1), None), (date(2026, 3, 1), Decimal("12"))]

    def test_vs_last_period_compares_like_for_like(self, org):
        self._snap("m", date(2026, 2, 1), date(2026, 2, 10), Decimal("30"))
        self._snap("m", date(2026, 2, 1), date(2026, 2, 28), Decimal("90"))
        self._snap("m", date(2026, 3, 1), date(2026, 3, 10), Decimal("40"))
        assert metric_vs_last_period("m", Scope(org["owner"]), "month", date(2026, 3, 1)) == (
            Decimal("40"), Decimal("30"), Decimal("10"))

    def test_other_teams_and_reps_figures_are_not_answered(self, org):
        east = org["east"].pk
        self._snap("m", date(2026, 3, 1), date(2026, 3, 10), Decimal("5"), scope="team", scope_id=east)
        self._snap("m", date(2026, 3, 1), date(2026, 3, 10), Decimal("6"), scope="rep", scope_id=org["owner"].pk)
        assert metric_vs_last_period("m", Scope(org["mgr"], team_id=east), "month", date(2026, 3, 1))[0] == Decimal("5")
        assert metric_vs_last_period("m", Scope(org["outsider"], team_id=east), "month", date(2026, 3, 1)) == (
            None, None, None)
        assert metric_trend("m", Scope(org["teammate"], owner_id=org["owner"].pk), "month", 1, today=TODAY) == []
        assert metric_trend("m", Scope(org["mgr"], owner_id=org["owner"].pk), "month", 1, today=TODAY) == [
            (date(2026, 3, 1), Decimal("6"))]


def test_backfill_service_refuses_today(fake_metrics, db):
    with pytest.raises(ValidationError):
        today = timezone.localdate()
        snapshots.snapshots_backfill(start=today, end=today)


def test_money_trends_read_one_currency(org):
    for end, eur in ((date(2026, 2, 28), "100"), (date(2026, 3, 10), "150")):
        KpiSnapshot.objects.create(metric="won", scope="organisation", scope_id=0, period_kind="month",
                                   period_start=end.replace(day=1), period_end=end, value=None,
                                   per_currency={"EUR": eur, "USD": "7"}, computed_at=timezone.now())
    assert metric_trend("won", Scope(org["owner"]), "month", 2, today=TODAY, currency="EUR") == [
        (date(2026, 2, 1), Decimal("100")), (date(2026, 3, 1), Decimal("150"))]
    assert metric_trend("won", Scope(org["owner"]), "month", 1, today=TODAY) == [(date(2026, 3, 1), None)]
    assert metric_vs_last_period("won", Scope(org["owner"]), "month", date(2026, 3, 1), currency="USD") == (
        Decimal("7"), None, None)  # February has no row at the 10th


def test_a_run_whose_worker_died_is_queued_again(org, fake_metrics, django_capture_on_commit_callbacks):
    from dashboards.models import SnapshotJob

    yesterday = timezone.localdate() - timedelta(days=1)
    old = timezone.now() - timedelta(hours=2)
    job = SnapshotJob.objects.create(start=yesterday, end=yesterday, status="running", heartbeat_at=old)
    SnapshotJob.objects.filter(pk=job.pk).update(created_at=old)
    fresh = SnapshotJob.objects.create(start=yesterday, end=yesterday, status="running", heartbeat_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.snapshot_jobs_requeue_stale_task() == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.written) == ("done", 2 * 2 * 8)
    assert SnapshotJob.objects.get(pk=fresh.pk).status == "running"
