"""Forecast with provenance: the learnt model, weighted pipeline, snapshots, accuracy, page and API."""
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pipeline import services
from pipeline.selectors import metrics
from pipeline.models import ForecastSnapshot, Opportunity, StageWinRate
from pipeline.tasks import forecast_model_recompute_task, forecast_snapshot_task

from .factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


def close(opp, code, *, at=None):
    return services.opportunity_import_stage(opportunity=opp, to_stage=stage(code), at=at)


def history(owner, *, won, lost, via="needs_confirmed"):
    """`won` + `lost` closed deals of `owner` that passed through `via` first."""
    for i in range(won + lost):
        opp = make_opportunity(owner=owner)
        services.opportunity_import_stage(opportunity=opp, to_stage=stage(via))
        close(opp, "closed_won" if i < won else "closed_lost")


class TestModelProbability:
    def test_it_learns_the_win_rate_per_team_and_stage_from_closed_deals(self, org):
        history(org["owner"], won=6, lost=4)
        open_deal = make_opportunity(owner=org["teammate"])
        services.forecast_model_recompute(min_samples=5)
        east = {r.stage.code: r for r in StageWinRate.objects.filter(team=org["east"]).select_related("stage")}
        assert (east["needs_confirmed"].closed_deals, east["needs_confirmed"].won_deals) == (10, 6)
        assert east["needs_confirmed"].probability == 60
        # lost deals stopped at needs_confirmed; won deals passed every stage
        assert (east["solution_demo"].closed_deals, east["solution_demo"].probability) == (6, 100)
        open_deal.refresh_from_db()
        assert open_deal.model_probability == 60  # lead_identified: all 10 closed deals reached it
        assert open_deal.stage_probability == stage("lead_identified").probability  # kept apart

    def test_a_team_without_history_uses_the_organisation_rate(self, org):
        history(org["owner"], won=3, lost=7)
        west_deal = make_opportunity(owner=org["outsider"])
        services.forecast_model_recompute(min_samples=5)
        west_deal.refresh_from_db()
        assert west_deal.model_probability == 30

    def test_recompute_is_idempotent(self, org):
        history(org["owner"], won=5, lost=5)
        make_opportunity(owner=org["owner"])
        assert services.forecast_model_recompute(min_samples=5) == 1
        assert services.forecast_model_recompute(min_samples=5) == 0

    def test_a_move_takes_the_new_stages_rate_and_rep_probability_is_untouched(self, org):
        history(org["owner"], won=5, lost=5)
        services.forecast_model_recompute(min_samples=5)
        deal = make_opportunity(owner=org["owner"], confirmed_needs="ERP", rep_probability=90)
        deal = services.opportunity_transition(opportunity=deal, to_stage=stage("needs_confirmed"), by=org["owner"])
        assert deal.model_probability == 50
        assert deal.rep_probability == 90

    def test_closing_a_deal_queues_a_recompute_after_commit(self, org, django_capture_on_commit_callbacks):
        deal = make_opportunity(owner=org["owner"])
        with mock.patch("pipeline.services.transitions.forecast_model_recompute_task") as task, \
                django_capture_on_commit_callbacks(execute=True):
            close(deal, "closed_won")
        task.apply_async.assert_called_once_with(args=(), kwargs={}, retry=False, ignore_result=True)

    def test_the_nightly_task_calls_the_service(self, org):
        with mock.patch("pipeline.services.forecast_model_recompute", return_value=3) as service:
            assert forecast_model_recompute_task() == 3
        service.assert_called_once_with()


def quarter():
    from pipeline.forecasting import period_bounds
    return period_bounds("quarter", timezone.localdate())


class TestForecastFigures:
    def test_weighted_uses_rep_then_model_then_stage(self, org):
        start, end = quarter()
        make_opportunity(owner=org["owner"], amount=Decimal("1000"), expected_close_date=end, rep_probability=80)
        model = make_opportunity(owner=org["owner"], amount=Decimal("1000"), expected_close_date=end)
        Opportunity.objects.filter(pk=model.pk).update(model_probability=30)
        make_opportunity(owner=org["owner"], amount=Decimal("1000"), expected_close_date=end)  # stage 10%
        make_opportunity(owner=org["owner"], amount=Decimal("5000"), expected_close_date=end + timedelta(days=1))
        figures = metrics.forecast_figures(queryset=Opportunity.objects.all(), start=start, end=end)
        total = figures["totals"]["CNY"].as_dict()
        assert total["weighted"] == Decimal("1200.00")
        assert total["pipeline"] == Decimal("3000.00")
        assert total["deals"] == 3

    def test_categories_and_won_roll_up_per_rep_and_team(self, org):
        start, end = quarter()
        make_opportunity(owner=org["owner"], amount=Decimal("100"), expected_close_date=end, forecast_category="commit")
        make_opportunity(owner=org["teammate"], amount=Decimal("200"), expected_close_date=end,
                         forecast_category="best_case")
        won = make_opportunity(owner=org["owner"], amount=Decimal("50"), expected_close_date=end)
        close(won, "closed_won")
        figures = metrics.forecast_figures(queryset=Opportunity.objects.all(), start=start, end=end)
        owner = figures["reps"][(org["owner"].pk, "CNY")].as_dict()
        assert (owner["won"], owner["commit"], owner["best_case"]) == (Decimal("50"), Decimal("150"), Decimal("150"))
        team = figures["teams"][(org["east"].pk, "CNY")].as_dict()
        assert (team["commit"], team["best_case"], team["pipeline"]) == (Decimal("150"), Decimal("350"), Decimal("300"))


