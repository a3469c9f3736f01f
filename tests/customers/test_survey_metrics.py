"""The nps, csat and survey_response_rate metrics: hand-counted values per scope, breakdowns, and
drill-down links that list exactly the records counted."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from customers.models import SurveyInvitation
from customers.services import survey_answer, survey_send
from salesops import metrics
from salesops.metrics import Period, Scope
from tests.customers.factories import AccountFactory, ContactFactory, SurveyFactory, SurveyResponseFactory
from tests.dashboards.test_metric_registry import listed_count

pytestmark = pytest.mark.django_db
CODES = ("nps", "csat", "survey_response_rate")


def period():
    today = timezone.localdate()
    return Period(today - timedelta(days=90), today)


@pytest.fixture
def world(org):
    """East (owner): NPS 10, 9, 5 and CSAT 5, 2; West (outsider): NPS 0, CSAT 4; one NPS 10 before the period.
    Invitations: East 3 sent (1 answered), West 1 sent (unanswered)."""
    nps, csat = SurveyFactory(), SurveyFactory(kind="csat")
    east, west = AccountFactory(owner=org["owner"]), AccountFactory(owner=org["outsider"])
    for survey, account, score in ((nps, east, 10), (nps, east, 9), (nps, east, 5), (csat, east, 5),
                                   (csat, east, 2), (nps, west, 0), (csat, west, 4)):
        SurveyResponseFactory(survey=survey, account=account, score=score)
    SurveyResponseFactory(survey=nps, account=east, score=10, responded_at=timezone.now() - timedelta(days=200))
    sent = survey_send(survey=nps, contact_ids=[ContactFactory(account=east).pk for _ in range(3)],
                       by=org["admin"], deliver=False)
    survey_send(survey=nps, contact_ids=[ContactFactory(account=west).pk], by=org["admin"], deliver=False)
    survey_answer(token=sent.invitations[0].token, score=8)  # a passive, counted in the NPS too
    return org


EXPECTED = {
    # admin: NPS answers 10, 9, 5, 0, 8 -> 2 promoters, 1 passive, 2 detractors of 5 = 0.0;
    #        CSAT 5, 2, 4 -> 2 of 3 = 66.7; invitations 1 of 4 answered = 25.0
    "admin": {"nps": (0.0, 5), "csat": (66.7, 3), "survey_response_rate": (25.0, 4)},
    # East's manager: NPS 10, 9, 5, 8 -> (2 − 1) / 4 = 25.0; CSAT 5, 2 -> 50.0; invitations 1 of 3
    "mgr": {"nps": (25.0, 4), "csat": (50.0, 2), "survey_response_rate": (33.3, 3)},
    "owner": {"nps": (25.0, 4), "csat": (50.0, 2), "survey_response_rate": (33.3, 3)},
    "outsider": {"nps": (-100.0, 1), "csat": (100.0, 1), "survey_response_rate": (0.0, 1)},
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_values_counted_by_hand(world, who):
    for code in CODES:
        result = metrics.get(code).compute(Scope(user=world[who]), period())
        assert (result.value, result.count) == EXPECTED[who][code], code


def test_nps_extra_carries_the_counts_and_response_rate(world):
    extra = metrics.get("nps").compute(Scope(user=world["admin"]), period()).extra
    assert {k: extra[k] for k in ("promoters", "passives", "detractors", "responses")} == {
        "promoters": 2, "passives": 1, "detractors": 2, "responses": 5}
    assert (extra["invitations_sent"], extra["invitations_answered"], extra["response_rate"]) == (4, 1, 25.0)


def test_team_and_rep_narrow_within_what_the_viewer_sees(world):
    east, west = world["east"].pk, world["west"].pk
    assert metrics.get("nps").compute(Scope(user=world["admin"], team_id=west), period()).value == -100.0
    assert metrics.get("nps").compute(Scope(user=world["admin"], owner_id=world["owner"].pk), period()).value == 25.0
    assert metrics.get("nps").compute(Scope(user=world["mgr"], team_id=west), period()).count == 0
    rows = {r.key: (r.value, r.count) for r in metrics.get("nps").breakdown(Scope(user=world["admin"]), period(), "team")}
    assert rows == {str(east): (25.0, 4), str(west): (-100.0, 1)}


@pytest.mark.parametrize("who", ["admin", "mgr", "owner"])
def test_drilldowns_list_exactly_the_records_counted(world, who):
    client = Client()
    client.force_login(world[who])
    scope = Scope(user=world[who])
    for code in CODES:
        m = metrics.get(code)
        records = m.records(scope, period())
        assert listed_count(client, m.drilldown_url(scope, period())) == records.count(), code
        for group_by in m.group_by:
            for row in m.breakdown(scope, period(), group_by):
                keyed = m.records(scope, period(), group_by=group_by, key=row.key)
                url = m.drilldown_url(scope, period(), group_by=group_by, key=row.key)
                assert listed_count(client, url) == keyed.count(), (code, group_by, row)


def test_the_response_rate_counts_only_invitations_that_were_mailed(world):
    SurveyInvitation.objects.filter(answered_at__isnull=True).update(sent_at=None, status="failed")
    result = metrics.get("survey_response_rate").compute(Scope(user=world["admin"]), period())
    assert (result.value, result.count) == (100.0, 1)
