"""CSV import through the API (/api/v1/leads/import/) and the HTML pages (/leads/import/)."""
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads.models import ImportMapping, Lead
from leads.services import imports

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
URL = "/api/v1/leads/import/"
MAPPING = {
    "columns": {"name": "Full Name", "email": "E-mail", "company": "Company", "industry": "Sector",
                "company_size": "Employees", "region": "Area", "source": "Channel", "outcome": "Won",
                "total_visits": "Visits", "do_not_email": "Opt out"},
    "values": {"source": {"Google": "paid_search", "Referral": "referral", "": "other", "*": "other"}},
}


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.LEADS_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.LEADS_IMPORT_STAGING_DIR


@pytest.fixture
def mapping(db):
    return ImportMapping.objects.create(name="Trade fair", **MAPPING)


def upload(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")


class TestImportApi:
    def post(self, api, user, name, **data):
        return api.as_user(user).post(URL, {"file": upload(name), "mapping": "Trade fair", **data}, format="multipart")

    def test_it_imports_and_answers_201(self, api, org, mapping):
        response = self.post(api, org["owner"], "leads_ok.csv")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["rows"], body["created"], body["error_count"]) == (3, 3, 0)
        assert Lead.objects.filter(owner=org["owner"]).count() == 3
        assert body["lead_ids"] == [Lead.objects.order_by("pk").first().pk, Lead.objects.order_by("pk").last().pk]

    def test_a_dry_run_answers_200_with_a_preview(self, api, org, mapping):
        response = self.post(api, org["owner"], "leads_ok.csv", dry_run="true")
        assert response.status_code == 200
        assert response.json()["to_create"] == 3 and len(response.json()["preview"]) == 3
        assert not Lead.objects.exists()

    def test_row_errors_answer_400_and_nothing_is_imported(self, api, org, mapping):
        response = self.post(api, org["owner"], "leads_bad.csv")
        assert response.status_code == 400
        body = response.json()
        assert body["created"] == 0 and body["error_count"] >= 9
        assert {"row": 5, "column": "Employees", "field": "company_size",
                "message": "“lots” is not a whole number."} in body["errors"]
        assert not Lead.objects.exists()

    def test_an_unknown_mapping_or_missing_file_is_a_400(self, api, org, mapping):
        client = api.as_user(org["owner"])
        response = client.post(URL, {"file": upload("leads_ok.csv"), "mapping": "Nope"}, format="multipart")
        assert response.status_code == 400 and "mapping" in response.json()
        response = client.post(URL, {"mapping": "Trade fair"}, format="multipart")
        assert response.status_code == 400 and "file" in response.json()
        response = client.post(URL, {"mapping": "Trade fair"}, format="json")
        assert response.status_code == 415

    def test_a_binary_file_is_a_400_not_a_500(self, api, org, mapping):
        response = api.as_user(org["owner"]).post(URL, {
            "file": SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff"), "mapping": "Trade fair"},
            format="multipart")
        assert response.status_code == 400
        assert "file" in response.json()

    def test_a_file_over_the_limit_is_refused(self, api, org, mapping, monkeypatch):
        monkeypatch.setattr(imports, "MAX_BYTES", 10)
        response = self.post(api, org["owner"], "leads_ok.csv")
        assert response.status_code == 400 and "file" in response.json()

    def test_anonymous_callers_get_a_401(self, client, mapping):
        assert client.post(URL, {}).status_code == 401


class TestImportPages:
    def test_the_lead_list_links_to_the_import_page(self, client, org):
        client.force_login(org["owner"])
        assert reverse("leads:import") in client.get(reverse("leads:list")).content.decode()

    def test_preview_then_confirm_imports_the_file(self, client, org, mapping, staging):
        client.force_login(org["owner"])
        response = client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), "mapping": mapping.pk})
        assert response.status_code == 200
        assert response.templates[0].name == "leads/import_preview.html"
        assert not Lead.objects.exists()
        token = response.context["token"]
        assert "Ada Lovelace" in response.content.decode() and token
        response = client.post(reverse("leads:import-confirm"), {"token": token})
        assert response.status_code == 302 and response.url == reverse("leads:list")
        assert Lead.objects.filter(owner=org["owner"]).count() == 3
        assert not list(staging.glob("*.csv"))  # the staged upload is removed

    def test_a_pasted_mapping_works_too(self, client, org):
        client.force_login(org["owner"])
        response = client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"),
                                                         "mapping_json": json.dumps(MAPPING)})
        assert response.context["result"].to_create == 3

    def test_errors_are_listed_and_there_is_nothing_to_confirm(self, client, org, mapping):
        client.force_login(org["owner"])
        response = client.post(reverse("leads:import"), {"file": upload("leads_bad.csv"), "mapping": mapping.pk})
        body = response.content.decode()
        assert response.status_code == 200 and "“lots” is not a whole number." in body
        assert response.context["token"] is None and 'data-action="confirm-import"' not in body
        assert not Lead.objects.exists()

    @pytest.mark.parametrize("post, field", [
        ({"mapping_json": "{not json"}, "mapping"),
        ({}, "mapping"),
        ({"mapping_json": '{"columns": {"name": "Nope"}}'}, None),
    ])
    def test_bad_mappings_show_form_errors(self, client, org, post, field):
        client.force_login(org["owner"])
        response = client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), **post})
        assert response.status_code == 200
        assert response.templates[0].name == "leads/import_form.html"
        form = response.context["form"]
        assert form.errors and (field is None or field in form.errors)
        assert not Lead.objects.exists()

    def test_an_oversized_file_gets_a_clear_error(self, client, org, mapping, monkeypatch):
        monkeypatch.setattr(imports, "MAX_BYTES", 10)
        client.force_login(org["owner"])
        response = client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), "mapping": mapping.pk})
        assert "larger than" in str(response.context["form"].errors["file"])

    def test_confirming_without_a_matching_upload_imports_nothing(self, client, org, mapping):
        client.force_login(org["owner"])
        client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), "mapping": mapping.pk})
        response = client.post(reverse("leads:import-confirm"), {"token": "0" * 32}, follow=True)
        assert "no longer available" in response.content.decode()
        assert not Lead.objects.exists()

    def test_another_user_cannot_confirm_someone_elses_upload(self, client, org, mapping):
        client.force_login(org["owner"])
        token = client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), "mapping": mapping.pk}).context["token"]
        client.force_login(org["teammate"])
        client.post(reverse("leads:import-confirm"), {"token": token})
        assert not Lead.objects.exists()

    def test_the_page_needs_a_login(self, client):
        assert client.get(reverse("leads:import")).status_code == 302