class TestSnapshotsAndAccuracy:
    def test_snapshot_stores_rep_team_and_total_rows_and_is_idempotent_per_day(self, org):
        start, end = quarter()
        make_opportunity(owner=org["owner"], amount=Decimal("100"), expected_close_date=end)
        day = timezone.localdate()
        first = services.forecast_snapshot_take(day=day)
        assert services.forecast_snapshot_take(day=day) == first
        assert ForecastSnapshot.objects.filter(taken_on=day).count() == first
        keys = set(ForecastSnapshot.objects.filter(period_kind="quarter").values_list("scope_key", flat=True))
        assert keys == {f"rep:{org['owner'].pk}", f"team:{org['east'].pk}", "all"}

    def test_the_weekly_task_calls_the_service(self, org):
        with mock.patch("pipeline.services.forecast_snapshot_take", return_value=4) as service:
            assert forecast_snapshot_task() == 4
        service.assert_called_once_with()

    def test_accuracy_compares_the_first_snapshot_of_the_period_with_what_was_won(self, org):
        today = timezone.localdate()
        from pipeline.forecasting import previous_periods
        start, end = previous_periods("month", today, 1)[0]
        deal = make_opportunity(owner=org["owner"], amount=Decimal("800"), expected_close_date=end,
                                created_at=metrics.day_start(start) - timedelta(days=10))
        services.forecast_snapshot_take(day=start)  # as if taken on the period's first day
        ForecastSnapshot.objects.filter(taken_on=start, scope_key=f"rep:{org['owner'].pk}", period_kind="month") \
            .update(weighted=Decimal("1000"))
        services.forecast_snapshot_take(day=start + timedelta(days=7))  # a later one is not "at the start"
        close(deal, "closed_won", at=metrics.day_start(start) + timedelta(days=3))
        rows = metrics.forecast_accuracy(user=org["admin"], queryset=Opportunity.objects.all(), kind="month", day=today,
                                         periods=1)
        rep = next(r for r in rows if r["key"] == f"rep:{org['owner'].pk}")
        assert (rep["forecast"], rep["actual"], rep["taken_on"]) == (Decimal("1000.00"), Decimal("800.00"), start)
        assert rep["accuracy_percent"] == Decimal("80.0")
        # a rep sees only their own rows; the outsider none of East's
        assert {r["key"] for r in metrics.forecast_accuracy(user=org["owner"], queryset=Opportunity.objects.all(),
                                                            kind="month", day=today, periods=1)} == {rep["key"]}
        assert metrics.forecast_accuracy(user=org["outsider"], queryset=Opportunity.objects.none(), kind="month",
                                         day=today, periods=1) == []


class TestForecastPage:
    def test_it_shows_the_three_probabilities_of_own_deals_only(self, client, org):
        start, end = quarter()
        mine = make_opportunity(owner=org["owner"], name="Mine", expected_close_date=end, rep_probability=70)
        make_opportunity(owner=org["outsider"], name="Theirs", expected_close_date=end)
        client.force_login(org["owner"])
        html = client.get(reverse("pipeline:forecast")).content.decode()
        assert f'data-opportunity="{mine.pk}"' in html and 'data-chosen="70"' in html
        assert "Theirs" not in html

    def test_bad_filters_are_ignored_with_a_message(self, client, org):
        client.force_login(org["owner"])
        response = client.get(reverse("pipeline:forecast"), {"date": "not-a-date", "period": "decade"})
        assert response.status_code == 200
        assert "were not valid" in response.content.decode()

    def test_it_uses_a_constant_number_of_queries(self, client, org):
        client.force_login(org["mgr"])
        start, end = quarter()
        counts = []
        for n in (2, 12):
            for i in range(n):
                owner = org["owner"] if i % 2 else org["teammate"]
                opp = make_opportunity(owner=owner, expected_close_date=end, amount=Decimal(100 + i))
                if i % 3 == 0:
                    close(opp, "closed_won")
            services.forecast_snapshot_take(day=start)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("pipeline:forecast"), {"period": "month"}).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1]


