from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Lead
from pipeline.models import Opportunity
from tests.customers.factories import AccountFactory
from tests.leads.factories import LeadFactory

from .factories import make_opportunity, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(org):
    return make_opportunity(owner=org["owner"], name="Acme rollout")


def login(client, user):
    client.force_login(user)
    return client


def test_rep_cannot_see_or_move_another_reps_deal(client, org, deal):
    login(client, org["teammate"])
    assert client.get(reverse("pipeline:detail", args=[deal.pk])).status_code == 404
    assert "Acme rollout" not in client.get(reverse("pipeline:list")).content.decode()
    assert "Acme rollout" not in client.get(reverse("pipeline:board")).content.decode()
    response = client.post(reverse("pipeline:transition", args=[deal.pk]), {"stage": stage("needs_confirmed").pk})
    assert response.status_code == 404
    deal.refresh_from_db()
    assert deal.stage.code == "lead_identified"


def test_manager_sees_and_moves_the_teams_deals_other_managers_do_not(client, org, deal):
    login(client, org["other_mgr"])
    assert client.get(reverse("pipeline:detail", args=[deal.pk])).status_code == 404
    login(client, org["mgr"])
    assert client.get(reverse("pipeline:detail", args=[deal.pk])).status_code == 200
    client.post(reverse("pipeline:transition", args=[deal.pk]), {"stage": stage("needs_confirmed").pk})
    deal.refresh_from_db()
    assert deal.stage.code == "needs_confirmed"


def test_a_refused_move_shows_every_unmet_criterion(client, org, deal):
    login(client, org["owner"])
    url = reverse("pipeline:transition", args=[deal.pk])
    client.post(url, {"stage": stage("needs_confirmed").pk})
    response = client.post(url, {"stage": stage("solution_demo").pk, "next": reverse("pipeline:board")}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("pipeline:board")
    assert "cannot move to" in html and "“Confirmed needs” must be filled in." in html


def test_a_stale_board_gets_a_conflict_message(client, org, deal):
    login(client, org["owner"])
    url = reverse("pipeline:transition", args=[deal.pk])
    client.post(url, {"stage": stage("needs_confirmed").pk, "version": deal.version})
    response = client.post(url, {"stage": stage("closed_lost").pk, "version": deal.version}, follow=True)
    assert "changed by someone else" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage.code == "needs_confirmed"


def test_detail_page_shows_history_checklist_spin_and_battlecards(client, org, deal):
    from .factories import competitor
    deal.competitors.add(competitor())
    login(client, org["owner"])
    html = client.get(reverse("pipeline:detail", args=[deal.pk])).content.decode()
    for part in ('id="history"', 'id="checklist"', 'id="spin"', "Rival Corp", "We are faster",
                 "What systems and processes"):
        assert part in html


def test_chinese_stage_names(client, org, deal):
    login(client, org["owner"])
    html = client.get(reverse("pipeline:board"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "线索识别" in html and "商务谈判" in html


def test_checklist_tick_and_untick(client, org, deal):
    from pipeline.models import ChecklistItem
    item = ChecklistItem.objects.get(code="budget_confirmed")
    login(client, org["owner"])
    url = reverse("pipeline:checklist-tick", args=[deal.pk, item.pk])
    client.post(url, {"ticked": "1"})
    assert deal.checklist_ticks.filter(item=item).exists()
    client.post(url, {"ticked": "0"})
    assert not deal.checklist_ticks.exists()


def test_create_and_edit_cannot_change_the_stage(client, org):
    account = AccountFactory(owner=org["owner"])
    login(client, org["owner"])
    response = client.post(reverse("pipeline:create"), {
        "name": "New deal", "account": account.pk, "owner": org["owner"].pk, "amount": "100", "currency": "CNY",
        "discount_percent": "0", "forecast_category": "pipeline", "stage": stage("closed_won").pk})
    opp = Opportunity.objects.get(name="New deal")
    assert response.status_code == 302 and opp.stage.code == "lead_identified"
    response = client.post(reverse("pipeline:edit", args=[opp.pk]), {
        "name": "Renamed", "account": account.pk, "owner": org["owner"].pk, "amount": "100", "currency": "CNY",
        "discount_percent": "0", "forecast_category": "pipeline", "stage": stage("closed_won").pk,
        "version": opp.version})
    opp.refresh_from_db()
    assert response.status_code == 302 and (opp.name, opp.stage.code) == ("Renamed", "lead_identified")


def test_convert_lead_from_the_lead_page(client, org):
    lead = LeadFactory(owner=org["owner"], status=Lead.Status.QUALIFIED, company="Globex")
    login(client, org["owner"])
    assert reverse("pipeline:lead-convert", args=[lead.pk]) in client.get(
        reverse("leads:detail", args=[lead.pk])).content.decode()
    response = client.post(reverse("pipeline:lead-convert", args=[lead.pk]), {"opportunity_name": "Globex CRM",
                                                                              "amount": "500"})
    opp = Opportunity.objects.get(lead=lead)
    assert response.status_code == 302 and opp.name == "Globex CRM"
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED


def test_log_a_meeting_from_the_opportunity_page(client, org, deal):
    login(client, org["owner"])
    client.post(reverse("pipeline:activity-log", args=[deal.pk]),
                {"kind": "meeting", "occurred_at": "2026-01-05T10:00", "summary": "Demo done"})
    assert deal.activity_links.filter(activity__kind="meeting").exists()  # linked by pipeline


def test_invalid_filters_do_not_crash(client, org, deal):
    login(client, org["owner"])
    for query in ("?min_amount=abc", "?owner=-1", "?stage=999999", "?close_after=notadate",
                  "?min_amount=1e400", "?team=99999999999999999999"):
        assert client.get(reverse("pipeline:list") + query).status_code == 200
        assert client.get(reverse("pipeline:board") + query).status_code == 200


def _make_deals(org, n):
    for i in range(n):
        owner = org["owner"] if i % 2 else org["teammate"]
        opp = make_opportunity(owner=owner, amount=Decimal(100 + i))
        if i % 3 == 0:
            from pipeline.services import opportunity_transition
            opportunity_transition(opportunity=opp, to_stage=stage("needs_confirmed"), by=owner)


@pytest.mark.parametrize("url_name", ["pipeline:board", "pipeline:list"])
def test_board_and_list_use_a_constant_number_of_queries(client, org, url_name):
    login(client, org["mgr"])
    counts = []
    for n in (2, 12):
        _make_deals(org, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_board_columns_show_count_and_amount(client, org):
    make_opportunity(owner=org["owner"], amount=Decimal("100"))
    make_opportunity(owner=org["owner"], amount=Decimal("250"))
    login(client, org["owner"])
    html = client.get(reverse("pipeline:board")).content.decode()
    assert 'data-count="2"' in html and 'data-amount="350' in html
