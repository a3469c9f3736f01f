"""Issue 13: a lead import keeps the file's dates and verbatim source; without a date a lead is of
unknown date (in no dated period), never "created at the import"."""
import pytest
from django.utils import timezone

from leads.models import Lead
from leads.services.imports import leads_import

pytestmark = pytest.mark.django_db

CSV = (b"Name,Mail,Channel,Since,MQL\r\n"
       b"Ada,ada@example.com,Google Ads,2017-03-04,2017-04-01 10:30:00\r\n"
       b"Bob,bob@example.com,google ads,,\r\n")
MAPPING = {"columns": {"name": "Name", "email": "Mail", "source": "Channel", "source_detail": "Channel",
                       "created_at": "Since", "mql_at": "MQL"},
           "values": {"source": {"*": "paid_search"}}}


def test_dates_and_verbatim_source_come_from_the_file(org, api):
    result = leads_import(by=org["admin"], data=CSV, mapping=MAPPING)
    assert result.ok and result.created == 2
    ada, bob = Lead.objects.get(name="Ada"), Lead.objects.get(name="Bob")
    assert timezone.localtime(ada.created_at).date().isoformat() == "2017-03-04" and not ada.date_unknown
    assert timezone.localtime(ada.mql_at).isoformat().startswith("2017-04-01T10:30:00")
    assert (ada.source, ada.source_detail, bob.source_detail) == ("paid_search", "Google Ads", "google ads")
    assert bob.date_unknown and bob.mql_at is None
    client = api.as_user(org["admin"])
    assert client.get("/api/v1/leads/", {"created_after": "2000-01-01"}).json()["count"] == 1  # Ada only
    rows = client.get("/api/v1/metrics/lead_volume/", {"period": "all", "group_by": "source_detail"}).json()["rows"]
    assert {row["key"]: row["count"] for row in rows} == {"Google Ads": 1, "google ads": 1}
    report = client.get("/api/v1/reports/lead-quality/", {"start": "2017-03", "end": "2017-03"}).json()["results"]
    assert [(row["month"][:7], row["leads"]) for row in report] == [("2017-03", 1)]


def test_a_bad_date_is_a_row_error_and_nothing_is_written(org):
    bad = CSV.replace(b"2017-03-04", b"04/03/2017")
    result = leads_import(by=org["admin"], data=bad, mapping=MAPPING)
    assert not result.ok and result.errors[0].field == "created_at" and "is not a date" in result.errors[0].message
    assert not Lead.objects.exists()
