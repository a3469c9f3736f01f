"""CSV import as background jobs: the API (/api/v1/leads/import/, /api/v1/lead-import-jobs/) and the pages
(/leads/import/ -> job page -> confirm). Tasks run eagerly once the request's transaction commits."""
import json
import stat
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from leads.models import ImportMapping, Lead, LeadImportJob
from leads.services.imports import lead_import_job_run
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
URL = "/api/v1/leads/import/"
JOBS = "/api/v1/lead-import-jobs/"
MAPPING = {
    "columns": {"name": "Full Name", "email": "E-mail", "company": "Company", "industry": "Sector",
                "company_size": "Employees", "region": "Area", "source": "Channel", "outcome": "Won",
                "total_visits": "Visits", "do_not_email": "Opt out"},
    "values": {"source": {"Google": "paid_search", "Referral": "referral", "": "other", "*": "other"}},
}


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    settings.SALESOPS_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.SALESOPS_IMPORT_STAGING_DIR


@pytest.fixture
def mapping(db):
    return ImportMapping.objects.create(name="Trade fair", **MAPPING)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run what the request queued on commit (the eager Celery task), as a worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def upload(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")


class TestImportApi:
    def post(self, api, user, name, **data):
        return api.as_user(user).post(URL, {"file": upload(name), "mapping": "Trade fair", **data}, format="multipart")

    def test_it_answers_202_with_a_queued_job_that_then_imports(self, api, org, mapping, run_jobs):
        with run_jobs():
            response = self.post(api, org["marketing"], "leads_ok.csv")
        assert response.status_code == 202, response.json()
        assert (response.json()["status"], response.json()["preview"]) == ("queued", False)
        body = api.get(f"{JOBS}{response.json()['id']}/").json()
        assert (body["status"], body["processed"], body["total"], body["percent"]) == ("done", 3, 3, 100)
        assert (body["summary"]["rows"], body["summary"]["created"], body["error_count"]) == (3, 3, 0)
        assert Lead.objects.filter(owner=org["marketing"]).count() == 3
        first, last = Lead.objects.order_by("pk").first(), Lead.objects.order_by("pk").last()
        assert body["summary"]["first_and_last_id"] == [first.pk, last.pk]

    def test_a_dry_run_job_previews_and_can_be_confirmed_once(self, api, org, mapping, run_jobs):
        with run_jobs():
            job_id = self.post(api, org["mgr"], "leads_ok.csv", dry_run="true").json()["id"]
        body = api.get(f"{JOBS}{job_id}/").json()
        assert body["status"] == "done" and body["summary"]["to_create"] == 3 and len(body["summary"]["preview"]) == 3
        assert not Lead.objects.exists()
        with run_jobs():
            confirmed = api.post(f"{JOBS}{job_id}/confirm/")
        assert confirmed.status_code == 202 and confirmed.json()["preview_of"] == job_id
        assert Lead.objects.count() == 3
        assert api.post(f"{JOBS}{job_id}/confirm/").json()["id"] == confirmed.json()["id"]  # once only
        assert Lead.objects.count() == 3

    def test_row_errors_end_the_job_failed_and_nothing_is_imported(self, api, org, mapping, run_jobs):
        with run_jobs():
            job_id = self.post(api, org["mgr"], "leads_bad.csv").json()["id"]
        body = api.get(f"{JOBS}{job_id}/").json()
        assert body["status"] == "failed" and body["error_count"] >= 9
        rows = body["summary"]["rows"]
        assert body["error"] == f"{body['error_count']} problems found in {rows} rows; nothing was imported."
        assert {"row": 5, "column": "Employees", "field": "company_size", "file": "",
                "message": "“lots” is not a whole number."} in body["errors"]
        assert body["summary"]["created"] == 0 and not Lead.objects.exists()

    def test_an_unknown_mapping_or_missing_file_is_a_400(self, api, org, mapping):
        client = api.as_user(org["mgr"])
        response = client.post(URL, {"file": upload("leads_ok.csv"), "mapping": "Nope"}, format="multipart")
        assert response.status_code == 400 and "mapping" in response.json()
        response = client.post(URL, {"mapping": "Trade fair"}, format="multipart")
        assert response.status_code == 400 and "file" in response.json()
        response = client.post(URL, {"mapping": "Trade fair"}, format="json")
        assert response.status_code == 415
        assert not LeadImportJob.objects.exists()

    def test_a_binary_file_is_a_400_at_once(self, api, org, mapping):
        response = api.as_user(org["mgr"]).post(URL, {
            "file": SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff"), "mapping": "Trade fair"},
            format="multipart")
        assert response.status_code == 400 and "UTF-8" in response.json()["file"][0]
        assert not LeadImportJob.objects.exists()

    def test_a_file_over_the_limit_is_refused_with_a_message(self, api, org, mapping, settings):
        settings.SALESOPS_IMPORT_MAX_BYTES = 10
        response = self.post(api, org["mgr"], "leads_ok.csv")
        assert response.status_code == 400
        assert response.json()["file"] == ["The file is larger than 10\xa0bytes."]
        assert not LeadImportJob.objects.exists()

    @pytest.mark.parametrize("role", ["success", "rep"])
    def test_customer_success_and_reps_get_a_403(self, api, role, mapping):
        user = UserFactory(username=f"api-{role}", role=role)
        response = self.post(api, user, "leads_ok.csv")
        assert response.status_code == 403 and "may not import leads" in response.json()["detail"]
        assert not LeadImportJob.objects.exists() and not Lead.objects.exists()

    def test_others_do_not_see_or_confirm_a_job(self, api, org, mapping, run_jobs):
        with run_jobs():
            job_id = self.post(api, org["mgr"], "leads_ok.csv", dry_run="true").json()["id"]
        other = api.as_user(org["marketing"])
        assert other.get(f"{JOBS}{job_id}/").status_code == 404
        assert other.post(f"{JOBS}{job_id}/confirm/").status_code == 404
        assert api.as_user(org["admin"]).get(f"{JOBS}{job_id}/").status_code == 200
        assert not Lead.objects.exists()

    def test_a_malformed_job_id_is_a_404(self, api, org):
        # found by schemathesis: "null,null" reached int() and answered 500
        response = api.as_user(org["mgr"]).post(f"{JOBS}null,null/confirm/")
        assert response.status_code == 404 and response.json()["detail"]

    def test_anonymous_callers_get_a_401(self, client, mapping):
        assert client.post(URL, {}).status_code == 401
        assert client.get(JOBS).status_code == 401


class TestImportPages:
    def start(self, client, user, name, mapping, run_jobs):
        client.force_login(user)
        with run_jobs():
            response = client.post(reverse("leads:import"), {"file": upload(name), "mapping": mapping.pk})
        assert response.status_code == 302, response.context and response.context["form"].errors
        return LeadImportJob.objects.latest("pk"), response

    def test_the_lead_list_links_to_the_import_page_for_those_who_may_import(self, client, org):
        client.force_login(org["marketing"])
        assert reverse("leads:import") in client.get(reverse("leads:list")).content.decode()
        client.force_login(org["owner"])
        assert reverse("leads:import") not in client.get(reverse("leads:list")).content.decode()

    def test_preview_job_then_confirm_imports_the_file(self, client, org, mapping, staging, run_jobs):
        job, response = self.start(client, org["mgr"], "leads_ok.csv", mapping, run_jobs)
        assert response.url == reverse("leads:import-job", args=[job.pk])
        assert (job.preview, job.status, job.processed, job.total) == (True, "done", 3, 3)
        assert not Lead.objects.exists()
        page = client.get(response.url)
        assert page.templates[0].name == "leads/import_job.html"
        assert "Ada Lovelace" in page.content.decode() and 'data-action="confirm-import"' in page.content.decode()
        with run_jobs():
            response = client.post(reverse("leads:import-confirm", args=[job.pk]))
        imported = LeadImportJob.objects.get(preview_of=job)
        assert response.url == reverse("leads:import-job", args=[imported.pk])
        assert (imported.status, imported.outcome.created) == ("done", 3)
        assert Lead.objects.filter(owner=org["mgr"]).count() == 3
        assert "Imported 3 leads" in client.get(response.url).content.decode()
        assert not list(staging.glob("*.csv"))  # the staged upload is removed after the import

    def test_the_staged_file_is_private_and_outside_the_system_temp_dir(self, client, org, mapping, settings):
        from django.conf import settings as live
        default = Path(live.BASE_DIR) / "var" / "import-staging"
        assert Path(tempfile.gettempdir()) not in default.parents
        client.force_login(org["mgr"])
        client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), "mapping": mapping.pk})  # queued only
        job = LeadImportJob.objects.get()
        path = Path(settings.SALESOPS_IMPORT_STAGING_DIR) / job.staged["file"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert 'http-equiv="refresh"' in client.get(reverse("leads:import-job", args=[job.pk])).content.decode()

    def test_a_pasted_mapping_works_too(self, client, org, run_jobs):
        client.force_login(org["mgr"])
        with run_jobs():
            client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), "mapping_json": json.dumps(MAPPING)})
        assert LeadImportJob.objects.get().outcome.to_create == 3

    def test_errors_are_listed_and_there_is_nothing_to_confirm(self, client, org, mapping, run_jobs):
        job, response = self.start(client, org["mgr"], "leads_bad.csv", mapping, run_jobs)
        body = client.get(response.url).content.decode()
        assert job.status == "failed" and "“lots” is not a whole number." in body and "nothing was imported" in body
        assert 'data-action="confirm-import"' not in body
        response = client.post(reverse("leads:import-confirm", args=[job.pk]), follow=True)
        assert "Only a finished preview without problems can be imported." in response.content.decode()
        assert not Lead.objects.exists()

    @pytest.mark.parametrize("post, field", [
        ({"mapping_json": "{not json"}, "mapping"),
        ({"mapping": "999999"}, "mapping"),
        ({"mapping_json": '{"columns": {"name": "Nope"}}'}, None),
    ])
    def test_bad_mappings_show_form_errors(self, client, org, post, field):
        client.force_login(org["mgr"])
        response = client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), **post})
        assert response.status_code == 200
        assert response.templates[0].name == "leads/import_form.html"
        form = response.context["form"]
        assert form.errors and (field is None or field in form.errors)
        assert not LeadImportJob.objects.exists()

    def test_an_oversized_file_gets_a_clear_error(self, client, org, mapping, settings):
        settings.SALESOPS_IMPORT_MAX_BYTES = 10
        client.force_login(org["mgr"])
        response = client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), "mapping": mapping.pk})
        assert response.context["form"].errors["file"] == ["The file is larger than 10\xa0bytes."]
        assert not LeadImportJob.objects.exists()

    def test_another_user_cannot_see_or_confirm_someone_elses_job(self, client, org, mapping, run_jobs):
        job, _response = self.start(client, org["mgr"], "leads_ok.csv", mapping, run_jobs)
        client.force_login(org["marketing"])
        assert client.get(reverse("leads:import-job", args=[job.pk])).status_code == 404
        assert client.post(reverse("leads:import-confirm", args=[job.pk])).status_code == 404
        assert not Lead.objects.exists()

    def test_an_administrator_follows_anyones_job_but_only_its_uploader_imports_it(self, client, org, mapping,
                                                                                 run_jobs):
        job, _response = self.start(client, org["mgr"], "leads_ok.csv", mapping, run_jobs)
        client.force_login(org["admin"])
        page = client.get(reverse("leads:import-job", args=[job.pk])).content.decode()
        assert "Ada Lovelace" in page and 'data-action="confirm-import"' not in page
        response = client.post(reverse("leads:import-confirm", args=[job.pk]), follow=True)
        assert response.status_code == 200 and "uploaded the file" in response.content.decode()
        assert not Lead.objects.exists()

    @pytest.mark.parametrize("role", ["success", "rep"])
    def test_customer_success_and_reps_get_a_403(self, client, role, mapping):
        client.force_login(UserFactory(username=f"page-{role}", role=role))
        assert client.get(reverse("leads:import")).status_code == 403
        response = client.post(reverse("leads:import"), {"file": upload("leads_ok.csv"), "mapping": mapping.pk})
        assert response.status_code == 403
        assert not LeadImportJob.objects.exists()

    def test_the_page_needs_a_login(self, client):
        assert client.get(reverse("leads:import")).status_code == 302


