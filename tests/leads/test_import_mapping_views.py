"""The import mapping screen: upload -> kept file -> map columns (save by name) -> check -> import,
the progress status, the error report, and who may use it."""
import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads.models import ImportMapping, Lead, LeadImportJob, LeadImportUpload
from leads.services.import_uploads import mapping_from_choices
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
OK_CHOICES = {"Full Name": "name", "E-mail": "email", "Company": "company", "Sector": "industry",
              "Employees": "company_size", "Area": "", "Channel": "", "Won": "outcome", "Visits": "total_visits",
              "Opt out": "do_not_email"}


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.SALESOPS_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.SALESOPS_IMPORT_STAGING_DIR


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def upload(name, content=None):
    return SimpleUploadedFile(name, content if content is not None else (FIXTURES / name).read_bytes(),
                              content_type="text/csv")


def start(client, user, name="leads_ok.csv", content=None):
    client.force_login(user)
    response = client.post(reverse("leads:import"), {"file": upload(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    kept = LeadImportUpload.objects.latest("pk")
    assert response.url == reverse("leads:import-map", args=[kept.pk])
    return kept


def post_mapping(client, kept, choices, **extra):
    data = {f"col-{i}": choices.get(column, "") for i, column in enumerate(kept.header)}
    data.update(extra)
    return client.post(reverse("leads:import-map", args=[kept.pk]), data)


def test_the_screen_lists_columns_with_first_rows_and_guessed_fields(client, org):
    kept = start(client, org["mgr"])
    assert kept.header[:3] == ["Full Name", "E-mail", "Company"] and kept.row_count == 3
    response = client.get(reverse("leads:import-map", args=[kept.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ada Lovelace" in body and "Grace Hopper" in body   # preview of the first rows
    form = response.context["form"]
    assert form["col-0"].initial == "name" and form["col-1"].initial == "email"  # guessed by the header
    assert form["col-3"].initial == "industry"  # "Sector"


def test_the_file_is_kept_after_a_validation_error(client, org, staging):
    kept = start(client, org["mgr"])
    response = post_mapping(client, kept, {**OK_CHOICES, "Full Name": ""}, action="check")   # no name column
    assert response.status_code == 400
    assert "required" in response.content.decode()
    assert not LeadImportJob.objects.exists()
    assert (Path(staging) / kept.staged_name).exists()
    # and with the mistake mended, the same kept file is checked: no second upload
    response = post_mapping(client, kept, OK_CHOICES, action="check")
    assert response.status_code == 302
    job = LeadImportJob.objects.get()
    assert job.options["upload"] == kept.pk and job.options["mapping"]["columns"]["name"] == "Full Name"


def test_a_bad_pasted_mapping_keeps_the_file_too(client, org):
    client.force_login(org["mgr"])
    response = client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), "mapping_json": "{no"})
    assert response.status_code == 200 and response.context["kept"] is not None
    assert reverse("leads:import-map", args=[response.context["kept"].pk]) in response.content.decode()


def test_the_mapping_saves_by_name_and_is_offered_next_time(client, org):
    kept = start(client, org["mgr"])
    response = post_mapping(client, kept, OK_CHOICES, action="save", save_as="Trade fair 2026")
    assert response.status_code == 302
    saved = ImportMapping.objects.get(name="Trade fair 2026")
    assert saved.columns == {"name": "Full Name", "email": "E-mail", "company": "Company", "industry": "Sector",
                             "company_size": "Employees", "outcome": "Won", "total_visits": "Visits",
                             "do_not_email": "Opt out"}
    # saving again under the same name replaces it
    post_mapping(client, kept, {**OK_CHOICES, "Company": ""}, action="save", save_as="Trade fair 2026")
    assert "company" not in ImportMapping.objects.get(name="Trade fair 2026").columns
    assert ImportMapping.objects.filter(name="Trade fair 2026").count() == 1
    other = start(client, org["mgr"])
    page = client.get(reverse("leads:import-map", args=[other.pk]), {"mapping": saved.pk})
    assert page.context["form"]["col-2"].initial == ""  # the saved mapping's choice, not the guess
    assert "Trade fair 2026" in page.content.decode()


def test_a_check_then_the_import_runs_to_completion(client, org, run_jobs):
    kept = start(client, org["mgr"])
    with run_jobs():
        response = post_mapping(client, kept, OK_CHOICES, action="check")
    job = LeadImportJob.objects.get()
    assert (job.preview, job.status) == (True, "done")
    body = client.get(response.url).content.decode()
    assert 'data-rows-ok="3"' in body and "data-rows-with-errors" not in body
    status = client.get(reverse("leads:import-job-status", args=[job.pk])).json()
    assert status == {"status": "done", "label": "Done", "percent": 100, "processed": 3, "total": 3, "finished": True}
    with run_jobs():
        response = client.post(reverse("leads:import-confirm", args=[job.pk]))
    assert Lead.objects.filter(owner=org["mgr"]).count() == 3


def test_the_error_report_downloads_with_the_right_rows(client, org, run_jobs):
    kept = start(client, org["mgr"], "leads_bad.csv")
    with run_jobs():
        response = post_mapping(client, kept, OK_CHOICES, action="check")
    job = LeadImportJob.objects.get()
    assert job.status == "failed"
    page = client.get(response.url).content.decode()
    assert 'data-rows-ok="1"' in page and 'data-rows-with-errors="3"' in page
    assert reverse("leads:import-job-errors", args=[job.pk]) in page
    assert 'data-action="back-to-mapping"' in page   # the file is kept: change the mapping and check again
    report = client.get(reverse("leads:import-job-errors", args=[job.pk]))
    assert report["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Column", "Problem"]
    assert {row[0] for row in rows[1:]} == {"3", "4", "5"}
    assert ["5", "Employees", "“lots” is not a whole number."] in rows
    assert len(rows) - 1 == job.outcome.error_count


def test_a_rep_without_the_import_predicate_gets_403(client, org):
    kept = start(client, org["mgr"])
    rep = UserFactory(username="rep-import", role="rep")
    client.force_login(rep)
    assert client.get(reverse("leads:import")).status_code == 403
    assert client.get(reverse("leads:import-map", args=[kept.pk])).status_code == 403
    assert post_mapping(client, kept, OK_CHOICES, action="check").status_code == 403
    assert not LeadImportJob.objects.exists()


def test_someone_elses_upload_is_not_found(client, org):
    kept = start(client, org["mgr"])
    client.force_login(org["marketing"])
    assert client.get(reverse("leads:import-map", args=[kept.pk])).status_code == 404


def test_a_field_chosen_twice_is_refused_with_a_message(client, org):
    kept = start(client, org["mgr"])
    response = post_mapping(client, kept, {**OK_CHOICES, "Company": "name"}, action="check")
    assert response.status_code == 400
    assert "is chosen for more than one column: Full Name, Company" in response.content.decode()


def test_a_saved_mappings_value_maps_and_templates_are_kept(org):
    kept = LeadImportUpload(header=["Full Name", "Channel", "Lead Number"], sample=[])
    base = ImportMapping(name="Fair", columns={"name": "Full Name", "source": "Channel",
                                               "external_ref": "Fair {Lead Number}"},
                         values={"source": {"Google": "paid_search"}})
    mapping = mapping_from_choices(upload=kept, choices={"Full Name": "name", "Channel": "source", "Lead Number": ""},
                                   base=base)
    assert mapping["columns"] == {"name": "Full Name", "source": "Channel", "external_ref": "Fair {Lead Number}"}
    assert mapping["values"] == {"source": {"Google": "paid_search"}}


@pytest.mark.parametrize("data", [
    {"col-0": "not-a-field"},
    {"col-0": "name", "col-1": "name"},
    {"col-0": "name", "save_as": "x" * 300, "action": "save"},
])
def test_garbage_on_the_mapping_screen_is_refused_without_a_500(client, org, data):
    kept = start(client, org["mgr"])
    mappings = set(ImportMapping.objects.values_list("name", flat=True))
    response = client.post(reverse("leads:import-map", args=[kept.pk]), data)
    assert response.status_code == 400
    assert not LeadImportJob.objects.exists()
    assert set(ImportMapping.objects.values_list("name", flat=True)) == mappings
    assert client.get(reverse("leads:import-map", args=[kept.pk]), {"mapping": "abc"}).status_code == 200


def test_a_file_that_is_not_csv_is_refused_at_upload_with_a_message(client, org):
    client.force_login(org["mgr"])
    response = client.post(reverse("leads:import"), {"file": upload("x.csv", b"\x00\x01\x02binary")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not LeadImportUpload.objects.exists()


def test_day_old_uploads_are_removed_with_their_files(client, org):
    from datetime import timedelta

    from django.utils import timezone
    old = start(client, org["mgr"])
    LeadImportUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    new = start(client, org["mgr"])
    assert list(LeadImportUpload.objects.values_list("pk", flat=True)) == [new.pk]
