"""Importing the Maven CRM layout: mapping, row errors, all-or-nothing, idempotence, command and upload."""
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.timezone import localdate

from customers.models import Account
from pipeline import maven
from pipeline.importing import opportunities_import
from pipeline.models import Opportunity, OpportunityImportJob, Product, StageTransition
from teams.models import Team, User
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staging(settings, tmp_path):
    settings.SALESOPS_IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.SALESOPS_IMPORT_STAGING_DIR

TEAMS = "sales_agent,manager,regional_office\r\nAnna Snelling,Dustin Brinkmann,Central\r\nMoses Frase,Dustin Brinkmann,Central\r\n"
ACCOUNTS = ("account,sector,year_established,revenue,employees,office_location,subsidiary_of\r\n"
            "Acme Corporation,technolgy,1996,1100.04,2822,United States,\r\nBetatech,medical,1986,647.18,1185,Kenya,\r\n")
PRODUCTS = "product,series,sales_price\r\nGTX Pro,GTX,4821\r\nMG Special,MG,55\r\n"
HEADER = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\r\n"
GOOD = HEADER + (
    "W1,Moses Frase,GTXPro,Acme Corporation,Won,2017-01-02,2017-03-01,4514\r\n"
    "L1,Anna Snelling,MG Special,Betatech,Lost,2017-01-05,2017-02-01,0\r\n"
    "E1,Anna Snelling,GTX Pro,,Engaging,2017-06-01,,\r\n"
    "P1,Moses Frase,MG Special,,Prospecting,,,\r\n")


def dataset(pipeline=GOOD, **kwargs):
    return maven.parse(pipeline=pipeline, accounts=ACCOUNTS, products=PRODUCTS, teams=TEAMS, **kwargs)


class TestParse:
    def test_quirks_are_handled(self):
        data = dataset()
        assert data.errors == []
        won, lost, engaging, prospecting = data.deals
        assert won.product == "GTX Pro" and won.amount == Decimal("4514")
        # amounts as given (issue 13): the lost deal's 0 stays 0, the list price is only an estimate
        assert (lost.amount, lost.close_value, lost.estimate) == (Decimal("0"), Decimal("0"), Decimal("55"))
        assert won.estimate is None
        # an open deal without close_value has no amount (empty), the estimate apart; no engage_date: date unknown
        assert (engaging.close_value, engaging.estimate is not None) == (None, True)
        assert prospecting.date_unknown and not engaging.date_unknown
        assert engaging.stage_code == "needs_confirmed" and engaging.account == ""
        assert data.accounts["Acme Corporation"].sector == "technology"
        assert data.accounts["Acme Corporation"].sector_name == "technolgy"  # verbatim, as the file spells it
        assert data.aliases == {"GTXPro": ("GTX Pro", 1)}  # reported in the import summary
        assert dataset(engaging_stage="solution_demo").deals[2].stage_code == "solution_demo"

    def test_every_row_error_is_reported_with_its_row_number(self):
        bad = HEADER + (
            "X1,Nobody,GTX Pro,Acme Corporation,Won,2017-01-02,2017-03-01,10\r\n"
            "X2,Moses Frase,Widget,Acme Corporation,Won,2017-01-02,2017-03-01,10\r\n"
            "X3,Moses Frase,GTX Pro,Acme Corporation,Won,2017-01-02,,10\r\n"
            "X4,Moses Frase,GTX Pro,Acme Corporation,Won,2017-03-02,2017-03-01,10\r\n"
            "X5,Moses Frase,GTX Pro,Nowhere Inc,Maybe,2017-13-02,,-5\r\n"
            "X1,Moses Frase,GTX Pro,,Prospecting,,,\r\n")
        codes = {(e.row, e.code) for e in dataset(bad).errors}
        assert {(2, "unknown_agent"), (3, "unknown_product"), (4, "date_required"), (5, "closed_before_engaged"),
                (6, "unknown_account"), (6, "unknown_stage"), (6, "bad_date"), (6, "bad_value"),
                (7, "duplicate_id")} <= codes

    def test_dates_outside_1900_to_2100_are_bad_dates(self):
        far = HEADER + ("X1,Moses Frase,GTX Pro,Acme Corporation,Won,0001-01-02,9999-03-01,10\r\n")
        errors = {(e.row, e.code, e.params["column"]) for e in dataset(far).errors if e.code == "bad_date"}
        assert errors == {(2, "bad_date", "engage_date"), (2, "bad_date", "close_date")}

    def test_missing_columns_are_a_file_error(self):
        assert dataset("id,stage\r\n1,Won\r\n").errors[0].code == "missing_columns"


