"""The 24-hour rule: the pure rule (customers.timeliness), its SQL twin, and the registered metric
`activity_logged_within_24h` on a hand-counted fixture."""
import random
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.utils import timezone

from customers.models import Activity
from customers.selectors import late_q
from customers.timeliness import is_future, is_late, within_24h_share
from salesops import metrics
from salesops.metrics import Period, Scope

from .factories import AccountFactory, ActivityFactory

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=dt_timezone.utc)


class TestThePureRule:
    def test_exactly_24_hours_is_on_time_a_second_more_is_late(self):
        assert not is_late(T0, T0 + timedelta(hours=24))
        assert is_late(T0, T0 + timedelta(hours=24, seconds=1))
        assert not is_late(T0, T0)

    def test_the_future_has_five_minutes_of_tolerance(self):
        assert not is_future(T0 + timedelta(minutes=5), T0)
        assert is_future(T0 + timedelta(minutes=5, seconds=1), T0)
        assert not is_future(T0 - timedelta(days=400), T0)

    def test_the_share_of_pairs_logged_on_time(self):
        pairs = [(T0, T0 + timedelta(hours=1)), (T0, T0 + timedelta(hours=30)), (T0, T0 + timedelta(hours=24))]
        assert within_24h_share(pairs) == 66.7
        assert within_24h_share([]) is None


def logged(owner, *, hours_late: float, logged_at: datetime, kind: str = "call", account=None) -> Activity:
    activity = ActivityFactory(account=account or AccountFactory(owner=owner), owner=owner, kind=kind,
                               occurred_at=logged_at - timedelta(hours=hours_late))
    Activity.objects.filter(pk=activity.pk).update(logged_at=logged_at)  # logged_at is set on insert
    return activity


@pytest.fixture
def fixture(org):
    """Logged on 2026-11-10 (all within November):
    owner     3 activities: 1 h, 20 h (on time), 30 h (late)      -> 2/3
    teammate  2 activities: 24 h (on time), 50 h (late)          -> 1/2
    outsider  1 activity:   25 h (late)                           -> 0/1
    plus a task of the owner (left out) and a late call logged in October (outside the period).
    East: 3 of 5 = 60 %; everyone: 3 of 6 = 50 %."""
    day = datetime(2026, 11, 10, 6, 0, tzinfo=dt_timezone.utc)
    for owner, hours in ((org["owner"], (1, 20, 30)), (org["teammate"], (24, 50)), (org["outsider"], (25,))):
        for h in hours:
            logged(owner, hours_late=h, logged_at=day)
    logged(org["owner"], hours_late=100, logged_at=day, kind="task")
    logged(org["owner"], hours_late=100, logged_at=datetime(2026, 10, 20, 6, tzinfo=dt_timezone.utc))
    return org


NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.django_db
class TestTheMetric:
    def metric(self):
        return metrics.get("activity_logged_within_24h")

    def test_it_is_registered_with_owner_and_team_breakdowns(self):
        metric = self.metric()
        assert (metric.unit, metric.better, tuple(metric.group_by)) == (metrics.PERCENT, metrics.UP, ("owner", "team"))

    def test_organisation_team_and_rep_values_match_the_hand_count(self, fixture):
        metric, admin = self.metric(), fixture["admin"]
        everyone = metric.compute(Scope(admin), NOVEMBER)
        assert (everyone.value, everyone.count, everyone.extra) == (50.0, 6, {"on_time": 3, "late": 3})
        assert metric.compute(Scope(admin, team_id=fixture["east"].pk), NOVEMBER).value == 60.0
        assert metric.compute(Scope(admin, owner_id=fixture["owner"].pk), NOVEMBER).value == 66.7
        assert metric.compute(Scope(admin, owner_id=fixture["outsider"].pk), NOVEMBER).value == 0.0
        assert metric.compute(Scope(admin), Period(date(2026, 12, 1), date(2026, 12, 31))).value is None

    def test_breakdowns_per_rep_and_team(self, fixture):
        metric, admin = self.metric(), fixture["admin"]
        by_owner = {row.label: (row.value, row.count) for row in metric.breakdown(Scope(admin), NOVEMBER, "owner")}
        names = {name: str(fixture[name].get_full_name() or fixture[name].username)
                 for name in ("owner", "teammate", "outsider")}
        assert by_owner == {names["owner"]: (66.7, 3), names["teammate"]: (50.0, 2), names["outsider"]: (0.0, 1)}
        by_team = {row.label: row.value for row in metric.breakdown(Scope(admin), NOVEMBER, "team")}
        assert by_team == {"East": 60.0, "West": 0.0}

    def test_the_drilldown_lists_exactly_the_records_counted(self, fixture):
        metric = self.metric()
        records = metric.records(Scope(fixture["admin"]), NOVEMBER)
        assert records.count() == 6 and not records.filter(kind="task").exists()
        owner_rows = metric.records(Scope(fixture["admin"]), NOVEMBER, group_by="owner", key=str(fixture["owner"].pk))
        assert owner_rows.count() == 3
        url = metric.drilldown_url(Scope(fixture["admin"], team_id=fixture["east"].pk), NOVEMBER)
        assert url.startswith("/customers/activities/?") and "logged_after=2026-11-01" in url

    def test_a_rep_measures_only_what_they_see(self, fixture):
        result = self.metric().compute(Scope(fixture["owner"]), NOVEMBER)
        assert (result.value, result.count) == (66.7, 3)

    def test_a_managers_figure_covers_the_team(self, fixture):
        assert self.metric().compute(Scope(fixture["mgr"]), NOVEMBER).count == 5


@pytest.mark.django_db
def test_sql_and_python_agree_on_random_delays(org):
    rng = random.Random(7)
    now = timezone.now()
    account = AccountFactory(owner=org["owner"])
    expected = {}
    for _ in range(60):
        delay = timedelta(seconds=rng.choice([0, 60, 86399, 86400, 86401, 90000, rng.randint(0, 300000)]))
        activity = logged(org["owner"], hours_late=delay.total_seconds() / 3600, logged_at=now, account=account)
        activity.refresh_from_db()
        expected[activity.pk] = is_late(activity.occurred_at, activity.logged_at)
    flagged = set(Activity.objects.filter(late_q()).values_list("pk", flat=True))
    assert flagged == {pk for pk, late in expected.items() if late}
