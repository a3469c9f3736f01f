"""Awards: best newcomer through a fake registered quota metric, nominations, the manager's choice,
history and leaderboard pages, the awards API."""
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from salesops import metrics
from teams.models import Award, Nomination, Notification
from teams.services.awards import best_newcomer_compute, collaboration_choose, nomination_create
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db

NOV = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def fake_quota():
    """Replace `quota_attainment` in the registry with a table {user id: value}; restore it after."""
    values = {}
    previous = metrics.find("quota_attainment")

    def compute(scope, period):
        assert scope.owner_id == scope.user.pk  # each newcomer's own figure, as they see it
        return metrics.MetricResult(value=values.get(scope.owner_id))

    metrics.register(metrics.Metric(code="quota_attainment", name="Quota attainment", unit=metrics.PERCENT,
                                    better=metrics.UP, compute=compute))
    yield values
    if previous is not None:
        metrics.register(previous)


@pytest.fixture
def hires(org):
    org["owner"].hired_on = date(2026, 6, 1)      # 5 months
    org["teammate"].hired_on = date(2026, 1, 1)   # 10 months
    org["outsider"].hired_on = date(2025, 6, 1)   # 17 months: not a newcomer
    for key in ("owner", "teammate", "outsider"):
        org[key].save()
    return org


class TestBestNewcomer:
    def test_the_highest_attainment_among_hires_under_12_months_wins(self, hires, fake_quota):
        fake_quota.update({hires["owner"].pk: 95.0, hires["teammate"].pk: 120.5, hires["outsider"].pk: 300.0})
        award = best_newcomer_compute(by=hires["mgr"], start=NOV[0], end=NOV[1])
        assert (award.user, award.value, award.kind, award.team) == (hires["teammate"], 120.5,
                                                                     Award.Kind.BEST_NEWCOMER, None)
        assert Notification.objects.filter(recipient=hires["teammate"], kind="award").count() == 1

    def test_recomputing_updates_the_same_award(self, hires, fake_quota):
        fake_quota.update({hires["owner"].pk: 95.0, hires["teammate"].pk: 80.0})
        best_newcomer_compute(start=NOV[0], end=NOV[1])
        fake_quota[hires["teammate"].pk] = 130.0
        best_newcomer_compute(start=NOV[0], end=NOV[1])
        assert list(Award.objects.values_list("user__username", "value")) == [("teammate", 130)]

    def test_nobody_with_a_figure_means_no_award(self, hires, fake_quota):
        assert best_newcomer_compute(start=NOV[0], end=NOV[1]) is None
        assert not Award.objects.exists()

    def test_reps_cannot_compute_awards(self, hires, fake_quota):
        with pytest.raises(PermissionDenied):
            best_newcomer_compute(by=hires["owner"], start=NOV[0], end=NOV[1])

    def test_the_beat_job_computes_last_month(self, hires, fake_quota, settings):
        from teams.tasks import best_newcomer_last_month_task

        from datetime import timedelta

        from django.utils import timezone

        hires["owner"].hired_on = timezone.localdate() - timedelta(days=60)
        hires["owner"].save()
        fake_quota[hires["owner"].pk] = 50.0
        assert Award.objects.get(pk=best_newcomer_last_month_task()).user == hires["owner"]
        assert "teams-best-newcomer-daily" in settings.CELERY_BEAT_SCHEDULE


