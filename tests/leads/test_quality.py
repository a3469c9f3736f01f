import pytest
from django.test import SimpleTestCase

from leads.models import Lead
from leads.quality import PROFILE_FIELDS, completeness_percent
from leads.services import lead_refresh_completeness
from tests.leads.factories import LeadFactory


class CompletenessPercentTests(SimpleTestCase):
    def test_a_full_profile_is_100(self):
        values = {field: "x" for field in PROFILE_FIELDS} | {"company_size": 10}
        self.assertEqual(completeness_percent(values), 100)

    def test_blank_and_whitespace_count_as_missing(self):
        values = {field: "x" for field in PROFILE_FIELDS} | {"phone": "   ", "job_title": "", "company_size": None}
        self.assertEqual(completeness_percent(values), 6 * 100 // 9)

    def test_zero_is_a_filled_number(self):
        self.assertEqual(completeness_percent({"company_size": 0}), 100 // 9)


@pytest.mark.django_db
class TestSetBasedCompleteness:
    def test_the_sql_expression_agrees_with_the_python_definition(self):
        leads = [
            LeadFactory(phone="", job_title="  ", company_size=None),
            LeadFactory(phone="+86 1", job_title="CTO", region="", industry=""),
            LeadFactory(phone="1", job_title="CIO"),
        ]
        Lead.objects.update(completeness=0)
        assert lead_refresh_completeness() == 3
        for lead in leads:
            lead.refresh_from_db()
            expected = completeness_percent({f: getattr(lead, f) for f in PROFILE_FIELDS})
            assert lead.completeness == expected

    def test_rerunning_writes_nothing(self):
        LeadFactory.create_batch(3)
        lead_refresh_completeness()
        assert lead_refresh_completeness() == 0
