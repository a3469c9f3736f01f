import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Lead
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_rep_creates_a_lead_in_the_browser(client, org):
    client.force_login(org["owner"])
    response = client.post(reverse("leads:create"), {
        "name": "Ada Lovelace", "email": "ada@example.com", "company": "Analytical Engines",
        "industry": "technology", "company_size": "1200", "source": "webinar", "status": "new",
        "owner": org["owner"].pk,
    })
    lead = Lead.objects.get(email="ada@example.com")
    assert response.status_code == 302 and response.url == reverse("leads:detail", args=[lead.pk])
    assert lead.owner == org["owner"] and lead.company_size == 1200


def test_bad_input_shows_errors_and_saves_nothing(client, org):
    client.force_login(org["owner"])
    response = client.post(reverse("leads:create"), {
        "name": "", "email": "not-an-email", "company_size": "-3", "source": "website", "status": "new"})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"name", "email", "company_size"} <= set(form.errors)
    assert not Lead.objects.exists()


def test_a_duplicate_email_is_refused_with_a_message(client, org):
    LeadFactory(email="ada@example.com", owner=org["teammate"])
    client.force_login(org["owner"])
    response = client.post(reverse("leads:create"), {
        "name": "Ada", "email": "Ada@Example.com", "source": "website", "status": "new"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Lead.objects.count() == 1


def test_the_error_messages_are_translated(client, org):
    client.force_login(org["owner"])
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = client.post(reverse("leads:create"), {"name": "", "email": "x", "source": "website", "status": "new"})
    assert "字段是必填项" in response.content.decode()


def test_the_list_filters_with_the_shared_filterset(client, org):
    LeadFactory(owner=org["owner"], name="Fin Lead", industry="finance")
    LeadFactory(owner=org["owner"], name="Retail Lead", industry="retail")
    client.force_login(org["owner"])
    body = client.get(reverse("leads:list"), {"industry": "finance"}).content.decode()
    assert "Fin Lead" in body and "Retail Lead" not in body


def test_the_api_uses_the_same_filters(api, org):
    LeadFactory(owner=org["owner"], name="Fin Lead", industry="finance")
    LeadFactory(owner=org["owner"], name="Retail Lead", industry="retail")
    names = [r["name"] for r in api.as_user(org["owner"]).get("/api/v1/leads/?industry=finance").json()["results"]]
    assert names == ["Fin Lead"]


def test_an_invalid_filter_value_is_a_400_in_the_api(api, org):
    response = api.as_user(org["owner"]).get("/api/v1/leads/?industry=astrology")
    assert response.status_code == 400
    assert "industry" in response.json()


@pytest.mark.parametrize("rows", [3, 60])
def test_the_list_page_uses_a_constant_number_of_queries(client, org, rows):
    LeadFactory.create_batch(rows, owner=org["owner"])
    client.force_login(org["owner"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("leads:list")).status_code == 200
    # 9: the saved filters of the list (issue 12) are one query; 10: the hires the viewer mentors, read
    # once as values so the owner condition stays an index condition at 1M leads (bench/pages.py)
    assert len(ctx.captured_queries) <= 10, [q["sql"] for q in ctx.captured_queries]
    test_the_list_page_uses_a_constant_number_of_queries.counts = getattr(
        test_the_list_page_uses_a_constant_number_of_queries, "counts", set()) | {len(ctx.captured_queries)}


def test_list_query_counts_do_not_grow_with_rows(client, api, org):
    client.force_login(org["owner"])
    api_client = api.as_user(org["owner"])
    counts = []
    for batch in (2, 40):
        LeadFactory.create_batch(batch, owner=org["owner"])
        with CaptureQueriesContext(connection) as html_ctx:
            client.get(reverse("leads:list"))
        with CaptureQueriesContext(connection) as api_ctx:
            api_client.get("/api/v1/leads/")
        counts.append((len(html_ctx.captured_queries), len(api_ctx.captured_queries)))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("query", ["owner=-1.85e137", "owner=abc", "owner=99999999999999999999999",
                                   "min_company_size=1e200", "created_after=notadate", "page=zzz"])
def test_malformed_filters_are_a_400_or_404_never_a_500(api, org, query):
    response = api.as_user(org["owner"]).get(f"/api/v1/leads/?{query}")
    assert response.status_code in (400, 404), response.content
