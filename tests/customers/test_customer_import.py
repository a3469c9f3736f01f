"""The customer importer on a small Telco-shaped file (no real data needed): page, job, rules, command."""
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from customers.models import Account, Contract, CustomerImportJob
from customers.services.customer_import import customers_import, mapping_get, reference_date

pytestmark = pytest.mark.django_db
HEADER = ("customerID,gender,SeniorCitizen,Partner,Dependents,tenure,PhoneService,MultipleLines,InternetService,"
          "OnlineSecurity,OnlineBackup,DeviceProtection,TechSupport,StreamingTV,StreamingMovies,Contract,"
          "PaperlessBilling,PaymentMethod,MonthlyCharges,TotalCharges,Churn")
ROWS = [
    "0001-A,Female,0,Yes,No,1,No,No phone service,DSL,No,Yes,No,No,No,No,Month-to-month,Yes,Electronic check,29.85,29.85,No",
    "0002-B,Male,0,No,No,34,Yes,No,DSL,Yes,No,Yes,No,No,No,One year,No,Mailed check,56.95,1889.5,No",
    "0003-C,Male,1,No,No,2,Yes,No,DSL,Yes,Yes,No,No,No,No,Month-to-month,Yes,Mailed check,53.85,108.15,Yes",
    "0004-D,Female,0,Yes,Yes,0,Yes,No,DSL,Yes,No,Yes,Yes,Yes,No,Two year,No,Mailed check,52.55, ,No",
]
REF = date(2026, 11, 1)


def telco(*rows) -> bytes:
    return ("\r\n".join([HEADER, *(rows or ROWS)]) + "\r\n").encode()


class TestCustomerImport:
    def test_rows_become_accounts_and_contracts(self, org):
        result = customers_import(data=telco(), mapping=mapping_get(), by=org["admin"], reference=REF)
        assert result.ok and (result.created, result.counts["churned"]) == (4, 1)
        churned = Contract.objects.get(external_ref="0003-C")
        assert (churned.start, churned.end, churned.status, churned.outcome, churned.outcome_at) == (
            date(2026, 9, 1), REF, "ended", "churned", REF)
        assert (churned.term, churned.mrr, churned.currency) == ("month_to_month", Decimal("53.85"), "USD")
        kept = Contract.objects.get(external_ref="0002-B")
        assert (kept.start, kept.end, kept.status, kept.term) == (date(2024, 1, 1), None, "active", "one_year")
        new = Account.objects.get(external_ref="0004-D")
        assert new.name == "0004-D" and new.owner == org["admin"]
        assert new.source_attributes["TotalCharges"] == "unknown" and new.source_attributes["tenure"] == "0"
        assert new.source_attributes["SeniorCitizen"] == "0" and "customerID" not in new.source_attributes

    def test_any_bad_row_imports_nothing(self, org):
        bad = ROWS[0].replace("Month-to-month", "Weekly").replace(",1,No,No phone", ",x,No,No phone")
        result = customers_import(data=telco(bad, ROWS[1], ROWS[1]), mapping=mapping_get(), by=org["admin"],
                                  reference=REF)
        codes = {(e.row, e.code) for e in result.errors}
        assert {(2, "unknown_term"), (2, "bad_tenure"), (4, "duplicate_id")} <= codes
        assert all(e.message for e in result.errors)
        assert Account.objects.count() == 0

    def test_a_rep_may_not_import(self, org):
        from django.core.exceptions import PermissionDenied
        with pytest.raises(PermissionDenied):
            customers_import(data=telco(), mapping=mapping_get(), by=org["owner"], reference=REF)

    @override_settings(CUSTOMERS_TELCO_REFERENCE_DATE="")
    def test_the_default_reference_date_is_the_first_of_last_month(self):
        assert reference_date(date(2026, 12, 1)) == date(2026, 11, 1)
        assert reference_date(date(2026, 1, 15)) == date(2025, 12, 1)

    @override_settings(CUSTOMERS_TELCO_REFERENCE_DATE="2025-06-01")
    def test_the_reference_date_setting(self):
        assert reference_date() == date(2025, 6, 1)


class TestImportPages:
    def test_an_admin_uploads_and_the_job_imports(self, client, org, django_capture_on_commit_callbacks):
        client.force_login(org["admin"])
        page = client.get(reverse("customers:import"))
        mapping = page.context["form"].fields["mapping"].queryset.get(name="IBM Telco")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("customers:import"), {
                "file": SimpleUploadedFile("telco.csv", telco(), content_type="text/csv"), "mapping": mapping.pk})
        job = CustomerImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("customers:import-job", args=[job.pk])
        assert job.status == "done", job.error
        assert Account.objects.count() == 4
        page = client.get(response["Location"])
        assert "4 new customers" in page.content.decode() and page.context["retention_query"]

    def test_reps_get_a_403_and_others_jobs_a_404(self, client, org):
        client.force_login(org["admin"])
        client.post(reverse("customers:import"), {
            "file": SimpleUploadedFile("telco.csv", telco(), content_type="text/csv"),
            "mapping": mapping_get().pk})
        job = CustomerImportJob.objects.get()
        client.force_login(org["owner"])
        assert client.get(reverse("customers:import")).status_code == 403
        assert client.get(reverse("customers:import-job", args=[job.pk])).status_code == 404

    def test_a_bad_file_fails_the_job_with_its_reasons(self, client, org, django_capture_on_commit_callbacks):
        client.force_login(org["admin"])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("customers:import"), {
                "file": SimpleUploadedFile("telco.csv", telco(ROWS[0].replace("29.85,29.85", "lots,29.85")),
                                           content_type="text/csv"), "mapping": mapping_get().pk})
        job = CustomerImportJob.objects.get()
        assert job.status == "failed" and job.outcome.errors[0].column == "MonthlyCharges"
        assert "lots" in job.outcome.errors[0].message
        assert Account.objects.count() == 0


class TestLoadPublicDatasets:
    def test_it_loads_the_telco_file_from_the_folder(self, org, tmp_path):
        folder = tmp_path / "ibm-telco-customer-churn"
        folder.mkdir()
        (folder / "WA_Fn-UseC_-Telco-Customer-Churn.csv").write_bytes(telco())
        out = StringIO()
        call_command("load_public_datasets", "--folder", str(tmp_path), "--only", "ibm-telco", stdout=out)
        assert "4 new customers" in out.getvalue()
        assert Account.objects.filter(owner=org["admin"]).count() == 4
        call_command("load_public_datasets", "--folder", str(tmp_path), "--only", "ibm-telco", stdout=out)
        assert Account.objects.count() == 4

    def test_an_absent_file_is_skipped(self, org, tmp_path):
        err = StringIO()
        call_command("load_public_datasets", "--folder", str(tmp_path), "--only", "ibm-telco", stderr=err,
                     stdout=StringIO())
        assert "absent" in err.getvalue() and Account.objects.count() == 0


def test_every_public_data_set_is_registered():
    from salesops.importers import public_datasets

    assert [d.code for d in public_datasets()] == ["x-education", "olist", "maven-crm", "ibm-telco"]