class TestForecastApi:
    url = "/api/v1/forecast/"

    def test_it_needs_authentication(self, api):
        assert api.get(self.url).status_code == 401
        assert api.get(self.url + "accuracy/").status_code == 401

    def test_rep_sees_own_figures_manager_the_team(self, api, org):
        start, end = quarter()
        make_opportunity(owner=org["owner"], amount=Decimal("100"), expected_close_date=end, forecast_category="commit")
        make_opportunity(owner=org["teammate"], amount=Decimal("300"), expected_close_date=end)
        body = api.as_user(org["owner"]).get(self.url).json()
        assert body["totals"] == [{"currency": "CNY", "deals": 1, "won": "0.00", "commit": "100.00",
                                   "best_case": "100.00", "pipeline": "100.00", "weighted": "10.00"}]
        assert body["teams"] == [] and [r["id"] for r in body["reps"]] == [org["owner"].pk]
        body = api.as_user(org["mgr"]).get(self.url).json()
        assert body["totals"][0]["pipeline"] == "400.00" and body["teams"][0]["id"] == org["east"].pk
        assert api.as_user(org["other_mgr"]).get(self.url).json()["totals"][0]["pipeline"] == "0.00"
        assert api.as_user(org["mgr"]).get(self.url, {"owner": org["teammate"].pk}).json()["totals"][0]["pipeline"] == "300.00"

    @pytest.mark.parametrize("params", [{"period": "year"}, {"date": "2024-02-30"}, {"team": "x"}, {"owner": "-1"},
                                        {"periods": "0"}, {"periods": "1000"}])
    def test_bad_input_is_a_400(self, api, org, params):
        url = self.url + "accuracy/" if "periods" in params else self.url
        response = api.as_user(org["owner"]).get(url, params)
        assert response.status_code == 400
        assert set(response.json()) <= set(params) | {"non_field_errors", "code", "codes"}  # codes: salesops.api

    def test_accuracy_lists_past_periods(self, api, org):
        response = api.as_user(org["admin"]).get(self.url + "accuracy/", {"period": "month", "periods": 2})
        assert response.status_code == 200 and response.json() == {"period": "month", "results": []}

    def test_the_owner_sets_their_own_probability_but_not_the_models(self, api, org):
        deal = make_opportunity(owner=org["owner"])
        client = api.as_user(org["owner"])
        response = client.patch(f"/api/v1/opportunities/{deal.pk}/", {"rep_probability": 65, "model_probability": 99},
                                format="json")
        assert response.status_code == 200
        deal.refresh_from_db()
        assert (deal.rep_probability, deal.model_probability) == (65, None)
        assert client.patch(f"/api/v1/opportunities/{deal.pk}/", {"rep_probability": 101},
                            format="json").status_code == 400
        outsider = api.as_user(org["outsider"])
        assert outsider.patch(f"/api/v1/opportunities/{deal.pk}/", {"rep_probability": 5},
                              format="json").status_code == 404


class TestAccuracyScope:
    """The `team` / `owner` filters of forecast accuracy narrow inside the user's scope, never beyond it."""

    url = "/api/v1/forecast/accuracy/"

    @pytest.fixture
    def snapshots(self, org):
        from pipeline.forecasting import previous_periods
        start, end = previous_periods("month", timezone.localdate(), 1)[0]
        for rep in (org["owner"], org["outsider"]):
            make_opportunity(owner=rep, amount=Decimal("500"), expected_close_date=end,
                             created_at=metrics.day_start(start) - timedelta(days=5))
        services.forecast_snapshot_take(day=start)
        return start

    def keys(self, client, **params):
        response = client.get(self.url, {"period": "month", "periods": 1, **params})
        assert response.status_code == 200
        return {row["key"] for row in response.json()["results"]}

    def test_a_manager_filtering_another_team_gets_nothing(self, api, org, snapshots):
        client = api.as_user(org["mgr"])
        assert self.keys(client, team=org["west"].pk) == set()
        assert self.keys(client, owner=org["outsider"].pk) == set()
        assert self.keys(client, team=org["east"].pk) == {f"rep:{org['owner'].pk}", f"team:{org['east'].pk}"}
        assert self.keys(client) == {f"rep:{org['owner'].pk}", f"team:{org['east'].pk}"}

    def test_an_admins_team_filter_holds_only_that_teams_reps(self, api, org, snapshots):
        client = api.as_user(org["admin"])
        assert self.keys(client, team=org["east"].pk) == {f"rep:{org['owner'].pk}", f"team:{org['east'].pk}"}
        assert self.keys(client, team=org["west"].pk) == {f"rep:{org['outsider'].pk}", f"team:{org['west'].pk}"}

    def test_the_forecast_page_filter_is_scoped_too(self, client, org, snapshots):
        client.force_login(org["mgr"])
        html = client.get(reverse("pipeline:forecast"), {"period": "month", "team": org["west"].pk}).content.decode()
        assert f'data-key="rep:{org["outsider"].pk}"' not in html
        assert f'data-key="rep:{org["owner"].pk}"' not in html