class TestImport:
    def test_it_creates_people_accounts_products_and_deals_with_history(self):
        result = opportunities_import(dataset=dataset())
        counts = result.counts
        assert (result.created, counts["users"], counts["teams"], counts["products"]) == (4, 3, 1, 2)
        team = Team.objects.get(name="Central – Dustin Brinkmann")
        manager = User.objects.get(username="dustin.brinkmann")
        assert team.manager == manager and manager.role == "manager" and not manager.has_usable_password()
        rep = User.objects.get(username="moses.frase")
        assert rep.role == "rep" and rep.team == team and not rep.has_usable_password()
        won = Opportunity.objects.get(external_ref="W1")
        assert won.stage.code == "closed_won" and won.amount == Decimal("4514") and won.currency == "USD"
        assert localdate(won.created_at).isoformat() == "2017-01-02"
        assert localdate(won.closed_at).isoformat() == "2017-03-01" == localdate(won.stage_entered_at).isoformat()
        assert won.account.industry == "technology" and won.owner == rep and won.team == team
        assert won.lines.get().product == Product.objects.get(name="GTX Pro")
        ledger = list(won.transitions.values_list("from_stage__code", "to_stage__code", "kind"))
        assert ledger == [(None, "needs_confirmed", "imported"), ("needs_confirmed", "closed_won", "imported")]
        engaging = Opportunity.objects.get(external_ref="E1")
        assert engaging.closed_at is None and engaging.account.external_ref == "maven:(none)"
        assert list(engaging.transitions.values_list("to_stage__code", flat=True)) == ["needs_confirmed"]
        assert Opportunity.objects.get(external_ref="P1").stage.code == "lead_identified"
        # issue 13: what the file says, no more
        assert team.regional_office == "Central"
        assert won.account.sector.name == "technolgy" and won.account.sector.industry == "technology"
        assert (won.amount_known, won.amount_estimate, won.date_unknown) == (True, None, False)
        assert (engaging.amount, engaging.amount_known, engaging.amount_estimate) == (0, False, Decimal("4821"))
        lost = Opportunity.objects.get(external_ref="L1")
        assert (lost.amount, lost.amount_known, lost.amount_estimate) == (0, True, Decimal("55"))
        prospecting = Opportunity.objects.get(external_ref="P1")
        assert prospecting.date_unknown and not engaging.date_unknown
        assert (counts["sectors"], counts["sectors_seen"], counts["offices"]) == (2, 2, 1)
        assert (counts["amount_unknown"], counts["date_unknown"]) == (2, 1)

    def test_the_summary_reports_rows_verbatim_values_and_aliases(self):
        from pipeline.importing import alias_lines, summary_message

        data = dataset()
        text = summary_message(opportunities_import(dataset=data), alias_lines(data))
        assert "Rows read: 4; created 4, updated 0, skipped (unchanged) 0." in text
        assert "2 sectors (2 new reference values), 1 regional offices" in text
        assert "GTXPro → GTX Pro (1 rows)" in text

    def test_a_new_import_updates_known_deals_by_external_id(self):
        opportunities_import(dataset=dataset())
        # as an older importer left them: list price as the amount, import moment as the date
        Opportunity.objects.filter(external_ref__in=["E1", "P1"]).update(amount=Decimal("4821"), amount_known=True,
                                                                         amount_estimate=None, date_unknown=False)
        again = opportunities_import(dataset=dataset())
        assert (again.counts["updated"], again.unchanged, again.created) == (2, 2, 0)
        engaging = Opportunity.objects.get(external_ref="E1")
        assert (engaging.amount, engaging.amount_known, engaging.amount_estimate) == (0, False, Decimal("4821"))
        assert Opportunity.objects.get(external_ref="P1").date_unknown

    def test_the_job_page_learns_that_every_row_was_checked_before_the_deals_are_written(self):
        class Recorder:
            def __init__(self):
                self.calls = []

            def total(self, n):
                self.calls.append(("total", n))

            def checked(self, n):
                self.calls.append(("checked", n))

        progress = Recorder()
        result = opportunities_import(dataset=dataset(), progress=progress)
        assert progress.calls == [("total", result.total_rows), ("checked", result.total_rows)]

    def test_errors_write_nothing(self):
        bad = GOOD + "Z9,Nobody,GTX Pro,,Prospecting,,,\r\n"
        result = opportunities_import(dataset=dataset(bad))
        assert not result.ok and result.error_count == 1 and result.created == 0
        error = result.errors[0]
        assert (error.file, error.row) == ("sales_pipeline.csv", 6) and "Nobody" in error.message
        assert not Opportunity.objects.exists() and not User.objects.filter(username="moses.frase").exists()

    def test_it_is_idempotent_and_moves_deals_whose_stage_changed(self):
        opportunities_import(dataset=dataset())
        again = opportunities_import(dataset=dataset())
        assert (again.created, again.unchanged, again.counts["users"], again.counts["accounts"]) == (0, 4, 0, 0)
        assert Opportunity.objects.count() == 4 and StageTransition.objects.count() == 6
        changed = GOOD.replace("E1,Anna Snelling,GTX Pro,,Engaging,2017-06-01,,",
                               "E1,Anna Snelling,GTX Pro,,Won,2017-06-01,2017-07-01,4000")
        result = opportunities_import(dataset=dataset(changed))
        assert result.moved == 1
        deal = Opportunity.objects.get(external_ref="E1")
        assert deal.stage.code == "closed_won" and deal.amount == Decimal("4000")
        assert deal.amount_known and deal.amount_estimate is None
        assert deal.transitions.last().kind == "imported"


