"""Ranked knowledge-base search (teams.knowledge.search): the same tests pass on SQLite and on
PostgreSQL (pg_trgm), CI runs the suite on both."""
import pytest
from django.db import connection

from teams.knowledge.selectors import article_search
from teams.models import Article

from .kb_factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk_tracks(org):
    mkt = org["marketing"]
    return {
        "budget_zh": make_article(mkt, kind=Article.Kind.TALK_TRACK, language="zh-hans",
                                  title="客户预算有限时的话术",
                                  body="先确认预算范围和审批流程，再按价值拆分方案。"),
        "other_zh": make_article(mkt, kind=Article.Kind.TALK_TRACK, language="zh-hans",
                                 title="首次拜访的开场白", body="介绍公司和来访目的。"),
        "en": make_article(mkt, kind=Article.Kind.FAQ, title="Implementation time",
                           body="Six to eight weeks."),
    }


def test_a_chinese_talk_track_is_found_by_a_two_character_word(org, talk_tracks):
    found = list(article_search(user=org["owner"], q="预算"))
    assert found == [talk_tracks["budget_zh"]], connection.vendor


def test_a_chinese_word_in_the_body_only_finds_the_article_too(org, talk_tracks):
    assert list(article_search(user=org["owner"], q="审批")) == [talk_tracks["budget_zh"]]


def test_an_english_word_is_found_case_insensitively(org, talk_tracks):
    assert list(article_search(user=org["owner"], q="implementation")) == [talk_tracks["en"]]


def test_title_matches_rank_above_body_matches(org):
    mkt = org["marketing"]
    in_body = make_article(mkt, title="Negotiation basics", body="Talk about discount only at the end.")
    in_title = make_article(mkt, title="Discount rules", body="Ask your manager first.")
    results = list(article_search(user=org["owner"], q="discount"))
    assert results == [in_title, in_body]
    assert results[0].score > results[1].score


def test_a_tag_match_ranks_between_title_and_body(org):
    mkt = org["marketing"]
    body = make_article(mkt, title="A", body="pricing appears here")
    tag = make_article(mkt, title="B", tags=["Pricing"])
    title = make_article(mkt, title="Pricing FAQ")
    assert list(article_search(user=org["owner"], q="pricing")) == [title, tag, body]


def test_reps_never_find_drafts_editors_do(org):
    draft = make_article(org["marketing"], title="预算 draft", is_published=False)
    assert list(article_search(user=org["owner"], q="预算")) == []
    assert list(article_search(user=org["mgr"], q="预算")) == [draft]


def test_an_empty_query_lists_everything_readable_newest_first(org, talk_tracks):
    assert len(article_search(user=org["owner"], q="  ")) == 3


def test_nothing_matches_gives_nothing(org, talk_tracks):
    assert list(article_search(user=org["owner"], q="zzzqqq")) == []


def test_a_long_or_odd_query_is_harmless(org, talk_tracks):
    assert list(article_search(user=org["owner"], q="%_'\"\\" * 100)) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="fuzzy matching needs pg_trgm")
def test_on_postgresql_a_typo_still_finds_the_article(org):
    article = make_article(org["marketing"], title="Implementation checklist")
    assert article in list(article_search(user=org["owner"], q="implementaton"))
