"""Onboarding permissions: who reads a plan, who ticks and signs off; a mentor reads the mentee's records."""
from datetime import date

import pytest

from teams import predicates as p
from teams.selectors import owner_q
from teams.selectors.onboarding import onboarding_plan_queryset_for
from teams.services.onboarding import onboarding_plan_create, onboarding_plan_update
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(org):
    """`owner` is the new hire in East, mentored by `outsider` (a rep of another team)."""
    return onboarding_plan_create(by=org["mgr"], hire=org["owner"], mentor=org["outsider"], start_date=date(2026, 9, 1))


def test_a_plan_is_read_by_the_hire_the_mentor_the_manager_and_admins(org, plan):
    readers = {name for name in ("owner", "teammate", "outsider", "mgr", "other_mgr", "marketing", "admin")
               if onboarding_plan_queryset_for(user=org[name]).filter(pk=plan.pk).exists()}
    assert readers == {"owner", "outsider", "mgr", "admin"}
    assert readers == {name for name in ("owner", "teammate", "outsider", "mgr", "other_mgr", "marketing", "admin")
                       if p.can_view_onboarding_plan(org[name], plan)}


def test_a_mentor_reads_their_mentees_plan_not_others(org, plan):
    other_hire = UserFactory(username="hire2", team=org["east"])
    other = onboarding_plan_create(by=org["mgr"], hire=other_hire, mentor=org["teammate"])
    mine = onboarding_plan_queryset_for(user=org["outsider"])
    assert list(mine) == [plan] and not mine.filter(pk=other.pk).exists()


def test_the_hire_cannot_sign_off_the_mentor_and_manager_can(org, plan):
    task = plan.tasks.get(title="Product training")
    assert not p.can_sign_off_onboarding_task(org["owner"], task)
    assert p.can_sign_off_onboarding_task(org["outsider"], task)
    assert p.can_sign_off_onboarding_task(org["mgr"], task)
    assert not p.can_sign_off_onboarding_task(org["other_mgr"], task)
    assert not p.can_sign_off_onboarding_task(org["teammate"], task)


def test_only_the_hires_manager_and_admins_manage_the_plan(org, plan):
    assert [name for name in ("owner", "outsider", "mgr", "other_mgr", "admin")
            if p.can_manage_onboarding_plan(org[name], plan.hire)] == ["mgr", "admin"]


class TestMentorReadsTheMenteesRecords:
    """teams.selectors.owner_q (VIEW only): the mentor of an open plan reads the hire's leads and deals."""

    def test_the_mentor_reads_the_mentees_deals_but_may_not_change_them(self, org, plan):
        from pipeline.models import Opportunity
        from pipeline.selectors import opportunity_queryset_for
        from tests.pipeline.factories import make_opportunity

        deal = make_opportunity(owner=org["owner"])
        mentor = org["outsider"]
        assert opportunity_queryset_for(user=mentor).filter(pk=deal.pk).exists()
        assert not Opportunity.objects.filter(owner_q(user=mentor, action="change")).filter(pk=deal.pk).exists()
        assert not opportunity_queryset_for(user=org["teammate"]).filter(pk=deal.pk).exists()

    def test_the_mentor_reads_the_mentees_leads(self, org, plan):
        from leads.models import Lead
        from leads.selectors import lead_queryset_for

        lead = Lead.objects.create(name="Ada", email="ada@example.com", owner=org["owner"])
        assert lead_queryset_for(user=org["outsider"]).filter(pk=lead.pk).exists()
        assert not lead_queryset_for(user=org["other_mgr"]).filter(pk=lead.pk).exists()

    def test_closing_the_plan_ends_the_mentors_reading(self, org, plan):
        from pipeline.selectors import opportunity_queryset_for
        from tests.pipeline.factories import make_opportunity

        deal = make_opportunity(owner=org["owner"])
        onboarding_plan_update(plan=plan, by=org["mgr"], closed=True)
        assert not opportunity_queryset_for(user=org["outsider"]).filter(pk=deal.pk).exists()


class TestScopeAsValues:
    """Inside shared_reads (list pages, the board, dashboards) the scope's people and a mentor's hires
    are read once as values: the owner condition is an IN list PostgreSQL can use an owner index for
    (bench/pages.py: a manager's lead list at 1M leads), and the same records are in scope."""

    def test_a_mentor_still_reads_the_hires_records_and_others_do_not(self, org, plan):
        from leads.models import Lead
        from leads.selectors import lead_queryset_for
        from salesops.metric_tools import shared_reads

        lead = Lead.objects.create(name="Ada", email="ada@example.com", owner=org["owner"])
        with shared_reads():
            assert lead_queryset_for(user=org["outsider"]).filter(pk=lead.pk).exists()
            assert not lead_queryset_for(user=org["other_mgr"]).filter(pk=lead.pk).exists()
            assert lead_queryset_for(user=org["mgr"]).filter(pk=lead.pk).exists()

    def test_the_list_page_filters_by_owner_values_without_subqueries(self, client, org):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from leads.models import Lead

        Lead.objects.create(name="Ada", email="ada@example.com", owner=org["owner"])
        client.force_login(org["mgr"])  # no hires to mentor: the mentor term is dropped
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("leads:list"))
        assert [lead.name for lead in response.context["object_list"]] == ["Ada"]
        lead_reads = [q["sql"] for q in queries.captured_queries if 'FROM "leads_lead"' in q["sql"]]
        assert lead_reads and all("teams_onboardingplan" not in sql and "teams_team" not in sql for sql in lead_reads)

    @pytest.mark.parametrize("url", ["/api/v1/leads/", "/api/v1/leads/sync/", "/api/v1/opportunities/"])
    def test_the_api_lists_filter_by_owner_values_as_the_pages_do(self, api, org, plan, url):
        """One visibility rule for pages and API, read the same way: the API's scope is values too (a
        manager's API lead list at 1M leads: 364 ms with the subqueries, 49 ms with values)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from leads.models import Lead
        from tests.pipeline.factories import make_opportunity

        Lead.objects.create(name="Ada", email="ada@example.com", owner=org["owner"])
        Lead.objects.create(name="Bob", email="bob@example.com", owner=org["outsider"])
        make_opportunity(owner=org["owner"], name="Ada's deal")
        for user, names in ((org["mgr"], {"Ada", "Ada's deal"}), (org["outsider"], {"Ada", "Bob", "Ada's deal"}),
                            (org["other_mgr"], {"Bob"})):
            client = api.as_user(user)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            shown = {row["name"] for row in response.json()["results"]}
            assert shown == names & ({"Ada's deal"} if "opportunities" in url else {"Ada", "Bob"}), user
            reads = [q["sql"] for q in queries.captured_queries
                     if 'FROM "leads_lead"' in q["sql"] or 'FROM "pipeline_opportunity"' in q["sql"]]
            assert reads and all("teams_onboardingplan" not in sql and "teams_team" not in sql for sql in reads)
