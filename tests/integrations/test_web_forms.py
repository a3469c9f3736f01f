"""Web-to-lead: the public form endpoint (JSON and form-encoded), CORS allow-list, honeypot,
rate limit, UTM fields, a resubmission recorded as an event on the existing lead; the form page."""
import pytest
from rest_framework.test import APIClient

from leads.models import Lead, LeadEvent, WebForm
from leads.services.web_forms import web_form_save

ORIGIN = "https://www.example.com"


@pytest.fixture
def form(org):
    return web_form_save(by=org["marketing"], name="Contact us", allowed_origins=f"{ORIGIN}\nhttps://shop.example.com",
                         posted_as=org["marketing"])


def _post(form, data, *, origin=ORIGIN, fmt="json"):
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    if fmt == "form":
        from urllib.parse import urlencode

        return APIClient().post(f"/api/v1/public/forms/{form.key}/", urlencode(data),
                                content_type="application/x-www-form-urlencoded", **extra)
    return APIClient().post(f"/api/v1/public/forms/{form.key}/", data, format=fmt, **extra)


def test_a_submission_creates_one_lead_then_an_event_on_resubmission(form):
    data = {"name": "Lin", "email": "lin@example.com", "company": "Acme", "utm_source": "newsletter",
            "utm_medium": "email", "utm_campaign": "spring", "utm_term": "crm", "utm_content": "cta"}
    first = _post(form, data)
    assert first.status_code == 200, first.content
    assert first["Access-Control-Allow-Origin"] == ORIGIN
    lead = Lead.objects.get()
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign, lead.utm_term, lead.utm_content) == (
        "newsletter", "email", "spring", "crm", "cta")
    assert lead.owner is None and lead.source == "website"  # the pool: routing decides
    again = _post(form, {"email": "LIN@example.com", "name": "Lin"}, fmt="form")  # form-encoded
    assert again.status_code == 200 and again.json() == first.json()  # nothing revealed
    assert Lead.objects.count() == 1
    event = LeadEvent.objects.get()
    assert event.lead == lead and event.event_type.code == "form_submitted"


def test_a_filled_honeypot_creates_nothing_and_looks_accepted(form):
    response = _post(form, {"name": "Bot", "email": "bot@example.com", "website": "http://spam"})
    assert response.status_code == 200
    assert not Lead.objects.exists() and not LeadEvent.objects.exists()


def test_a_disallowed_origin_gets_no_cors_header_and_stores_nothing(form):
    response = _post(form, {"email": "eve@example.com"}, origin="https://evil.example.net")
    assert response.status_code == 403 and "Access-Control-Allow-Origin" not in response
    assert not Lead.objects.exists()
    preflight = APIClient().options(f"/api/v1/public/forms/{form.key}/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in preflight


def test_the_preflight_answers_allowed_origins(form):
    response = APIClient().options(f"/api/v1/public/forms/{form.key}/", HTTP_ORIGIN="https://shop.example.com",
                                   HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "POST" in response["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("data", [{}, {"email": "not-an-email"}, {"email": 5}, {"email": "a@b.co", "name": "x" * 300},
                                  ["a"], {"email": "a\x00@b.co"}])
def test_bad_input_is_a_400_and_stores_nothing(form, data):
    response = _post(form, data)
    assert response.status_code == 400, response.content
    assert not Lead.objects.exists()


def test_unknown_and_inactive_forms_are_404(form):
    WebForm.objects.filter(pk=form.pk).update(is_active=False)
    assert _post(form, {"email": "a@b.co"}).status_code == 404
    assert APIClient().post("/api/v1/public/forms/nope/", {"email": "a@b.co"}, format="json").status_code == 404


def test_submissions_are_rate_limited_per_address(form, monkeypatch):
    from salesops.throttling import PublicFormThrottle

    monkeypatch.setattr(PublicFormThrottle, "THROTTLE_RATES", {"public_form": "2/min"})
    statuses = [_post(form, {"email": f"p{n}@example.com"}) for n in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[-1]["Retry-After"]) > 0
    assert Lead.objects.count() == 2


def test_the_form_page_shows_the_snippet_to_marketing(client, org, form):
    client.force_login(org["marketing"])
    response = client.get(f"/leads/forms/{form.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/api/v1/public/forms/{form.key}/" in html and "name=&quot;website&quot;" in html
    client.force_login(org["owner"])
    assert client.get(f"/leads/forms/{form.pk}/").status_code == 403


def test_forms_refuse_a_poster_who_cannot_create_leads(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        web_form_save(by=org["marketing"], name="x", posted_as=org["owner"])
    with pytest.raises(ValidationError):
        web_form_save(by=org["marketing"], name="x", posted_as=org["marketing"], allowed_origins="example.com")
