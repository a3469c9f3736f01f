"""Knowledge base: services, predicates, pages and /api/v1/kb/articles/."""
import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from teams.knowledge import services
from teams.models import Article, ArticleView, Tag
from teams.predicates import can_edit_knowledge, can_read_article

from .kb_factories import make_article

pytestmark = pytest.mark.django_db
API = "/api/v1/kb/articles/"


# --- predicates -------------------------------------------------------------------------------

def test_managers_marketing_and_admins_edit_the_knowledge_base(org):
    assert can_edit_knowledge(org["mgr"]) and can_edit_knowledge(org["marketing"]) and can_edit_knowledge(org["admin"])
    assert not can_edit_knowledge(org["owner"])


def test_everyone_reads_published_articles_only_editors_drafts(org):
    published = make_article(org["marketing"])
    draft = make_article(org["marketing"], title="Draft", is_published=False)
    assert can_read_article(org["owner"], published)
    assert not can_read_article(org["owner"], draft)
    assert can_read_article(org["mgr"], draft)


# --- services ---------------------------------------------------------------------------------

def test_create_sets_author_tags_and_audits(org):
    article = make_article(org["marketing"], tags=["pricing", " Pricing ", "预算"])
    assert article.author == org["marketing"]
    assert sorted(article.tags.values_list("name", flat=True)) == ["pricing", "预算"]
    assert LogEntry.objects.filter(object_id=str(article.pk), content_type__model="article").count() == 1


def test_tags_are_shared_case_insensitively(org):
    make_article(org["marketing"], tags=["Pricing"])
    make_article(org["marketing"], title="Second", tags=["pricing"])
    assert Tag.objects.count() == 1


def test_a_rep_may_not_write(org):
    with pytest.raises(PermissionDenied):
        make_article(org["owner"])
    assert not Article.objects.exists()


def test_bad_input_is_a_clear_error_and_writes_nothing(org):
    with pytest.raises(ValidationError):
        make_article(org["marketing"], title="")
    with pytest.raises(ValidationError):
        make_article(org["marketing"], kind="poem")
    with pytest.raises(ValidationError):
        make_article(org["marketing"], tags=["a,b"])
    with pytest.raises(ValidationError):
        make_article(org["marketing"], tags=[f"t{i}" for i in range(21)])
    with pytest.raises(ValidationError):
        services.article_create(by=org["marketing"], kind="faq", title="x", colour="red")
    assert not Article.objects.exists()


def test_update_changes_fields_and_replaces_tags(org):
    article = make_article(org["marketing"], tags=["old"])
    services.article_update(article=article, by=org["mgr"], title="New title", tags=["new"])
    article.refresh_from_db()
    assert article.title == "New title"
    assert list(article.tags.values_list("name", flat=True)) == ["new"]


def test_delete(org):
    article = make_article(org["marketing"])
    with pytest.raises(PermissionDenied):
        services.article_delete(article=article, by=org["owner"])
    services.article_delete(article=article, by=org["admin"])
    assert not Article.objects.exists()


def test_a_view_is_counted_only_for_a_reader(org):
    draft = make_article(org["marketing"], is_published=False)
    with pytest.raises(PermissionDenied):
        services.article_view_record(article=draft, user=org["owner"])
    services.article_view_record(article=draft, user=org["mgr"])
    assert ArticleView.objects.filter(article=draft).count() == 1


# --- pages ------------------------------------------------------------------------------------

def test_the_list_searches_and_filters(client, org):
    make_article(org["marketing"], title="客户预算有限时的话术", kind=Article.Kind.TALK_TRACK, language="zh-hans")
    make_article(org["marketing"], title="Pricing FAQ", tags=["pricing"])
    client.force_login(org["owner"])
    page = client.get("/org/kb/", {"q": "预算"}).content.decode()
    assert "客户预算有限时的话术" in page and "Pricing FAQ" not in page
    page = client.get("/org/kb/", {"tag": "pricing"}).content.decode()
    assert "Pricing FAQ" in page and "客户预算" not in page
    page = client.get("/org/kb/", {"kind": "talk_track"}).content.decode()
    assert "客户预算" in page and "Pricing FAQ" not in page


def test_the_list_has_a_constant_query_count(client, org, django_assert_max_num_queries):
    for i in range(30):
        make_article(org["marketing"], title=f"Article {i}", tags=[f"t{i}", "common"])
    client.force_login(org["owner"])
    with django_assert_max_num_queries(15):
        response = client.get("/org/kb/", {"q": "article"})
    assert response.status_code == 200 and response.context["page_obj"].paginator.count == 30


def test_a_bad_filter_is_not_a_500(client, org):
    client.force_login(org["owner"])
    assert client.get("/org/kb/", {"kind": "poem", "q": "x" * 500}).status_code == 200


def test_opening_an_article_counts_a_view_and_shows_figures(client, org):
    article = make_article(org["marketing"], body="First line\n\nSecond <b>para</b>")
    client.force_login(org["owner"])
    page = client.get(f"/org/kb/{article.pk}/").content.decode()
    assert "<p>Second &lt;b&gt;para&lt;/b&gt;</p>" in page  # plain text, escaped, paragraphs
    assert 'data-figure="views">1' in page
    assert 'data-figure="deals_won"' in page  # pipeline's registered figure


def test_a_rep_gets_404_for_a_draft_and_403_for_editing(client, org):
    draft = make_article(org["marketing"], is_published=False)
    published = make_article(org["marketing"], title="Published")
    client.force_login(org["owner"])
    assert client.get(f"/org/kb/{draft.pk}/").status_code == 404
    assert client.get(f"/org/kb/{published.pk}/edit/").status_code == 403
    assert client.post(f"/org/kb/{published.pk}/delete/").status_code == 403


