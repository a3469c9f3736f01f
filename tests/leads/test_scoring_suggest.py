"""Suggested weights: the service and the task (leads.services.scoring_suggest)."""
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from leads.models import RuleSet, ScoringSuggestion
from leads.scoring_display import SEEDED_TEXTS
from leads.services import scoring_suggest as services
from leads.services.scoring import published_rule_set
from leads.tasks import scoring_suggestion_run_task
from tests.leads.suggest_data import make_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(org):
    return make_history(org["owner"])


def start(org, **kw):
    with mock.patch("leads.services.scoring_suggest.enqueue_on_commit") as queued:
        suggestion = services.suggestion_start(by=org["marketing"], base_rule_set=published_rule_set(), **kw)
    queued.assert_called_once()
    return suggestion


class TestSuggestionRun:
    def test_it_saves_a_draft_and_beats_the_default_set_on_held_out_leads(self, org, history):
        suggestion = start(org)
        done = services.suggestion_run(suggestion_id=suggestion.pk)
        assert done.status == "done", (done.error_code, done.error)
        draft = done.draft_rule_set
        assert draft.status == RuleSet.Status.DRAFT  # nobody published it
        assert [g.name for g in draft.grades.all()] == ["MQL", "SQL", "Lead"]
        assert draft.name == f"Suggested weights #{suggestion.pk}"  # seeded texts: shown translated
        assert draft.notes in SEEDED_TEXTS
        origin = [r for r in done.rules if r["field"] == "origin"]
        assert max(done.rules, key=lambda r: abs(r["points"]))["field"] == "origin"
        assert any(r["value"] == ["Partner referral"] and r["points"] > 0 for r in origin)
        base, suggested = done.figures["base"], done.figures["suggested"]
        assert base["leads"] == suggested["leads"] == done.held_out_size > 0
        assert done.train_size + done.held_out_size == done.leads_used == 400
        assert suggested["auc"] > base["auc"] + 0.2
        assert set(done.library_versions) == {"scikit-learn", "numpy"}
        assert done.finished_at and done.attempts == 1 and done.features

    def test_a_rerun_has_the_same_inputs_and_gives_the_same_figures(self, org, history):
        first = services.suggestion_run(suggestion_id=start(org, held_out_percent=30).pk)
        with mock.patch("leads.services.scoring_suggest.enqueue_on_commit"):
            again = services.suggestion_rerun(by=org["marketing"], suggestion=first)
        again = services.suggestion_run(suggestion_id=again.pk)
        assert again.rerun_of_id == first.pk and again.as_of == first.as_of
        assert again.rules == first.rules and again.grades == first.grades
        assert again.figures["suggested"] == {**first.figures["suggested"], "rule_set": again.figures["suggested"]["rule_set"]}
        assert again.figures["base"] == first.figures["base"]
        assert again.draft_rule_set_id != first.draft_rule_set_id

    def test_a_suggestion_is_claimed_at_most_once(self, org, history):
        suggestion = start(org)
        assert services.suggestion_run(suggestion_id=suggestion.pk).status == "done"
        assert services.suggestion_run(suggestion_id=suggestion.pk) is None  # finished: nothing to do
        assert RuleSet.objects.filter(name__startswith="Suggested weights").count() == 1

    def test_a_running_one_is_left_alone_until_its_worker_is_silent_too_long(self, org, history, settings):
        suggestion = start(org)
        now = timezone.now()
        ScoringSuggestion.objects.filter(pk=suggestion.pk).update(status="running", heartbeat_at=now, attempts=1)
        assert services.suggestion_run(suggestion_id=suggestion.pk, now=now) is None
        later = now + timedelta(seconds=settings.SALESOPS_SUGGEST_STALE_SECONDS + 1)
        with mock.patch("leads.services.scoring_suggest.enqueue") as queued:
            assert services.suggestions_resume_stale(now=later) == [suggestion.pk]
        queued.assert_called_once()
        done = services.suggestion_run(suggestion_id=suggestion.pk, now=later)
        assert done.status == "done" and done.attempts == 2

    def test_it_fails_with_its_reason(self, org):
        suggestion = start(org)  # no leads at all
        failed = services.suggestion_run(suggestion_id=suggestion.pk)
        assert (failed.status, failed.error_code) == ("failed", "no_leads")
        assert "No leads" in services.error_message(failed)
        assert failed.draft_rule_set is None and failed.finished_at

    def test_an_unexpected_error_fails_it_and_leaves_no_draft(self, org, history):
        suggestion = start(org)
        with mock.patch("leads.services.scoring_suggest._figures", side_effect=RuntimeError("boom")):
            failed = services.suggestion_run(suggestion_id=suggestion.pk)
        assert (failed.status, failed.error_code, failed.error) == ("failed", "error", "RuntimeError: boom")
        assert not RuleSet.objects.filter(name__startswith="Suggested weights").exists()

    def test_the_task_runs_the_service(self, org, history):
        suggestion = start(org)
        assert scoring_suggestion_run_task(suggestion.pk) == "done"


class TestSuggestionStart:
    def test_only_people_who_edit_scoring_rules_start_one(self, org):
        for user in (org["mgr"], org["owner"]):
            with pytest.raises(PermissionDenied):
                services.suggestion_start(by=user, base_rule_set=published_rule_set())

    def test_it_refuses_bad_input(self, org):
        from datetime import date

        from leads.services.scoring_quality import Segment
        base = published_rule_set()
        for kw in ({"segment": Segment(start=date(2026, 2, 1), end=date(2026, 1, 1))},
                   {"held_out_percent": 5}, {"targets": [0.5]}, {"targets": [0.3, 0.6]}):
            with pytest.raises(ValidationError):
                services.suggestion_start(by=org["marketing"], base_rule_set=base, **kw)
        assert not ScoringSuggestion.objects.exists()

    def test_it_queues_the_task_after_commit(self, org, django_capture_on_commit_callbacks):
        with mock.patch("leads.services.scoring_suggest.enqueue_on_commit") as queued:
            suggestion = services.suggestion_start(by=org["marketing"], base_rule_set=published_rule_set())
        assert queued.call_args.args == (scoring_suggestion_run_task, suggestion.pk)
        assert suggestion.status == "queued" and suggestion.max_leads == 200_000


def test_it_uses_at_most_max_leads_sampled_by_id(org, history):
    done = services.suggestion_run(suggestion_id=start(org, max_leads=150).pk)
    assert done.status == "done", done.error
    assert 100 <= done.leads_used <= 150
    assert done.figures["base"]["leads"] == done.held_out_size
