"""Quick add of a lead from the header (issue 12, item 4) and the full lead form without internal fields."""
from unittest import mock

from django.urls import reverse

from leads import services
from leads.models import Lead
from tests.leads.factories import LeadFactory

QUICK = {"HTTP_X_QUICK_ADD": "1"}


def test_the_header_has_the_new_menu_on_every_page(client, org):
    client.force_login(org["owner"])
    for url in (reverse("dashboards:home"), reverse("customers:task-list"), reverse("teams:people")):
        html = client.get(url, follow=True).content.decode()
        assert 'data-quick-add="lead"' in html and 'data-quick-add="deal"' in html and 'data-quick-add="activity"' in html


def test_the_quick_form_has_the_five_fields_as_a_fragment_or_a_page(client, org):
    client.force_login(org["owner"])
    fragment = client.get(reverse("leads:quick-add"), **QUICK)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert [name for name in ("name", "company", "email", "phone", "source") if f'name="{name}"' in html] == [
        "name", "company", "email", "phone", "source"]
    assert 'name="score"' not in html and 'name="owner"' not in html
    page = client.get(reverse("leads:quick-add"))
    assert page.status_code == 200 and "<html" in page.content.decode()


def test_it_creates_the_lead_through_the_service_owned_by_me(client, org):
    client.force_login(org["owner"])
    data = {"name": "Ada Lovelace", "company": "Engines", "email": "ada@example.com", "phone": "123", "source": "referral"}
    with mock.patch("leads.views.services.lead_create", wraps=services.lead_create) as create:
        response = client.post(reverse("leads:quick-add"), data, **QUICK)
    assert create.call_count == 1
    lead = Lead.objects.get(email="ada@example.com")
    assert (lead.name, lead.company, lead.source, lead.owner) == ("Ada Lovelace", "Engines", "referral", org["owner"])
    assert response.status_code == 200 and response.json() == {"url": reverse("leads:detail", args=[lead.pk])}


def test_without_script_it_redirects_to_the_lead(client, org):
    client.force_login(org["owner"])
    response = client.post(reverse("leads:quick-add"), {"name": "Bob", "source": "website"})
    lead = Lead.objects.get(name="Bob")
    assert response.status_code == 302 and response["Location"] == reverse("leads:detail", args=[lead.pk])


def test_invalid_input_keeps_the_values_and_shows_the_errors(client, org):
    LeadFactory(owner=org["owner"], email="taken@example.com")
    client.force_login(org["owner"])
    response = client.post(reverse("leads:quick-add"), {"name": "", "company": "Keep Co", "email": "nope",
                                                        "source": "website"}, **QUICK)
    html = response.content.decode()
    assert response.status_code == 400 and "<html" not in html
    assert 'value="Keep Co"' in html and 'value="nope"' in html and 'class="errorlist"' in html
    duplicate = client.post(reverse("leads:quick-add"), {"name": "Dup", "email": "TAKEN@example.com",
                                                         "source": "website"}, **QUICK)
    assert duplicate.status_code == 400 and 'value="Dup"' in duplicate.content.decode()
    assert Lead.objects.count() == 1


def test_the_full_lead_form_hides_internal_fields(client, org):
    client.force_login(org["owner"])
    html = client.get(reverse("leads:create")).content.decode()
    for internal in ("score", "grade", "scored_with", "external_ref", "origin", "last_activity", "total_visits",
                     "time_on_site", "created_at", "status"):
        assert f'name="{internal}"' not in html, internal
    assert 'name="name"' in html and 'name="owner"' in html


def test_editing_a_lead_keeps_its_internal_fields(client, org):
    lead = LeadFactory(owner=org["owner"], external_ref="crm-7", total_visits=4)
    client.force_login(org["owner"])
    response = client.post(reverse("leads:edit", args=[lead.pk]), {
        "name": "Renamed", "email": lead.email, "source": "website", "owner": org["owner"].pk,
        "version": lead.version, "industry": "", "region": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    lead.refresh_from_db()
    assert (lead.name, lead.external_ref, lead.total_visits) == ("Renamed", "crm-7", 4)