def test_an_editor_creates_edits_and_deletes_on_pages(client, org):
    client.force_login(org["mgr"])
    response = client.post("/org/kb/new/", {"kind": "faq", "title": "How long?", "language": "en",
                                             "body": "Six weeks.", "tags": "implementation, 实施",
                                             "is_published": "on"})
    article = Article.objects.get()
    assert response.status_code == 302 and article.author == org["mgr"]
    assert sorted(article.tags.values_list("name", flat=True)) == ["implementation", "实施"]
    response = client.post(f"/org/kb/{article.pk}/edit/", {"kind": "faq", "title": "", "language": "en"})
    assert response.status_code == 200 and Article.objects.get().title == "How long?"
    client.post(f"/org/kb/{article.pk}/edit/", {"kind": "faq", "title": "How long does it take?", "language": "en",
                                                "tags": ""})
    article.refresh_from_db()
    assert article.title == "How long does it take?" and not article.tags.exists()
    client.post(f"/org/kb/{article.pk}/delete/")
    assert not Article.objects.exists()


# --- API --------------------------------------------------------------------------------------

def test_api_searches_ranked_and_filters(api, org):
    in_body = make_article(org["marketing"], title="Negotiation", body="discount at the end", tags=["deal"])
    in_title = make_article(org["marketing"], title="Discount rules", kind=Article.Kind.TALK_TRACK)
    client = api.as_user(org["owner"])
    rows = client.get(API, {"q": "discount"}).json()["results"]
    assert [row["id"] for row in rows] == [in_title.pk, in_body.pk]
    assert rows[0]["score"] > rows[1]["score"]
    assert [r["id"] for r in client.get(API, {"kind": "talk_track"}).json()["results"]] == [in_title.pk]
    assert [r["id"] for r in client.get(API, {"tag": "DEAL"}).json()["results"]] == [in_body.pk]
    assert client.get(API, {"q": "预算"}).json()["results"] == []


def test_api_rejects_bad_input(api, org):
    client = api.as_user(org["marketing"])
    assert client.get(API, {"kind": "poem"}).status_code == 400
    assert client.get(API, {"q": "x" * 201}).status_code == 400
    assert client.post(API, {"kind": "faq", "title": 5}, format="json").status_code == 400
    assert client.post(API, {"kind": "faq", "title": "x", "tags": "notalist"}, format="json").status_code == 400
    assert client.post(API, {"kind": "faq", "title": "x", "tags": ["a,b"]}, format="json").status_code == 400
    assert client.post(API, {"kind": "faq", "title": "x\x00"}, format="json").status_code == 400
    assert not Article.objects.exists()


def test_api_crud_for_editors_through_services(api, org):
    client = api.as_user(org["marketing"])
    response = client.post(API, {"kind": "talk_track", "title": "客户预算有限时的话术", "language": "zh-hans",
                                 "body": "先确认预算", "tags": ["预算"], "is_published": True}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["tags"] == ["预算"] and response.json()["author"] == org["marketing"].pk
    response = client.patch(f"{API}{pk}/", {"title": "新标题"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "新标题"
    assert response.json()["tags"] == ["预算"]
    assert LogEntry.objects.filter(object_id=str(pk), content_type__model="article").count() == 2
    assert client.delete(f"{API}{pk}/").status_code == 204
    assert not Article.objects.exists()


def test_api_reps_read_published_only_and_cannot_write(api, org):
    published = make_article(org["marketing"], title="Published")
    draft = make_article(org["marketing"], title="Draft", is_published=False)
    client = api.as_user(org["owner"])
    assert [r["id"] for r in client.get(API).json()["results"]] == [published.pk]
    assert client.get(f"{API}{draft.pk}/").status_code == 404
    assert client.post(API, {"kind": "faq", "title": "x"}, format="json").status_code == 403
    assert client.patch(f"{API}{published.pk}/", {"title": "y"}, format="json").status_code == 403
    assert client.delete(f"{API}{published.pk}/").status_code == 403
    assert Article.objects.get(pk=published.pk).title == "Published"


def test_api_list_has_a_constant_query_count(api, org, django_assert_max_num_queries):
    for i in range(20):
        make_article(org["marketing"], title=f"Article {i}", tags=[f"t{i}"])
    client = api.as_user(org["owner"])
    with django_assert_max_num_queries(8):
        assert len(client.get(API, {"q": "article"}).json()["results"]) == 20


def test_api_requires_authentication(client):
    assert client.get(API).status_code in (401, 403)


# --- admin ------------------------------------------------------------------------------------

def test_the_admin_writes_through_the_service(client, org):
    client.force_login(org["admin"])
    response = client.post("/admin/teams/article/add/", {"kind": "faq", "title": "Admin article", "language": "en",
                                                         "body": "Text", "tags": "a, b", "is_published": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert article.author == org["admin"] and sorted(article.tags.values_list("name", flat=True)) == ["a", "b"]
    assert LogEntry.objects.filter(object_id=str(article.pk), content_type__model="article").count() == 1
    response = client.post(f"/admin/teams/article/{article.pk}/change/",
                           {"kind": "faq", "title": "Renamed", "language": "en", "body": "", "tags": "b"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Renamed" and list(article.tags.values_list("name", flat=True)) == ["b"]
    client.post(f"/admin/teams/article/{article.pk}/delete/", {"post": "yes"})
    assert not Article.objects.exists()


def test_the_admin_is_for_editors_only(client, org):
    org["owner"].is_staff = True
    org["owner"].save()
    client.force_login(org["owner"])
    assert client.get("/admin/teams/article/add/").status_code == 403
