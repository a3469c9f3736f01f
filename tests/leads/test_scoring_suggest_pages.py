"""Suggested weights pages: the button on a rule set, the form, the result page, re-run."""
from unittest import mock

import pytest
from django.urls import reverse

from leads.models import ScoringSuggestion
from leads.services import scoring_suggest as services
from leads.services.scoring import published_rule_set
from tests.leads.suggest_data import make_history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_queue():
    with mock.patch("leads.services.scoring_suggest.enqueue_on_commit") as queued:
        yield queued


def test_the_rule_set_page_offers_suggest_weights_to_those_who_edit_rules(client, org):
    base = published_rule_set()
    client.force_login(org["marketing"])
    page = client.get(reverse("leads:rule-set", args=[base.pk])).content.decode()
    assert 'data-action="suggest-weights"' in page and reverse("leads:suggestion-new", args=[base.pk]) in page
    client.force_login(org["mgr"])
    assert 'data-action="suggest-weights"' not in client.get(reverse("leads:rule-set", args=[base.pk])).content.decode()
    assert client.get(reverse("leads:suggestion-new", args=[base.pk])).status_code == 403


@pytest.mark.parametrize("data, message", [
    ({"start": "2026-02-30", "held_out_percent": 25}, "Enter the start as a date"),
    ({"start": "2026-03-01", "end": "2026-02-01", "held_out_percent": 25}, "must not be after the end"),
    ({"held_out_percent": 80}, "less than or equal to 50"),
])
def test_bad_input_is_a_clear_error(client, org, data, message):
    client.force_login(org["marketing"])
    response = client.post(reverse("leads:suggestion-new", args=[published_rule_set().pk]), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ScoringSuggestion.objects.exists()


def test_start_then_watch_then_compare_and_edit_the_draft(client, org):
    make_history(org["owner"])
    client.force_login(org["marketing"])
    response = client.post(reverse("leads:suggestion-new", args=[published_rule_set().pk]),
                           {"start": "", "end": "", "held_out_percent": 25})
    suggestion = ScoringSuggestion.objects.get()
    assert response.status_code == 302 and response.url == reverse("leads:suggestion", args=[suggestion.pk])
    waiting = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in waiting and 'data-suggestion-status="queued"' in waiting
    services.suggestion_run(suggestion_id=suggestion.pk)
    suggestion.refresh_from_db()
    page = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert f'{suggestion.figures["suggested"]["auc"]:.3f}' in page and "suggestion-lift-data" in page
    assert reverse("leads:rule-set-edit", args=[suggestion.draft_rule_set_id]) in page
    assert "Origin is one of Partner referral" in page
    assert page.count("<tr data-decile=") == 10
    rerun = client.post(reverse("leads:suggestion-rerun", args=[suggestion.pk]))
    again = ScoringSuggestion.objects.exclude(pk=suggestion.pk).get()
    assert rerun.status_code == 302 and again.rerun_of_id == suggestion.pk


def test_the_pages_render_in_chinese(client, org):
    make_history(org["owner"], n=120)
    suggestion = services.suggestion_start(by=org["marketing"], base_rule_set=published_rule_set())
    services.suggestion_run(suggestion_id=suggestion.pk)
    client.force_login(org["marketing"])
    for url in (reverse("leads:suggestion", args=[suggestion.pk]),
                reverse("leads:suggestion-new", args=[published_rule_set().pk])):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = response.content.decode()
        assert response.status_code == 200 and 'lang="zh-hans"' in html
        assert "建议权重" in html and "Suggested weights" not in html  # (catalogue: /work/notes/w1_zh.po)


def test_a_failed_suggestion_shows_its_reason(client, org):
    suggestion = services.suggestion_start(by=org["marketing"], base_rule_set=published_rule_set())
    services.suggestion_run(suggestion_id=suggestion.pk)
    client.force_login(org["marketing"])
    page = client.get(reverse("leads:suggestion", args=[suggestion.pk])).content.decode()
    assert 'data-suggestion-error="no_leads"' in page and "No leads in this period" in page


def test_others_get_403_and_unknown_ids_404(client, org):
    client.force_login(org["owner"])
    assert client.get(reverse("leads:suggestion", args=[1])).status_code == 403
    client.force_login(org["marketing"])
    assert client.get(reverse("leads:suggestion", args=[999])).status_code == 404
    assert client.get(reverse("leads:suggestion-new", args=[999])).status_code == 404


def test_the_admin_shows_suggestions_read_only(client, org):
    suggestion = services.suggestion_start(by=org["marketing"], base_rule_set=published_rule_set())
    client.force_login(org["admin"])
    assert client.get(reverse("admin:leads_scoringsuggestion_changelist")).status_code == 200
    page = client.get(reverse("admin:leads_scoringsuggestion_change", args=[suggestion.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:leads_scoringsuggestion_add")).status_code == 403
