"""The knowledge base on deals: stage guidance and competitor battlecards on the deal page, the
board's stage header, openings counted per deal and "opened on N deals, M later won"."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pipeline import services
from pipeline.demo_kb import link_demo_articles
from pipeline.models import ArticleDealView, Competitor, Stage
from pipeline.selectors.knowledge import article_deal_figures
from teams.knowledge.demo import BATTLECARD, NEEDS_GUIDE, seed_articles
from teams.models import Article, ArticleView
from tests.teams.kb_factories import make_article

from .factories import competitor, make_opportunity, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(org):
    guidance = make_article(org["marketing"], title="SPIN: first call", kind=Article.Kind.TALK_TRACK)
    battlecard = make_article(org["marketing"], title="Battlecard: Rival", kind=Article.Kind.COMPETITOR_ANALYSIS)
    first = Stage.objects.order_by("order").first()
    Stage.objects.filter(pk=first.pk).update(guidance_article=guidance)
    rival = competitor()
    Competitor.objects.filter(pk=rival.pk).update(battlecard_article=battlecard)
    deal = make_opportunity(owner=org["owner"])
    deal.competitors.add(rival)
    return {"guidance": guidance, "battlecard": battlecard, "deal": deal, "rival": rival}


def test_the_deal_page_shows_the_stage_guidance_and_the_competitors_battlecard(client, org, linked):
    client.force_login(org["owner"])
    page = client.get(f"/pipeline/{linked['deal'].pk}/").content.decode()
    assert f'data-guidance="{linked["guidance"].pk}"' in page and "SPIN: first call" in page
    assert f'data-battlecard="{linked["battlecard"].pk}"' in page and "Battlecard: Rival" in page
    assert f"/pipeline/{linked['deal'].pk}/kb/{linked['battlecard'].pk}/" in page


def test_a_deal_without_that_competitor_shows_no_battlecard(client, org, linked):
    other = make_opportunity(owner=org["owner"])
    client.force_login(org["owner"])
    page = client.get(f"/pipeline/{other.pk}/").content.decode()
    assert "data-battlecard" not in page and "data-guidance" in page


def test_a_draft_battlecard_is_not_shown_to_a_rep(client, org, linked):
    Article.objects.filter(pk=linked["battlecard"].pk).update(is_published=False)
    client.force_login(org["owner"])
    assert "data-battlecard" not in client.get(f"/pipeline/{linked['deal'].pk}/").content.decode()


def test_the_deal_page_query_count_does_not_grow_with_competitors(client, org, linked):
    client.force_login(org["owner"])
    url = f"/pipeline/{linked['deal'].pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(3):
        extra = competitor(f"Rival {i}")
        Competitor.objects.filter(pk=extra.pk).update(
            battlecard_article=make_article(org["marketing"], title=f"Battlecard {i}"))
        linked["deal"].competitors.add(extra)
    with CaptureQueriesContext(connection) as after:
        page = client.get(url).content.decode()
    assert page.count("data-battlecard=") == 4
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_board_links_the_stage_guidance(client, org, linked):
    client.force_login(org["owner"])
    page = client.get("/pipeline/board/").content.decode()
    assert f"/org/kb/{linked['guidance'].pk}/" in page


def test_opening_from_a_deal_counts_for_the_deal_and_the_article(client, org, linked):
    client.force_login(org["owner"])
    response = client.get(f"/pipeline/{linked['deal'].pk}/kb/{linked['battlecard'].pk}/", follow=True)
    assert response.redirect_chain[-1][0] == f"/org/kb/{linked['battlecard'].pk}/"
    assert ArticleDealView.objects.filter(article=linked["battlecard"], opportunity=linked["deal"]).count() == 1
    assert ArticleView.objects.filter(article=linked["battlecard"]).count() == 1


def test_only_articles_the_deal_links_and_deals_in_scope_are_counted(client, org, linked):
    unrelated = make_article(org["marketing"], title="Unrelated")
    client.force_login(org["owner"])
    assert client.get(f"/pipeline/{linked['deal'].pk}/kb/{unrelated.pk}/").status_code == 404
    client.force_login(org["outsider"])
    assert client.get(f"/pipeline/{linked['deal'].pk}/kb/{linked['battlecard'].pk}/").status_code == 404
    assert not ArticleDealView.objects.exists()


def test_opened_on_n_deals_m_later_won(client, org, linked):
    card = linked["battlecard"]
    won_after, lost, won_before = (make_opportunity(owner=org["owner"]) for _ in range(3))
    services.opportunity_import_stage(opportunity=won_before, to_stage=stage("closed_won"),
                                      at=timezone.now() - timedelta(days=2))
    for deal in (won_after, lost, won_before, won_after):
        services.article_deal_view_record(opportunity=deal, article=card, user=org["owner"])
    services.opportunity_import_stage(opportunity=won_after, to_stage=stage("closed_won"),
                                      at=timezone.now() + timedelta(minutes=1))
    services.opportunity_import_stage(opportunity=lost, to_stage=stage("closed_lost"))
    assert article_deal_figures(article=card) == {"opens": 4, "deals": 3, "won": 1}
    client.force_login(org["owner"])
    page = client.get(f"/org/kb/{card.pk}/").content.decode()
    assert 'data-figure="deals">3' in page and 'data-figure="deals_won">1' in page


def test_demo_articles_are_linked_idempotently(org):
    seed_articles(author=org["marketing"])
    competitor("CloudCRM Inc.")
    assert link_demo_articles() == 3
    assert seed_articles(author=org["marketing"]) == 0 and link_demo_articles() == 0
    assert Stage.objects.get(code="needs_confirmed").guidance_article.title == NEEDS_GUIDE
    assert Competitor.objects.get(name="CloudCRM Inc.").battlecard_article.title == BATTLECARD
    assert Article.objects.filter(language="zh-hans", kind=Article.Kind.TALK_TRACK).exists()