class TestJobRuns:
    def queued(self, org, mapping, name="leads_ok.csv", **kwargs):
        from leads.services.imports import lead_import_job_start
        return lead_import_job_start(by=org["mgr"], data=(FIXTURES / name).read_bytes(), file_name=name,
                                     mapping=mapping, **kwargs)

    def test_a_job_killed_while_running_runs_again_and_imports_once(self, org, mapping):
        job = self.queued(org, mapping, preview=False)
        LeadImportJob.objects.filter(pk=job.pk).update(status="running")  # its worker died: nothing was written
        lead_import_job_run(job_id=job.pk)
        lead_import_job_run(job_id=job.pk)  # a re-delivered task changes nothing
        job.refresh_from_db()
        assert (job.status, job.attempts, job.outcome.created) == ("done", 1, 3)
        assert Lead.objects.count() == 3

    def test_a_stale_job_is_queued_again_by_the_sweeper(self, org, mapping, django_capture_on_commit_callbacks):
        from datetime import timedelta

        from django.utils import timezone

        from leads.services.imports import lead_import_jobs_requeue_stale
        job = self.queued(org, mapping, preview=False)
        an_hour_ago = timezone.now() - timedelta(hours=1)
        LeadImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=an_hour_ago)
        fresh = self.queued(org, mapping, preview=True)
        LeadImportJob.objects.filter(pk=fresh.pk).update(status="running", heartbeat_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            assert lead_import_jobs_requeue_stale() == [job.pk]
        job.refresh_from_db()
        assert job.status == "done" and Lead.objects.count() == 3

    def test_a_message_redelivered_while_a_worker_runs_the_job_changes_nothing(self, org, mapping):
        from django.utils import timezone

        job = self.queued(org, mapping, preview=False)
        LeadImportJob.objects.filter(pk=job.pk).update(status="running", attempts=1, heartbeat_at=timezone.now())
        lead_import_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("running", 1) and not Lead.objects.exists()

    def test_the_sweeper_gives_a_job_up_after_so_many_starts(self, org, mapping, settings):
        from datetime import timedelta

        from django.utils import timezone

        from leads.services.imports import lead_import_jobs_requeue_stale
        job = self.queued(org, mapping, preview=False)
        LeadImportJob.objects.filter(pk=job.pk).update(status="running", attempts=settings.LEADS_JOB_MAX_ATTEMPTS,
                                                       heartbeat_at=timezone.now() - timedelta(hours=1))
        assert lead_import_jobs_requeue_stale() == []
        job.refresh_from_db()
        assert job.status == "failed" and str(settings.LEADS_JOB_MAX_ATTEMPTS) in job.error
        assert not Lead.objects.exists()

    def test_an_unexpected_error_ends_the_job_failed_with_its_reason(self, org, mapping, monkeypatch):
        job = self.queued(org, mapping, preview=False)

        def boom(**kwargs):
            raise ZeroDivisionError

        # after the leads are written (both ways: scored before the insert, or rescored after it)
        monkeypatch.setattr("leads.services.imports.leads_notify_new_owners", boom)
        lead_import_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == "failed" and "ZeroDivisionError" in job.error and job.finished_at
        assert not Lead.objects.exists()  # all or nothing

    def test_a_lost_staged_file_ends_the_job_failed(self, org, mapping, staging):
        job = self.queued(org, mapping, preview=False)
        (Path(staging) / job.staged["file"]).unlink()
        lead_import_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert (job.status, job.error) == ("failed", "The uploaded file is no longer available. Upload it again.")


class TestImportCommand:
    def test_it_runs_as_a_user_who_may_import_or_as_the_system(self, org, mapping):
        path = str(FIXTURES / "leads_ok.csv")
        with pytest.raises(CommandError, match="may not import"):
            call_command("import_leads", path, "--mapping", "Trade fair", "--as-user", org["owner"].username)
        assert not Lead.objects.exists()
        call_command("import_leads", path, "--mapping", "Trade fair", "--as-user", org["marketing"].username)
        assert Lead.objects.filter(owner=org["marketing"], imported_from="Trade fair").count() == 3


class TestImportedHistory:
    def test_the_lead_page_and_api_show_the_imported_outcome_and_nothing_converts(self, client, api, org):
        from leads.services.imports import leads_import
        text = b"Name,Outcome,Status\nA,1,\nB,0,\nC,,\nD,,converted\n"
        mapping = {"name": "Old CRM", "columns": {"name": "Name", "outcome": "Outcome", "status": "Status"}}
        result = leads_import(by=org["mgr"], data=text, mapping=mapping)
        assert result.ok and result.created == 4
        facts = dict(Lead.objects.values_list("name", "imported_converted"))
        assert facts == {"A": True, "B": False, "C": None, "D": True}  # blank: unknown; a "converted" status: history
        assert set(Lead.objects.values_list("status", "imported_from").distinct()) == {("new", "Old CRM")}
        assert not Lead.objects.filter(converted_at__isnull=False).exists()
        lead = Lead.objects.get(name="A")
        client.force_login(org["mgr"])
        page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        assert "From Old CRM on" in page and "converted per the source" in page
        body = api.as_user(org["mgr"]).get(f"/api/v1/leads/{lead.pk}/").json()
        assert (body["imported_from"], body["imported_converted"], body["status"]) == ("Old CRM", True, "new")
        response = api.patch(f"/api/v1/leads/{lead.pk}/", {"imported_converted": False}, format="json")
        assert response.status_code in (200, 400) and Lead.objects.get(pk=lead.pk).imported_converted is True

    def test_a_lead_converted_per_an_import_is_not_routed(self, org):
        from leads.services.imports import leads_import
        from leads.services.routing import lead_queue_q
        leads_import(by=None, data=b"Name,Outcome\nA,1\nB,0\n", default_owner=None,
                     mapping={"columns": {"name": "Name", "outcome": "Outcome"}})
        Lead.objects.update(mql_at=Lead.objects.first().created_at)
        assert list(Lead.objects.filter(lead_queue_q()).values_list("name", flat=True)) == ["B"]


class TestJobRaces:
    def test_a_lead_created_meanwhile_ends_the_job_failed_with_a_message(self, org, mapping, monkeypatch):
        from leads.services.imports import chunks, lead_import_job_start
        from tests.leads.factories import LeadFactory
        job = lead_import_job_start(by=org["mgr"], data=(FIXTURES / "leads_ok.csv").read_bytes(),
                                    file_name="leads_ok.csv", mapping=mapping, preview=False)
        LeadFactory(email="ADA@example.com")
        looked_up = chunks.existing_keys

        def before_someone_adds_ada(**kwargs):
            # the chunk's duplicate check ran just before another transaction committed Ada
            emails, refs = looked_up(**kwargs)
            return emails - {"ada@example.com"}, refs

        monkeypatch.setattr(chunks, "existing_keys", before_someone_adds_ada)
        lead_import_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == "failed" and "created by someone else during the import" in job.error
        assert list(Lead.objects.values_list("email", flat=True)) == ["ADA@example.com"]
