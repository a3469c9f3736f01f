"""leads.services.imports: parsing, mappings, row errors, dedupe, all-or-nothing, real X Education data."""
import csv
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from leads.models import ImportMapping, Lead, ScoreChange
from leads.services.imports import (
    import_mapping_from_json,
    import_mapping_spec,
    leads_import,
)
from tests.leads.factories import LeadFactory
from tests.real_data import real_data_file

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
MAPPING = {
    "columns": {"name": "Full Name", "email": "E-mail", "company": "Company", "industry": "Sector",
                "company_size": "Employees", "region": "Area", "source": "Channel", "outcome": "Won",
                "total_visits": "Visits", "do_not_email": "Opt out"},
    "values": {"source": {"Google": "paid_search", "Referral": "referral", "": "other", "*": "other"}},
}
DUPES_MAPPING = {"columns": {"name": "Full Name", "email": "E-mail", "external_ref": "Ref"}}


def data(name):
    return (FIXTURES / name).read_bytes()


class TestImport:
    def test_it_imports_every_row_with_mapped_values(self, org):
        result = leads_import(by=org["mgr"], data=data("leads_ok.csv"), mapping=MAPPING)
        assert result.ok and result.created == 3 and result.errors == []
        ada = Lead.objects.get(email="ada@example.com")
        assert (ada.name, ada.industry, ada.company_size, ada.region, ada.source) == (
            "Ada Lovelace", "technology", 1200, "east", "paid_search")
        assert ada.total_visits == 5 and ada.do_not_email is False and ada.owner == org["mgr"]
        # the file's outcome is imported history, not a conversion done here (no deal behind it)
        assert (ada.imported_converted, ada.imported_from, ada.status) == (True, "CSV import", "new")
        assert ada.imported_at and ada.converted_at is None and ada.won_at is None
        grace = Lead.objects.get(email="grace@example.com")
        assert (grace.source, grace.region, grace.total_visits, grace.do_not_email) == ("referral", "overseas", None, True)
        assert grace.converted_at is None and grace.status == "new" and grace.imported_converted is False
        lin = Lead.objects.get(email="lin@example.com")
        assert (lin.name, lin.company, lin.source, lin.total_visits) == ("Lin, Hui", "Shanghai Trading, Ltd", "other", 2)

    def test_new_leads_are_scored_set_based_with_the_published_rules(self, org):
        leads_import(by=org["mgr"], data=data("leads_ok.csv"), mapping=MAPPING)
        ada = Lead.objects.get(email="ada@example.com")
        grace = Lead.objects.get(email="grace@example.com")
        assert (ada.score, ada.grade) == (25, "Lead")  # technology 15 + over 1,000 staff 10
        assert (grace.score, grace.grade) == (15, "Lead")
        assert ScoreChange.objects.filter(lead=ada, reason="import").exists()
        assert ada.completeness > 0

    def test_a_dry_run_previews_and_saves_nothing(self, org):
        result = leads_import(by=org["mgr"], data=data("leads_ok.csv"), mapping=MAPPING, dry_run=True,
                              preview_rows=2)
        assert result.ok and result.to_create == 3 and result.created == 0
        assert [entry["row"] for entry in result.preview] == [2, 3]
        assert result.preview[0]["values"]["source"] == "paid_search"
        assert not Lead.objects.exists()

    def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_saved(self, org):
        result = leads_import(by=org["mgr"], data=data("leads_bad.csv"), mapping=MAPPING)
        assert not result.ok and result.created == 0
        assert not Lead.objects.exists()
        errors = {(e.row, e.column) for e in result.errors}
        assert {(3, "Full Name"), (3, "E-mail"), (3, "Sector"), (3, "Employees"), (3, "Area"), (3, "Won"),
                (3, "Visits"), (3, "Opt out"), (4, ""), (5, "Employees")} == errors
        by_cell = {(e.row, e.column): e.message for e in result.errors}
        assert by_cell[(3, "Sector")] == "“Rocket science” is not one of the allowed values."
        assert by_cell[(5, "Employees")] == "“lots” is not a whole number."
        assert "3 columns" in by_cell[(4, "")]
        assert result.preview[1]["status"] == "error"

    def test_a_negative_company_size_is_refused_by_the_model_rules(self, org):
        text = b"Full Name,E-mail,Employees\nAda,ada@example.com,-5\n"
        result = leads_import(by=org["mgr"], data=text,
                              mapping={"columns": {"name": "Full Name", "email": "E-mail", "company_size": "Employees"}})
        assert [(e.row, e.column) for e in result.errors] == [(2, "Employees")]

    def test_duplicates_by_email_and_external_ref_are_skipped(self, org):
        LeadFactory(email="taken@example.com")
        LeadFactory(email="", external_ref="R-OLD")
        result = leads_import(by=org["mgr"], data=data("leads_dupes.csv"), mapping=DUPES_MAPPING)
        assert result.ok and result.created == 3
        assert [d["row"] for d in result.duplicates] == [3, 4, 6, 7]
        assert result.duplicates[0]["reason"] == "same as row 2"
        assert set(Lead.objects.filter(owner=org["mgr"]).values_list("name", flat=True)) == {
            "Ada One", "No email", "Neither"}

    def test_importing_the_same_file_twice_creates_nothing_new(self, org):
        leads_import(by=org["mgr"], data=data("leads_ok.csv"), mapping=MAPPING)
        again = leads_import(by=org["mgr"], data=data("leads_ok.csv"), mapping=MAPPING)
        assert again.ok and again.created == 0 and len(again.duplicates) == 3
        assert Lead.objects.count() == 3

    def test_a_name_template_fills_in_columns(self, org):
        text = b"Lead Number,Prospect ID\n660737,abc\n"
        leads_import(by=org["mgr"], data=text, mapping={"columns": {"name": "Lead {Lead Number} ({Prospect ID})"}})
        assert Lead.objects.get().name == "Lead 660737 (abc)"

    def test_an_owner_column_is_limited_to_assignable_users(self, org):
        text = b"Name,Owner\nA,teammate\nB,\n"
        mapping = {"columns": {"name": "Name", "owner": "Owner"}}
        refused = leads_import(by=org["other_mgr"], data=text, mapping=mapping)  # West's manager, East's rep
        assert [(e.row, e.column) for e in refused.errors] == [(2, "Owner")]
        result = leads_import(by=org["mgr"], data=text, mapping=mapping)
        assert result.created == 2
        assert dict(Lead.objects.values_list("name", "owner__username")) == {"A": "teammate", "B": "mgr"}