class TestCollaboration:
    def test_a_peer_nominates_and_the_manager_chooses(self, org):
        nomination = nomination_create(by=org["teammate"], nominee=org["owner"], reason="Shared notes",
                                       today=date(2026, 11, 15))
        assert (nomination.period_start, nomination.team) == (date(2026, 11, 1), org["east"])
        with pytest.raises(PermissionDenied):
            collaboration_choose(by=org["other_mgr"], nomination=nomination)
        with pytest.raises(PermissionDenied):
            collaboration_choose(by=org["owner"], nomination=nomination)
        award = collaboration_choose(by=org["mgr"], nomination=nomination)
        assert (award.user, award.team, award.chosen_by, award.reason) == (org["owner"], org["east"], org["mgr"],
                                                                           "Shared notes")

    def test_choosing_again_replaces_the_winner(self, org):
        third = UserFactory(username="third", team=org["east"])
        first = nomination_create(by=org["teammate"], nominee=org["owner"], reason="a", today=date(2026, 11, 2))
        second = nomination_create(by=org["owner"], nominee=third, reason="b", today=date(2026, 11, 3))
        collaboration_choose(by=org["mgr"], nomination=first)
        collaboration_choose(by=org["admin"], nomination=second)
        assert list(Award.objects.values_list("user__username", flat=True)) == ["third"]

    @pytest.mark.parametrize("nominee, reason", [("self", "x"), ("outsider", "x"), ("owner", "  "),
                                                 ("owner", "x" * 2001)])
    def test_bad_nominations_are_refused_and_change_nothing(self, org, nominee, reason):
        target = org["teammate"] if nominee == "self" else org[nominee]
        with pytest.raises((PermissionDenied, ValidationError)):
            nomination_create(by=org["teammate"], nominee=target, reason=reason)
        assert not Nomination.objects.exists()

    def test_a_second_nomination_in_the_month_replaces_the_first(self, org):
        third = UserFactory(username="third", team=org["east"])
        nomination_create(by=org["teammate"], nominee=org["owner"], reason="a", today=date(2026, 11, 2))
        nomination_create(by=org["teammate"], nominee=third, reason="b", today=date(2026, 11, 20))
        assert list(Nomination.objects.values_list("nominee__username", "reason")) == [("third", "b")]


class TestPages:
    def test_leaderboard_history_nominate_and_choose(self, client, org):
        Award.objects.create(kind=Award.Kind.BEST_NEWCOMER, period_start=NOV[0], period_end=NOV[1], user=org["owner"],
                             value=110)
        client.force_login(org["teammate"])
        page = client.get(reverse("teams:awards"))
        assert page.status_code == 200 and b'data-person="%d"' % org["owner"].pk in page.content
        assert b"Choose" not in page.content
        response = client.post(reverse("teams:award-nominate"), {"nominee": org["owner"].pk, "reason": "Helped me"})
        assert response.status_code == 302 and Nomination.objects.count() == 1
        bad = client.post(reverse("teams:award-nominate"), {"nominee": org["outsider"].pk, "reason": "x"})
        assert bad.status_code == 302 and Nomination.objects.count() == 1
        history = client.get(reverse("teams:award-history", args=[org["owner"].pk]))
        assert b"110" in history.content
        client.force_login(org["mgr"])
        nomination = Nomination.objects.get()
        assert b"Choose" in client.get(reverse("teams:awards")).content
        client.post(reverse("teams:award-choose", args=[nomination.pk]))
        assert Award.objects.filter(kind=Award.Kind.BEST_COLLABORATION, user=org["owner"]).exists()

    def test_another_teams_manager_cannot_choose(self, client, org):
        nomination = nomination_create(by=org["teammate"], nominee=org["owner"], reason="x")
        client.force_login(org["other_mgr"])
        assert client.post(reverse("teams:award-choose", args=[nomination.pk])).status_code == 404
        assert not Award.objects.exists()

    def test_only_managers_compute_the_best_newcomer(self, client, org, fake_quota):
        client.force_login(org["owner"])
        assert client.post(reverse("teams:award-best-newcomer")).status_code == 403
        client.force_login(org["mgr"])
        assert client.post(reverse("teams:award-best-newcomer")).status_code == 302


class TestApi:
    def test_awards_are_listed_and_filtered(self, api, org):
        Award.objects.create(kind=Award.Kind.BEST_NEWCOMER, period_start=NOV[0], period_end=NOV[1], user=org["owner"],
                             value=110)
        client = api.as_user(org["outsider"])
        body = client.get("/api/v1/awards/").json()
        assert [a["user"] for a in body["results"]] == [org["owner"].pk]
        assert client.get("/api/v1/awards/?kind=best_collaboration").json()["results"] == []
        assert client.get("/api/v1/awards/?kind=nope").status_code == 400
        assert client.get("/api/v1/awards/?user=abc").status_code == 400
        assert client.post("/api/v1/awards/", {}, format="json").status_code == 405
