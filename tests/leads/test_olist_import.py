"""Issue 13: the Olist MQL and closed-deals files load together (small files written here)."""
from datetime import datetime

import pytest
from django.utils import timezone

from leads.models import Lead
from leads.services.olist import olist_import, parse, summary_message

pytestmark = pytest.mark.django_db

MQLS = ("mql_id,first_contact_date,landing_page_id,origin\r\n"
        "a1,2018-02-01,p1,social\r\n"
        "b2,2017-10-20,p2,\r\n"
        "c3,2018-03-05,p1,paid_search\r\n")
DEALS = ("mql_id,seller_id,sdr_id,sr_id,won_date,business_segment,lead_type,lead_behaviour_profile,has_company,"
         "has_gtin,average_stock,business_type,declared_product_catalog_size,declared_monthly_revenue\r\n"
         "a1,s,d,r,2018-02-26 19:58:54,pet,online_medium,cat,,,,reseller,,0.0\r\n")


def test_leads_keep_origin_and_first_contact_and_deals_are_won_outcomes(org):
    result = olist_import(dataset=parse(mqls=MQLS, deals=DEALS), owner=org["owner"])
    assert result.ok and (result.created, result.counts["won"], result.total_rows) == (3, 1, 4)
    won = Lead.objects.get(external_ref="a1")
    assert (won.origin, won.source, won.business_segment, won.lead_type) == ("social", "social", "pet", "online_medium")
    assert timezone.localtime(won.created_at).date().isoformat() == "2018-02-01" and not won.date_unknown
    assert won.mql_at == won.created_at and won.imported_converted is True
    assert timezone.localtime(won.won_at).replace(tzinfo=None) == datetime(2018, 2, 26, 19, 58, 54)
    blank = Lead.objects.get(external_ref="b2")
    assert (blank.origin, blank.source, blank.imported_converted, blank.won_at) == ("", "other", False, None)
    text = summary_message(result)
    assert "Rows read: 4; leads created 3, updated 0, skipped (unchanged) 0; 1 won outcomes" in text


def test_a_second_import_updates_known_leads_by_mql_id(org):
    header_only = DEALS.splitlines()[0] + "\r\n"
    assert olist_import(dataset=parse(mqls=MQLS, deals=header_only), owner=org["owner"]).created == 3  # no deals yet
    assert Lead.objects.get(external_ref="a1").won_at is None
    result = olist_import(dataset=parse(mqls=MQLS, deals=DEALS), owner=org["owner"])
    assert (result.created, result.counts["updated"], result.unchanged) == (0, 1, 2)
    assert Lead.objects.get(external_ref="a1").imported_converted is True and Lead.objects.count() == 3


@pytest.mark.parametrize("mqls, deals, message", [
    (MQLS + "a1,2018-01-01,p,social\r\n", "", "already appears on row 2"),
    (MQLS + "d4,2018-13-01,p,social\r\n", "", "is not a date"),
    (MQLS, DEALS.replace("a1,s", "zz,s"), "is not in the MQL file"),
    (MQLS, DEALS.replace("2018-02-26 19:58:54", "soon"), "is not a date"),
    ("mql_id,origin\r\na1,social\r\n", "", "Missing columns: first_contact_date"),
])
def test_any_row_error_writes_nothing(org, mqls, deals, message):
    result = olist_import(dataset=parse(mqls=mqls, deals=deals or DEALS.splitlines()[0] + "\r\n"),
                          owner=org["owner"])
    assert not result.ok and any(message in e.message for e in result.errors)
    assert not Lead.objects.exists()
