"""The customer-360 page (account detail): header, every registered panel in order, constant queries."""
import pytest
from django.urls import reverse

from salesops import panels
from salesops.panels import PanelContent
from tests.pipeline.factories import make_opportunity

from .factories import AccountFactory, ContactFactory
from .roles import customer_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return customer_people(org)


def _fill(account, owner, n):
    ContactFactory.create_batch(n, account=account)
    for i in range(n):
        make_opportunity(owner=owner, account=account, name=f"{account.name} deal {i}")


def test_360_page_costs_the_same_queries_for_1_or_30_deals_and_contacts(client, people,
                                                                        django_assert_max_num_queries):
    small = AccountFactory(owner=people["owner"], success_owner=people["success"])
    big = AccountFactory(owner=people["owner"], success_owner=people["success"])
    _fill(small, people["owner"], 1)
    _fill(big, people["owner"], 30)
    client.force_login(people["mgr"])
    with django_assert_max_num_queries(40) as one:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(big.get_absolute_url()).content.decode()
    assert page.count("data-opportunity=") == 20 and "10 more deals not shown." in page
    assert "All 30 contacts" in page


def test_360_page_shows_the_header_and_panels_in_order(client, people):
    account = AccountFactory(owner=people["owner"], success_owner=people["success"], name="Acme", domain="acme.com")
    deal = make_opportunity(owner=people["owner"], account=account, name="Acme renewal")
    client.force_login(people["owner"])
    page = client.get(account.get_absolute_url()).content.decode()
    assert "acme.com" in page and str(people["success"]) in page
    assert page.index('data-panel="contacts"') < page.index('data-panel="deals"')
    assert reverse("pipeline:detail", args=[deal.pk]) in page


def test_a_panel_may_hide_itself_or_give_the_header_a_badge(client, people):
    account = AccountFactory(owner=people["owner"])
    panels.register("test-hidden", order=1, title=lambda: "Hidden", render=lambda a, u, r: None)
    panels.register("test-health", order=2, title=lambda: "Health", render=lambda a, u, r: PanelContent(
        "customers/_contacts_panel.html", {"header_badge": {"label": "Critical", "tone": "critical"}}))
    try:
        client.force_login(people["owner"])
        page = client.get(account.get_absolute_url()).content.decode()
    finally:
        panels._panels.pop("test-hidden", None)
        panels._panels.pop("test-health", None)
    assert 'data-panel="test-hidden"' not in page and 'data-panel="test-health"' in page
    assert 'data-badge="critical"' in page


def test_deals_panel_shows_the_accounts_deals_linking_only_those_the_user_may_open(client, people):
    account = AccountFactory(owner=people["owner"], success_owner=people["success"])
    mine = make_opportunity(owner=people["owner"], account=account, name="Visible deal")
    client.force_login(people["teammate"])
    assert client.get(account.get_absolute_url()).status_code == 404
    for reader in ("support", "success"):  # the 360 page is shared: they read the deal, without a link
        client.force_login(people[reader])
        page = client.get(account.get_absolute_url()).content.decode()
        assert 'data-panel="deals"' in page and "Visible deal" in page
        assert reverse("pipeline:detail", args=[mine.pk]) not in page
    client.force_login(people["mgr"])
    assert reverse("pipeline:detail", args=[mine.pk]) in client.get(account.get_absolute_url()).content.decode()


def test_360_page_speaks_chinese(client, people):
    account = AccountFactory(owner=people["owner"])
    client.force_login(people["owner"])
    page = client.get(account.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in page


def test_origin_lead_panel_shows_the_converted_lead_or_hides(client, people):
    from leads.models import Lead
    from pipeline import services as pipeline_services
    from tests.leads.factories import LeadFactory

    lead = LeadFactory(owner=people["owner"], status=Lead.Status.QUALIFIED, company="Converted Co")
    deal = pipeline_services.lead_convert(lead=lead, by=people["owner"])
    plain = AccountFactory(owner=people["owner"])
    client.force_login(people["owner"])
    page = client.get(deal.account.get_absolute_url()).content.decode()
    assert 'data-panel="origin_lead"' in page and reverse("leads:detail", args=[lead.pk]) in page
    assert 'data-panel="origin_lead"' not in client.get(plain.get_absolute_url()).content.decode()