class TestCommandAndUpload:
    def _files(self, tmp_path, pipeline=GOOD):
        for name, text in (("sales_pipeline.csv", pipeline), ("accounts.csv", ACCOUNTS), ("products.csv", PRODUCTS),
                           ("sales_teams.csv", TEAMS)):
            (tmp_path / name).write_text(text, newline="")
        return tmp_path / "sales_pipeline.csv"

    def test_the_command_imports_and_reports_errors(self, tmp_path):
        out = StringIO()
        call_command("import_opportunities", str(self._files(tmp_path)), stdout=out)
        assert "4 new opportunities" in out.getvalue()
        err = StringIO()
        with pytest.raises(CommandError):
            call_command("import_opportunities", str(self._files(tmp_path, GOOD + "Q,x,y,,Won,,,\r\n")), stderr=err)
        assert "sales_pipeline.csv:6:" in err.getvalue()

    def test_the_command_needs_the_sibling_files(self, tmp_path):
        (tmp_path / "sales_pipeline.csv").write_text(GOOD)
        with pytest.raises(CommandError):
            call_command("import_opportunities", str(tmp_path / "sales_pipeline.csv"))

    def _upload(self, pipeline=GOOD):
        return {"pipeline": SimpleUploadedFile("p.csv", pipeline.encode()),
                "accounts": SimpleUploadedFile("a.csv", ACCOUNTS.encode()),
                "products": SimpleUploadedFile("pr.csv", PRODUCTS.encode()),
                "teams": SimpleUploadedFile("t.csv", TEAMS.encode()), "engaging_stage": "needs_confirmed"}

    def test_admins_upload_in_the_browser_and_a_job_imports_in_the_background(
            self, client, org, staging, django_capture_on_commit_callbacks):
        client.force_login(org["admin"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("pipeline:import"), self._upload())
        job = OpportunityImportJob.objects.get()
        assert response.status_code == 302 and response.url == reverse("pipeline:import-job", args=[job.pk])
        assert (job.status, job.processed, job.total, job.created_by) == ("done", 4, 4, org["admin"])
        assert Opportunity.objects.count() == 4 and StageTransition.objects.filter(by=org["admin"]).count() == 6
        page = client.get(response.url).content.decode()
        assert "4 new opportunities" in page and 'http-equiv="refresh"' not in page
        assert not list(staging.iterdir())  # the staged uploads are gone once the job ran

    def test_a_bad_file_ends_the_job_failed_with_every_row_error_and_nothing_imported(
            self, client, org, staging, django_capture_on_commit_callbacks):
        client.force_login(org["admin"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("pipeline:import"), self._upload(GOOD + "Q,Nobody,GTX Pro,,Won,,,\r\n"))
        job = OpportunityImportJob.objects.get()
        assert job.status == "failed" and job.error == "4 problems found in 5 rows; nothing was imported."
        assert {(e.file, e.row) for e in job.outcome.errors} == {("sales_pipeline.csv", 6)}
        page = client.get(response.url).content.decode()
        assert 'data-table="import-errors"' in page and "Nobody" in page
        assert not Opportunity.objects.exists() and not Account.objects.exists()
        # the error report downloads as CSV (file, row, column, message), and the status is JSON
        assert reverse("pipeline:import-job-errors", args=[job.pk]) in page
        report = client.get(reverse("pipeline:import-job-errors", args=[job.pk])).content.decode("utf-8-sig")
        lines = report.strip().splitlines()
        assert lines[0] == "File,Row,Column,Problem" and len(lines) == 1 + job.outcome.error_count
        assert all(line.startswith("sales_pipeline.csv,6,") for line in lines[1:])
        status = client.get(reverse("pipeline:import-job-status", args=[job.pk])).json()
        assert (status["status"], status["finished"]) == ("failed", True)
        client.force_login(UserFactory(username="not-the-importer"))
        assert client.get(reverse("pipeline:import-job-errors", args=[job.pk])).status_code == 404

    def test_a_queued_job_page_refreshes_itself_until_the_job_ends(self, client, org, staging):
        client.force_login(org["admin"])
        response = client.post(reverse("pipeline:import"), self._upload())  # on_commit not run: still queued
        job = OpportunityImportJob.objects.get()
        assert job.status == "queued" and not Opportunity.objects.exists()
        assert 'http-equiv="refresh"' in client.get(response.url).content.decode()

    @pytest.mark.parametrize("role", ["manager", "success", "rep", "marketing"])
    def test_only_admins_may_import_deals_by_default(self, client, api, role, staging):
        user = UserFactory(username=f"import-{role}", role=role)
        client.force_login(user)
        assert client.get(reverse("pipeline:import")).status_code == 403
        assert client.post(reverse("pipeline:import"), self._upload()).status_code == 403
        response = api.as_user(user).post("/api/v1/opportunity-import-jobs/", self._upload(), format="multipart")
        assert response.status_code == 403
        assert not OpportunityImportJob.objects.exists() and not Account.objects.exists()

    def test_the_api_starts_a_job_and_shows_its_status(self, api, org, staging, django_capture_on_commit_callbacks):
        client = api.as_user(org["admin"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/opportunity-import-jobs/", self._upload(), format="multipart")
        assert response.status_code == 202 and response.json()["status"] == "queued"
        body = client.get(f"/api/v1/opportunity-import-jobs/{response.json()['id']}/").json()
        assert (body["status"], body["processed"], body["total"], body["percent"]) == ("done", 4, 4, 100)
        assert body["summary"]["created"] == 4 and body["summary"]["counts"]["users"] == 3
        assert body["errors"] == [] and body["error_count"] == 0

    def test_the_command_runs_as_a_user_who_may_import(self, tmp_path, org):
        path = str(self._files(tmp_path))
        with pytest.raises(CommandError, match="may not import"):
            call_command("import_opportunities", path, "--as-user", org["mgr"].username)
        call_command("import_opportunities", path, "--as-user", org["admin"].username, stdout=StringIO())
        assert StageTransition.objects.filter(by=org["admin"]).count() == 6
