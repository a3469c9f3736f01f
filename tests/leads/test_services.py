from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from leads.models import Lead
from leads.services import lead_create, lead_update
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


class TestLeadCreate:
    def test_it_defaults_the_owner_to_the_creator_and_computes_completeness(self, org, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            lead = lead_create(by=org["owner"], name="Ada", email="ada@example.com", company="Acme")
        lead.refresh_from_db()
        assert lead.owner == org["owner"]
        assert lead.completeness == 4 * 100 // 9  # name, email, company, source

    def test_it_queues_the_completeness_task_after_commit(self, org, django_capture_on_commit_callbacks):
        with mock.patch("leads.services.core.lead_refresh_completeness_task") as task, \
                django_capture_on_commit_callbacks(execute=True):
            lead = lead_create(by=org["owner"], name="Ada", email="ada@example.com")
        task.apply_async.assert_called_once_with(args=(lead.pk,), kwargs={}, retry=False, ignore_result=True)

    def test_duplicate_emails_are_refused_case_insensitively(self, org):
        LeadFactory(email="ada@example.com")
        with pytest.raises(ValidationError) as info:
            lead_create(by=org["owner"], name="Ada", email="ADA@example.com")
        assert "email" in info.value.message_dict
        assert Lead.objects.count() == 1

    def test_negative_company_size_is_refused_and_nothing_saved(self, org):
        with pytest.raises(ValidationError) as info:
            lead_create(by=org["owner"], name="Ada", email="ada@example.com", company_size=-5)
        assert "company_size" in info.value.message_dict
        assert not Lead.objects.exists()

    def test_unknown_fields_are_refused(self, org):
        with pytest.raises(ValidationError):
            lead_create(by=org["owner"], name="Ada", email="ada@example.com", score=99)


class TestLeadUpdate:
    def test_it_saves_changes_and_refreshes_completeness(self, org, django_capture_on_commit_callbacks):
        lead = LeadFactory(owner=org["owner"], phone="", job_title="")
        with django_capture_on_commit_callbacks(execute=True):
            lead_update(lead=lead, by=org["owner"], phone="123", job_title="CTO")
        lead.refresh_from_db()
        assert (lead.phone, lead.job_title, lead.completeness) == ("123", "CTO", 100)

    def test_a_rep_cannot_hand_a_lead_to_another_rep(self, org):
        lead = LeadFactory(owner=org["owner"])
        with pytest.raises(ValidationError):
            lead_update(lead=lead, by=org["owner"], owner=org["teammate"])
        assert Lead.objects.get(pk=lead.pk).owner == org["owner"]
