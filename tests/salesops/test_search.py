"""Issue 12: the global search (salesops.search registry, the header box and /search/)."""
import pytest
from django.urls import reverse
from django.utils import translation

from salesops import search
from tests.customers.factories import AccountFactory, ContactFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import make_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(org):
    mine = AccountFactory(name="Zephyr Logistics", domain="zephyr.example", owner=org["owner"])
    theirs = AccountFactory(name="Zephyr Holdings", domain="zephyr-h.example", owner=org["outsider"])
    return {
        "account": mine, "other_account": theirs,
        "deal": make_opportunity(owner=org["owner"], account=mine, name="Fleet rollout"),
        "other_deal": make_opportunity(owner=org["outsider"], account=theirs, name="Zephyr expansion"),
        "lead": LeadFactory(name="Zelda Zephyr", company="Acme", owner=org["owner"]),
        "other_lead": LeadFactory(name="Zoe Zephyr", company="Other", owner=org["outsider"]),
        "contact": ContactFactory(account=mine, name="Zed Contact", email="zed@zephyr.example"),
        "other_contact": ContactFactory(account=theirs, name="Zed Other", email="zed@zephyr-h.example"),
    }


def titles(groups, kind=None):
    return {hit.title for group in groups for hit in group.hits if kind is None or group.kind == kind}


def test_a_deal_is_found_by_its_accounts_name(org, data):
    groups = search.search(org["owner"], "zephyr log")
    assert titles(groups, "deal") == {"Fleet rollout"}
    assert titles(groups, "account") == {"Zephyr Logistics"}


def test_a_rep_never_finds_another_reps_lead_deal_account_or_contact(org, data):
    found = titles(search.search(org["owner"], "zephyr"))
    assert {"Fleet rollout", "Zephyr Logistics", "Zelda Zephyr", "Zed Contact"} <= found
    assert not found & {"Zephyr expansion", "Zephyr Holdings", "Zoe Zephyr", "Zed Other"}
    assert titles(search.search(org["outsider"], "zephyr")) >= {"Zephyr expansion", "Zoe Zephyr", "Zed Other"}
    assert not titles(search.search(org["outsider"], "zephyr")) & {"Fleet rollout", "Zelda Zephyr"}
    assert titles(search.search(org["teammate"], "zephyr")) == set()


def test_managers_and_admins_find_what_they_may_see(org, data):
    assert "Fleet rollout" in titles(search.search(org["mgr"], "zephyr"))
    assert "Fleet rollout" not in titles(search.search(org["other_mgr"], "zephyr"))
    assert {"Fleet rollout", "Zephyr expansion"} <= titles(search.search(org["admin"], "zephyr"))


def test_groups_come_in_kind_order_with_links(org, data):
    groups = search.search(org["owner"], "zephyr")
    assert [group.kind for group in groups] == ["lead", "deal", "account", "contact"]
    deal = next(group for group in groups if group.kind == "deal").hits[0]
    assert deal.url == reverse("pipeline:detail", args=[data["deal"].pk]) and "Zephyr Logistics" in deal.subtitle


def test_bounded_input_and_a_limit_per_kind(org):
    for n in range(5):
        LeadFactory(name=f"Bulk lead {n}", owner=org["owner"])
    groups = search.search(org["owner"], "bulk lead", limit=3)
    assert len(groups[0].hits) == 3 and groups[0].more and "q=bulk+lead" in groups[0].more_url
    assert search.search(org["owner"], "b") == []
    assert search.search(org["owner"], "x" * 101) == []
    assert search.search(org["owner"], "bulk\x00 lead") != []  # NUL characters are dropped, not a 500


def test_a_constant_number_of_queries_per_kind(client, org, django_assert_max_num_queries):
    client.force_login(org["owner"])
    for n in range(30):
        account = AccountFactory(name=f"Many {n}", owner=org["owner"])
        ContactFactory(account=account, name=f"Many contact {n}")
        LeadFactory(name=f"Many lead {n}", owner=org["owner"])
        make_opportunity(owner=org["owner"], account=account, name=f"Many deal {n}")
    with django_assert_max_num_queries(12):  # session, user, one query a kind, the header's own
        response = client.get(reverse("search"), {"q": "many"})
    assert response.status_code == 200


def test_the_results_page_groups_hits_and_is_translated(client, org, data):
    client.force_login(org["owner"])
    html = client.get(reverse("search"), {"q": "zephyr"}).content.decode()
    for kind in ("lead", "deal", "account", "contact"):
        assert f'data-kind="{kind}"' in html
    assert "Zephyr expansion" not in html and 'id="global-search"' in html
    with translation.override("zh-hans"):
        html = client.get(reverse("search"), {"q": "zephyr"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "商机" in html and "线索" in html and "Fleet rollout" in html


def test_bad_queries_are_a_clear_400_never_a_500(client, org):
    client.force_login(org["owner"])
    assert client.get(reverse("search"), {"q": "x" * 101}).status_code == 400
    assert client.get(reverse("search"), {"q": "x"}).status_code == 400
    assert client.get(reverse("search"), {"q": "a\x00b"}).status_code == 200
    assert client.get(reverse("search")).status_code == 200
    client.logout()
    assert client.get(reverse("search"), {"q": "zephyr"}).status_code == 302


def test_the_header_search_finds_a_published_article_by_a_chinese_word(client, django_user_model):
    from teams.models import Article, User
    from tests.teams.factories import UserFactory

    author = UserFactory(role=User.Role.MARKETING)
    Article.objects.create(title="客户预算有限时的话术", body="先确认预算，再谈价值。", kind="talk_track",
                           language="zh-hans", is_published=True, author=author)
    Article.objects.create(title="草稿：预算", body="未发布", kind="talk_track", language="zh-hans",
                           is_published=False, author=author)
    client.force_login(UserFactory(role=User.Role.REP))
    page = client.get("/search/", {"q": "预算"}).content.decode()
    assert "客户预算有限时的话术" in page and "草稿：预算" not in page
