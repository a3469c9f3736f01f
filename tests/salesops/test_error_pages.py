"""Issue 12: 403, 404 and 500 pages in the app's layout and language; the API docs lead back to the app;
the opportunity import is linked from the pipeline list; the favicon."""
import pytest
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from salesops.api import server_error
from tests.pipeline.factories import make_opportunity

pytestmark = pytest.mark.django_db


def get(client, url, language="en"):
    client.cookies["django_language"] = language
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def test_404_is_in_the_layout_with_navigation_and_search(client, org):
    client.force_login(org["owner"])
    response = get(client, "/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-error="404"' in html and "Page not found" in html
    assert 'class="mainnav"' in html and 'id="global-search"' in html and "favicon.svg" in html
    assert reverse("dashboards:home") in html


def test_a_deal_outside_the_scope_is_a_404_page_not_a_bare_one(client, org):
    deal = make_opportunity(owner=org["outsider"])
    client.force_login(org["owner"])
    response = get(client, reverse("pipeline:detail", args=[deal.pk]))
    assert response.status_code == 404 and 'data-error="404"' in response.content.decode()


def test_403_is_in_the_layout_and_says_why(client, org):
    client.force_login(org["owner"])  # a rep may not import deals
    response = get(client, reverse("pipeline:import"))
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-error="403"' in html and "You may not open this page" in html and 'class="mainnav"' in html
    assert "403 Forbidden" not in html


@pytest.mark.parametrize("url, status", [("/no/such/page/", 404), ("/pipeline/import/", 403)])
def test_error_pages_in_chinese(client, org, url, status):
    client.force_login(org["owner"])
    response = get(client, url, "zh-hans")
    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="zh-hans">' in html and "线索" in html and "客户" in html  # navigation, in Chinese


def test_an_anonymous_404_offers_the_login(client):
    html = get(client, "/no/such/page/").content.decode()
    assert 'data-error="404"' in html and reverse("login") in html


def test_500_renders_without_a_request_context_or_the_database(rf: RequestFactory, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()  # what Django does when everything else failed
        response = server_error(rf.get("/pipeline/"))
    assert 'data-error="500"' in html and 'href="/"' in html
    assert response.status_code == 500 and b'data-error="500"' in response.content
    with translation.override("zh-hans"):
        assert '<html lang="zh-hans">' in loader.get_template("500.html").render()


def test_the_api_still_answers_json_errors(client, org):
    client.force_login(org["owner"])
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


def test_the_api_docs_link_back_to_the_app(client, org):
    client.force_login(org["owner"])
    html = client.get("/api/docs/").content.decode()
    assert 'data-link="back-to-app"' in html and f'href="{reverse("dashboards:home")}"' in html
    assert "swagger-ui" in html and "favicon.svg" in html and "<script>" not in html


def test_the_opportunity_import_is_linked_for_those_who_may_import(client, org):
    client.force_login(org["admin"])
    assert reverse("pipeline:import") in client.get(reverse("pipeline:list")).content.decode()
    client.force_login(org["owner"])
    assert reverse("pipeline:import") not in client.get(reverse("pipeline:list")).content.decode()


def test_the_favicon_is_linked_on_every_page(client, org):
    client.force_login(org["owner"])
    assert 'rel="icon" href="/static/favicon.svg"' in client.get(reverse("pipeline:board")).content.decode()


def test_the_redoc_page_links_back_to_the_app_and_loads_no_web_fonts(client, org):
    client.force_login(org["owner"])
    html = client.get(reverse("api-redoc")).content.decode()
    assert 'data-link="back-to-app"' in html and f'href="{reverse("api-docs")}"' in html and "favicon.svg" in html
    assert "fonts.googleapis.com" not in html
