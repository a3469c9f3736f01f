"""Browser: CSV import (a preview job, then confirm: an import job).

Named to run after test_scoring_journey.py, which relies on rows from data migrations that the
flush after every transactional (live-server) test removes."""
from pathlib import Path

import pytest

from leads.models import ImportMapping, Lead
from tests.browser.conftest import login, nav_link
from tests.teams.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "leads" / "fixtures"


def test_a_marketer_previews_and_confirms_a_csv_import(page, settings, tmp_path):
    settings.SALESOPS_IMPORT_STAGING_DIR = tmp_path
    user = UserFactory(username="rep.import", password="pw-for-tests-1", role="marketing")
    ImportMapping.objects.update_or_create(name="Browser fair", defaults={
        "columns": {"name": "Full Name", "email": "E-mail", "company": "Company", "industry": "Sector"},
    })
    login(page, "rep.import", "pw-for-tests-1")
    nav_link(page, "leads").click()
    page.click("[data-link=lead-import]")
    page.set_input_files("#id_file", str(FIXTURES / "leads_ok.csv"))
    page.select_option("#id_mapping", label="Browser fair")
    page.click("main button[type=submit]")
    # the job page refreshes itself until the preview job is done: wait for its table
    page.wait_for_selector("[data-table=import-preview] tbody tr", timeout=20_000)
    preview = page.locator("[data-table=import-preview]")
    assert preview.locator("tbody tr").count() == 3
    assert "Ada Lovelace" in preview.inner_text()
    assert not Lead.objects.exists()
    page.click("[data-action=confirm-import]")
    page.wait_for_selector("[data-summary=import]", timeout=20_000)
    assert "Imported 3 leads" in page.locator("[data-summary=import]").inner_text()
    assert Lead.objects.filter(owner=user).count() == 3