class TestFileProblems:
    @pytest.mark.parametrize("content, message", [
        (b"", "empty"),
        (b"\xff\xfeN\x00a\x00", "UTF-8"),
        (b"Name\n", "no data rows"),
        (b"Name\n\"unterminated\x00", "not a CSV"),
    ])
    def test_unreadable_files_are_refused_with_a_message(self, org, content, message):
        with pytest.raises(ValidationError) as info:
            leads_import(by=org["mgr"], data=content, mapping={"columns": {"name": "Name"}})
        assert message in str(info.value)
        assert not Lead.objects.exists()

    def test_a_file_over_the_size_limit_is_refused(self, org, settings):
        assert settings.SALESOPS_IMPORT_MAX_BYTES == 20 * 2**20
        with pytest.raises(ValidationError) as info:
            leads_import(by=org["mgr"], data=b"x" * (20 * 2**20 + 1), mapping={"columns": {"name": "Name"}})
        assert info.value.message_dict["file"] == ["The file is larger than 20.0\xa0MB."]
        settings.SALESOPS_IMPORT_MAX_BYTES = 100
        with pytest.raises(ValidationError) as info:
            leads_import(by=org["mgr"], data=b"Name\n" + b"x" * 100, mapping={"columns": {"name": "Name"}})
        assert info.value.message_dict["file"] == ["The file is larger than 100\xa0bytes."]

    def test_mapped_columns_missing_from_the_file_are_reported(self, org):
        with pytest.raises(ValidationError) as info:
            leads_import(by=org["mgr"], data=b"Nom\nA\n", mapping={"columns": {"name": "Name"}})
        assert "“Name”" in info.value.message_dict["mapping"][0]

    @pytest.mark.parametrize("text", ["{", "[]", '{"columns": {"salary": "Pay"}}', '{"columns": {"name": 5}}',
                                      '{"columns": {"name": "N"}, "values": {"email": {}}}'])
    def test_bad_mappings_are_refused(self, text):
        with pytest.raises(ValidationError) as info:
            import_mapping_from_json(text=text)
        assert "mapping" in info.value.message_dict


