"""Marketing edits a rule in the admin, backtests and publishes; the rep gets the new MQL with its breakdown."""
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import EventType, LeadEvent, RoutingRule, RuleSet
from leads.services.scoring import lead_rescore, rule_set_create_draft
from teams.models import User
from tests.browser.conftest import login
from tests.leads.factories import LeadFactory
from tests.teams.factories import TeamFactory, TerritoryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(db):
    east = TerritoryFactory(name="East", regions=["east"])
    team = TeamFactory(name="East team")
    rep = UserFactory(username="rep.east", password="pw-for-tests-1", first_name="Li", last_name="Wei",
                      team=team, territory=east)
    UserFactory(username="mkt", password="pw-for-tests-1", role=User.Role.MARKETING, is_staff=True)
    RoutingRule.objects.create(name="East", territory=east, team=team, priority=1)
    lead = LeadFactory(name="Grace Hopper", email="grace@example.com", owner=None, industry="finance",
                       company_size=600, region="east")
    types = {t.code: t for t in EventType.objects.all()}
    for code in ("whitepaper_download", "pricing_page_visit"):
        LeadEvent.objects.create(lead=lead, event_type=types[code], occurred_at=timezone.now() - timedelta(days=2))
    lead_rescore(lead_id=lead.pk, reason="event")
    lead.refresh_from_db()
    assert (lead.score, lead.grade, lead.owner) == (45, "SQL", None)
    draft = rule_set_create_draft(by=None, name="Mid-market push", copy_from=RuleSet.objects.get(status="published"))
    return {"rep": rep, "lead": lead, "draft": draft}


def test_marketing_tunes_a_rule_and_the_rep_receives_the_new_mql(browser, live_server, setting):
    marketing = browser.new_context(base_url=live_server.url)
    page = marketing.new_page()
    page.set_default_timeout(30_000)
    login(page, "mkt", "pw-for-tests-1")
    draft = setting["draft"]
    page.goto(f"/admin/leads/ruleset/{draft.pk}/change/")
    size_rule = draft.attribute_rules.order_by("id")[1]
    assert size_rule.field == "company_size"
    page.fill("[name=attribute_rules-1-value]", "500")
    page.fill("input[name=attribute_rules-1-label]", "Company size over 500")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    # the admin saves through rule_set_save_draft, which replaces the draft's rows: find the rule again
    size_rule = draft.attribute_rules.get(field="company_size")
    assert size_rule.value == 500

    page.goto(f"/leads/scoring/{draft.pk}/")
    page.click("text=Run backtest")
    mql_row = page.locator("#backtest-grades tr[data-grade=MQL]")
    assert mql_row.locator("td").nth(1).inner_text() == "0"      # MQLs today
    assert mql_row.locator("td").nth(2).inner_text() == "1"      # MQLs with this set
    page.click("#publish-form button")
    page.wait_for_selector("[data-job-status=done]")
    marketing.close()

    rep = browser.new_context(base_url=live_server.url)
    page = rep.new_page()
    page.set_default_timeout(30_000)
    login(page, "rep.east", "pw-for-tests-1")
    page.goto("/leads/?grade=MQL")
    page.click("text=Grace Hopper")
    assert page.locator("[data-field=score]").inner_text() == "55"
    assert page.locator("[data-field=grade]").inner_text() == "MQL"
    breakdown = page.locator("#score-breakdown").inner_text()
    assert "Company size over 500" in breakdown and "+10" in breakdown
    assert "Industry is Technology or Finance" in breakdown and "+15" in breakdown
    page.screenshot(path="test-artifacts/rep-mql-breakdown.png", full_page=True)
    rep.close()
