"""Integrity races answer 409 with a message (never a 500), and the loser changes nothing.

The clash is put between the service's check and its write by patching, so the tests are
deterministic on SQLite and PostgreSQL; the real two-transaction race is run on PostgreSQL."""
import threading
from unittest import mock

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from leads.models import Lead, RuleSet
from leads.services.core import lead_create
from leads.services.scoring import rule_set_create_draft, rule_set_publish
from salesops.api import exception_handler
from salesops.errors import ConflictError
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def checks_pass_anyway():
    """The moment between check and insert: the other request's row is not there yet."""
    return mock.patch("leads.services.core._check_unique_email"), mock.patch.object(Lead, "validate_constraints")


class TestTwoLeadsWithOneEmail:
    def test_the_second_insert_is_a_conflict_error(self, org):
        LeadFactory(email="ada@example.com", owner=org["owner"])
        patch_check, patch_constraints = checks_pass_anyway()
        with patch_check, patch_constraints, pytest.raises(ConflictError) as caught:
            lead_create(by=org["owner"], name="Ada", email="ADA@example.com")
        assert caught.value.messages == ["A lead with this email was saved by someone else at the same time."]
        assert Lead.objects.filter(email__iexact="ada@example.com").count() == 1

    def test_the_api_answers_409_with_the_message(self, api, org):
        LeadFactory(email="ada@example.com", owner=org["owner"])
        patch_check, patch_constraints = checks_pass_anyway()
        with patch_check, patch_constraints:
            response = api.as_user(org["owner"]).post("/api/v1/leads/", {"name": "Ada", "email": "ada@example.com"},
                                                      format="json")
        assert response.status_code == 409
        assert response.json() == {"detail": "A lead with this email was saved by someone else at the same time.",
                                   "code": "conflict"}
        assert Lead.objects.count() == 1


class TestTwoDraftsPublishedAtOnce:
    def test_only_one_wins_and_the_other_is_a_409(self, api, org):
        first = rule_set_create_draft(by=org["marketing"], name="A", copy_from=RuleSet.objects.get(status="published"))
        second = rule_set_create_draft(by=org["marketing"], name="B", copy_from=first)
        client, real_now = api.as_user(org["marketing"]), timezone.now

        def first_commits_meanwhile():
            # Once `second` has archived what it saw as published, `first` is published before it saves.
            if not RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).exists():
                RuleSet.objects.filter(pk=first.pk).update(status=RuleSet.Status.PUBLISHED)
            return real_now()

        with mock.patch("django.utils.timezone.now", side_effect=first_commits_meanwhile):
            response = client.post(f"/api/v1/scoring/rule-sets/{second.pk}/publish/")
        assert response.status_code == 409
        assert response.json()["detail"] == "Another rule set was published at the same time; reload to see it."
        # (the simulated concurrent publish ran inside this request's transaction, so it rolled back too)
        assert RuleSet.objects.filter(status="published").count() == 1
        second.refresh_from_db()
        assert second.status == RuleSet.Status.DRAFT


def test_any_other_integrity_error_in_the_api_is_a_409():
    response = exception_handler(IntegrityError("duplicate key"), {})
    assert response.status_code == 409
    assert "at the same time" in response.data["detail"]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises whole-database writes, so two writers never overlap")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_publishes_on_postgresql_leave_one_published_set(org):
    drafts = [rule_set_create_draft(by=org["marketing"], name=name,
                                    copy_from=RuleSet.objects.get(status="published")) for name in "AB"]
    barrier, outcomes = threading.Barrier(2), []

    def publish(draft):
        try:
            barrier.wait()
            rule_set_publish(rule_set=draft, by=org["marketing"])
            outcomes.append("published")
        except ConflictError:
            outcomes.append("conflict")
        except Exception as exc:  # noqa: BLE001 - recorded: the assertion below names it
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (["conflict", "published"], ["published", "published"])
    assert RuleSet.objects.filter(status="published").count() == 1