class TestXEducationMapping:
    def test_the_migration_installs_a_valid_mapping(self):
        spec = import_mapping_spec(mapping=ImportMapping.objects.get(name="X Education"))
        assert spec.columns["external_ref"] == "Prospect ID"

    def test_the_real_file_imports_every_lead_and_its_outcome(self, org):
        path = real_data_file("x-education-leads", "Leads.csv")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        expected_converted = sum(row["Converted"] == "1" for row in rows)
        expected_do_not_email = sum(row["Do Not Email"] == "Yes" for row in rows)
        expected_overseas = sum(row["Country"] not in ("", "unknown", "China") for row in rows)
        google = sum(row["Lead Source"].lower() == "google" for row in rows)
        assert (len(rows), expected_converted) == (9240, 3561)  # the published size of the data set

        started = time.monotonic()
        result = call_command_import(path, org)
        elapsed = time.monotonic() - started
        assert result.ok, result.errors[:5]
        assert result.created == len(rows) == Lead.objects.count()
        assert Lead.objects.filter(imported_converted=True, imported_from="X Education").count() == expected_converted
        assert Lead.objects.filter(imported_converted=False).count() == len(rows) - expected_converted
        assert not Lead.objects.filter(converted_at__isnull=False).exists()  # no conversion without a deal
        assert not Lead.objects.filter(won_at__isnull=False).exists()
        assert not Lead.objects.filter(status="converted").exists()
        assert Lead.objects.filter(do_not_email=True).count() == expected_do_not_email
        assert Lead.objects.filter(region="overseas").count() == expected_overseas
        assert Lead.objects.filter(source="paid_search").count() >= google
        assert not Lead.objects.exclude(source__in=[c for c, _label in Lead._meta.get_field("source").choices]).exists()
        first = Lead.objects.get(external_ref=rows[0]["Prospect ID"])
        assert first.name == f"X Education lead {rows[0]['Lead Number']}"
        assert first.origin == rows[0]["Lead Origin"] and first.last_activity == rows[0]["Last Activity"]
        assert Lead.objects.filter(scored_at__isnull=False).count() == len(rows)
        assert elapsed < 60
        again = leads_import(by=org["admin"], data=path.read_bytes(),
                             mapping=ImportMapping.objects.get(name="X Education"), dry_run=True)
        assert again.to_create == 0 and len(again.duplicates) == len(rows)


def call_command_import(path, org):
    return leads_import(by=org["admin"], data=path.read_bytes(), mapping=ImportMapping.objects.get(name="X Education"))


class TestImportCommand:
    def test_it_imports_with_a_saved_mapping_and_an_owner(self, org, tmp_path, capsys):
        ImportMapping.objects.create(name="Test", **MAPPING)
        call_command("import_leads", str(FIXTURES / "leads_ok.csv"), "--mapping", "Test", "--owner", "teammate")
        assert Lead.objects.filter(owner=org["teammate"]).count() == 3
        assert "3" in capsys.readouterr().out

    def test_a_dry_run_saves_nothing_and_errors_fail_the_command(self, org, capsys):
        from django.core.management.base import CommandError
        ImportMapping.objects.create(name="Test", **MAPPING)
        call_command("import_leads", str(FIXTURES / "leads_ok.csv"), "--mapping", "Test", "--dry-run")
        assert not Lead.objects.exists()
        with pytest.raises(CommandError):
            call_command("import_leads", str(FIXTURES / "leads_bad.csv"), "--mapping", "Test")
        assert "row 3" in capsys.readouterr().err.lower()
        with pytest.raises(CommandError):
            call_command("import_leads", str(FIXTURES / "leads_ok.csv"), "--mapping", "Nope")
        assert not Lead.objects.exists()
