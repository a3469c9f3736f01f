"""Goals page (list with progress bars, form with pickers) and the KPI snapshot runs page."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import goal_services
from dashboards.models import Goal, SnapshotJob
from tests.dashboards.test_goal_services import make

pytestmark = pytest.mark.django_db
FORM = {"metric": "fake_rate", "scope": "team", "baseline": "15", "target": "25", "start": "2026-01-01",
        "deadline": "2026-04-11", "note": ""}


def test_goals_page_lists_visible_goals_with_progress(client, org, fake_metrics):
    today = timezone.localdate()
    goal = make(org["mgr"], scope="team", team=org["east"], start=today - timedelta(days=50),
                deadline=today + timedelta(days=50))
    goal_services.goal_check(goal=goal, today=today)
    other = make(org["other_mgr"], scope="team", team=org["west"])
    client.force_login(org["owner"])
    page = client.get(reverse("dashboards:goals")).content.decode()
    assert f'data-goal="{goal.pk}" data-pace="on_track"' in page
    assert 'value="50"' in page  # the progress bar
    assert f'data-goal="{other.pk}"' not in page


def test_the_form_offers_pickers_for_what_the_user_may_set(client, org, fake_metrics):
    client.force_login(org["mgr"])
    form = client.get(reverse("dashboards:goals")).context["form"]
    assert list(form.fields["team"].queryset) == [org["east"]]
    assert org["outsider"] not in form.fields["owner"].queryset
    assert ("fake_rate", "Fake rate (percent)") in form.fields["metric"].choices


def test_posting_the_form_sets_the_goal_through_the_service(client, org, fake_metrics):
    client.force_login(org["mgr"])
    response = client.post(reverse("dashboards:goals"), {**FORM, "team": org["east"].pk})
    assert response.status_code == 302
    assert Goal.objects.get().team == org["east"]


def test_service_errors_show_on_the_form_and_save_nothing(client, org, fake_metrics):
    client.force_login(org["mgr"])
    response = client.post(reverse("dashboards:goals"), {**FORM, "team": org["east"].pk, "target": "5"})
    assert response.status_code == 200
    assert "better than the baseline" in response.content.decode()
    client.force_login(org["owner"])
    response = client.post(reverse("dashboards:goals"), {**FORM, "scope": "organisation"})
    assert "You may not set goals" in response.content.decode()
    assert not Goal.objects.exists()


def test_edit_and_remove_a_goal(client, org, fake_metrics):
    goal = make(org["mgr"], scope="team", team=org["east"])
    client.force_login(org["mgr"])
    url = reverse("dashboards:goal-edit", args=[goal.pk])
    assert client.post(url, {**FORM, "team": org["east"].pk, "target": "30"}).status_code == 302
    goal.refresh_from_db()
    assert goal.target == Decimal("30")
    client.force_login(org["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(org["mgr"])
    client.post(reverse("dashboards:goal-delete", args=[goal.pk]))
    assert not Goal.objects.exists()


def test_snapshot_page_is_for_managers_and_its_button_runs_a_job(client, org, fake_metrics,
                                                                 django_capture_on_commit_callbacks):
    client.force_login(org["owner"])
    assert client.get(reverse("dashboards:snapshots")).status_code == 403
    client.force_login(org["mgr"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("dashboards:snapshots")).status_code == 302
    job = SnapshotJob.objects.get()
    assert (job.status, job.created_by) == ("done", org["mgr"])
    assert f'data-job="{job.pk}"' in client.get(reverse("dashboards:snapshots")).content.decode()
