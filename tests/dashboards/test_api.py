"""API: /api/v1/goals/ (CRUD through services, scoped), /api/v1/kpi-snapshots/, /api/v1/kpi-snapshot-jobs/."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dashboards.models import Goal, KpiSnapshot, SnapshotJob
from tests.dashboards.test_goal_services import make

pytestmark = pytest.mark.django_db
GOALS = "/api/v1/goals/"
JOBS = "/api/v1/kpi-snapshot-jobs/"
BODY = {"metric": "fake_rate", "scope": "team", "baseline": "15", "target": "25", "start": "2026-01-01",
        "deadline": "2026-04-11"}


class TestGoalsApi:
    def test_anonymous_gets_401(self, api, fake_metrics):
        assert api.get(GOALS).status_code == 401
        assert api.post(GOALS, BODY).status_code == 401

    def test_manager_sets_a_goal_for_their_team(self, api, org, fake_metrics):
        response = api.as_user(org["mgr"]).post(GOALS, {**BODY, "team": org["east"].pk}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["better"] == "up"
        assert Goal.objects.get().created_by == org["mgr"]

    def test_manager_gets_403_for_another_team_and_nothing_is_saved(self, api, org, fake_metrics):
        response = api.as_user(org["mgr"]).post(GOALS, {**BODY, "team": org["west"].pk}, format="json")
        assert response.status_code == 403
        assert not Goal.objects.exists()

    def test_rep_gets_403(self, api, org, fake_metrics):
        response = api.as_user(org["owner"]).post(GOALS, {**BODY, "scope": "rep", "owner": org["owner"].pk},
                                                  format="json")
        assert response.status_code == 403

    @pytest.mark.parametrize("change, field", [
        ({"metric": "nope"}, "metric"), ({"deadline": "2025-12-01"}, "deadline"), ({"target": "5"}, "target"),
        ({"team": None}, "team"), ({"start": "soon"}, "start")])
    def test_bad_input_gets_400_naming_the_field(self, api, org, fake_metrics, change, field):
        response = api.as_user(org["admin"]).post(GOALS, {**BODY, "team": org["east"].pk, **change}, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not Goal.objects.exists()

    def test_list_is_scoped_and_filters(self, api, org, fake_metrics):
        east = make(org["mgr"], scope="team", team=org["east"])
        west = make(org["other_mgr"], scope="team", team=org["west"])
        mine = make(org["admin"], metric="fake_cycle", baseline=90, target=75)
        client = api.as_user(org["owner"])
        ids = {row["id"] for row in client.get(GOALS).json()["results"]}
        assert ids == {east.pk, mine.pk}
        assert west.pk not in ids
        assert [r["id"] for r in client.get(GOALS, {"metric": "fake_cycle"}).json()["results"]] == [mine.pk]
        assert [r["id"] for r in client.get(GOALS, {"scope": "team"}).json()["results"]] == [east.pk]
        assert client.get(GOALS, {"scope": "galaxy"}).status_code == 400
        assert [r["id"] for r in client.get(GOALS, {"team": org["east"].pk}).json()["results"]] == [east.pk]
        assert client.get(GOALS, {"team": 99999}).status_code == 400
        assert client.get(f"{GOALS}{west.pk}/").status_code == 404

    def test_update_and_delete_go_through_the_services(self, api, org, fake_metrics):
        goal = make(org["mgr"], scope="team", team=org["east"])
        client = api.as_user(org["owner"])  # sees it, may not change it
        assert client.patch(f"{GOALS}{goal.pk}/", {"target": "30"}, format="json").status_code == 403
        assert client.delete(f"{GOALS}{goal.pk}/").status_code == 403
        client = api.as_user(org["mgr"])
        response = client.patch(f"{GOALS}{goal.pk}/", {"target": "30"}, format="json")
        assert response.status_code == 200 and response.json()["target"] == "30.0000"
        assert client.delete(f"{GOALS}{goal.pk}/").status_code == 204
        assert not Goal.objects.exists()


class TestSnapshotsApi:
    def test_jobs_are_for_managers_and_admins(self, api, org, fake_metrics):
        assert api.post(JOBS, {}).status_code == 401
        assert api.as_user(org["owner"]).post(JOBS, {}, format="json").status_code == 403
        assert api.as_user(org["owner"]).get(JOBS).status_code == 403
        assert not SnapshotJob.objects.exists()

    def test_a_job_runs_with_progress_and_writes_yesterday(self, api, org, fake_metrics, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.as_user(org["mgr"]).post(JOBS, {}, format="json")
        assert response.status_code == 201, response.content
        job = SnapshotJob.objects.get()
        yesterday = timezone.localdate() - timedelta(days=1)
        assert (job.status, job.start, job.end, job.percent, job.total) == ("done", yesterday, yesterday, 100, 2)
        assert job.written == KpiSnapshot.objects.count() == 2 * 2 * 8
        assert api.as_user(org["mgr"]).get(f"{JOBS}{job.pk}/").json()["percent"] == 100

    def test_a_job_for_today_or_an_unknown_metric_gets_400(self, api, org, fake_metrics):
        client = api.as_user(org["admin"])
        today = timezone.localdate().isoformat()
        assert client.post(JOBS, {"start": today, "end": today}, format="json").status_code == 400
        assert client.post(JOBS, {"metric": "nope"}, format="json").status_code == 400
        assert not SnapshotJob.objects.exists()

    def test_snapshot_list_hides_other_scopes(self, api, org):
        common = dict(metric="m", period_kind="day", period_start=date(2026, 1, 1), period_end=date(2026, 1, 1),
                      computed_at=timezone.now())
        seen = [KpiSnapshot.objects.create(scope="organisation", scope_id=0, **common),
                KpiSnapshot.objects.create(scope="team", scope_id=org["east"].pk, **common),
                KpiSnapshot.objects.create(scope="rep", scope_id=org["owner"].pk, **common)]
        KpiSnapshot.objects.create(scope="team", scope_id=org["west"].pk, **common)
        KpiSnapshot.objects.create(scope="rep", scope_id=org["teammate"].pk, **common)
        rows = api.as_user(org["owner"]).get("/api/v1/kpi-snapshots/", {"metric": "m"}).json()["results"]
        assert {r["id"] for r in rows} == {s.pk for s in seen}
        assert api.as_user(org["admin"]).get("/api/v1/kpi-snapshots/", {"scope": "rep"}).json()["count"] == 2
