"""The IBM Telco customer file (../shared/data/real/ibm-telco-customer-churn) through the customer importer:
every figure compared is computed here from the CSV itself with the csv module, then read back from the
retention report, the API and the page. Skips with a reason where the data set is absent (fails in CI,
SALESOPS_REQUIRE_REAL_DATA=1)."""
import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from customers.models import Account, Contract, CustomerImportMapping
from customers.retention import add_months
from customers.retention_selectors import retention_report
from customers.services.customer_import import customers_import, mapping_get, reference_date
from salesops.metrics import Scope
from tests.real_data import real_data_file

pytestmark = pytest.mark.django_db
FILE = ("ibm-telco-customer-churn", "WA_Fn-UseC_-Telco-Customer-Churn.csv")
TERMS = {"Month-to-month": "month_to_month", "One year": "one_year", "Two year": "two_year"}


def expected_from_file(path):
    """Counts, churn, tenure and MRR straight from the CSV (nothing of ours)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    out = {"rows": len(rows), "churned": sum(r["Churn"] == "Yes" for r in rows),
           "mrr": sum(Decimal(r["MonthlyCharges"]) for r in rows),
           "churned_mrr": sum(Decimal(r["MonthlyCharges"]) for r in rows if r["Churn"] == "Yes"),
           "blank_total_charges": sum(not r["TotalCharges"].strip() for r in rows), "by_term": {}}
    churned_tenure = [int(r["tenure"]) for r in rows if r["Churn"] == "Yes"]
    retained_tenure = [int(r["tenure"]) for r in rows if r["Churn"] == "No"]
    out["tenure_churned"] = sum(churned_tenure) / len(churned_tenure)
    out["tenure_retained"] = sum(retained_tenure) / len(retained_tenure)
    groups = defaultdict(lambda: [0, 0])
    for r in rows:
        groups[TERMS[r["Contract"]]][0] += 1
        groups[TERMS[r["Contract"]]][1] += r["Churn"] == "Yes"
    out["by_term"] = {term: (n, churned) for term, (n, churned) in groups.items()}
    out["first"] = rows[0]
    return out


@pytest.fixture
def telco(org):
    path = real_data_file(*FILE)
    reference = reference_date()
    result = customers_import(data=path.read_bytes(), mapping=mapping_get(), by=org["admin"], reference=reference)
    assert result.ok, [e.as_dict() for e in result.errors[:5]]
    month_end = add_months(reference, 1).replace(day=1)
    month_end = date.fromordinal(month_end.toordinal() - 1)
    return {"expected": expected_from_file(path), "reference": reference, "end": month_end, "result": result,
            "path": path}


def test_the_saved_mapping_is_installed(db):
    mapping = CustomerImportMapping.objects.get(name="IBM Telco")
    assert mapping.columns["external_ref"] == "customerID" and mapping.currency == "USD"


def test_every_customer_becomes_an_account_with_one_contract(telco, org):
    expected = telco["expected"]
    assert telco["result"].created == expected["rows"] == 7043
    assert Account.objects.count() == Contract.objects.count() == expected["rows"]
    first = expected["first"]
    account = Account.objects.get(external_ref=first["customerID"])
    assert account.name == first["customerID"]  # the file has no names
    for column, value in first.items():
        if column != "customerID":
            assert account.source_attributes[column] == (value or "unknown")
    contract = account.contracts.get()
    assert contract.mrr == Decimal(first["MonthlyCharges"]) and contract.term == TERMS[first["Contract"]]
    assert contract.start == add_months(telco["reference"], -int(first["tenure"]))
    blanks = Account.objects.filter(source_attributes__TotalCharges="unknown").count()
    assert blanks == expected["blank_total_charges"] == 11
    assert Contract.objects.filter(outcome=Contract.Outcome.CHURNED, end=telco["reference"]).count() == expected["churned"]


def test_running_it_again_changes_nothing(telco, org):
    again = customers_import(data=telco["path"].read_bytes(), mapping=mapping_get(), by=org["admin"],
                             reference=telco["reference"])
    assert (again.created, again.unchanged) == (0, telco["expected"]["rows"])
    assert Account.objects.count() == telco["expected"]["rows"]


def test_the_report_shows_the_files_figures(telco, org):
    expected = telco["expected"]
    rep = retention_report(scope=Scope(org["admin"]), start=telco["reference"], end=telco["end"])
    m = rep.total.movement
    assert (m.accounts, m.churned_accounts) == (expected["rows"], expected["churned"]) == (7043, 1869)
    assert rep.total.logo_churn == pytest.approx(expected["churned"] / expected["rows"])
    assert round(rep.total.logo_churn * 100, 1) == 26.5
    assert m.start_mrr == expected["mrr"] and m.churned_mrr == expected["churned_mrr"]
    assert rep.total.revenue_churn == pytest.approx(float(expected["churned_mrr"] / expected["mrr"]))
    assert rep.total.tenure_churned == pytest.approx(expected["tenure_churned"])
    assert rep.total.tenure_retained == pytest.approx(expected["tenure_retained"])
    got = {f.key: (f.movement.accounts, f.movement.churned_accounts) for f in rep.by_contract_type}
    assert got == expected["by_term"]
    assert rep.currency == "USD"


def test_the_api_and_the_page_show_the_files_figures(telco, org, api, client):
    expected = telco["expected"]
    period = {"start": telco["reference"].isoformat(), "end": telco["end"].isoformat()}
    body = api.as_user(org["admin"]).get("/api/v1/metrics/retention/", {**period, "group_by": "contract_type"}).json()
    assert (body["total"]["accounts"], body["total"]["churned_accounts"]) == (expected["rows"], expected["churned"])
    assert body["total"]["logo_churn"] == pytest.approx(expected["churned"] / expected["rows"])
    assert body["total"]["tenure_churned"] == pytest.approx(expected["tenure_churned"])
    assert body["total"]["tenure_retained"] == pytest.approx(expected["tenure_retained"])
    assert Decimal(body["total"]["start_mrr"]) == expected["mrr"]
    assert {row["key"]: (row["accounts"], row["churned_accounts"]) for row in body["by_contract_type"]} == \
        expected["by_term"]
    for row in body["by_contract_type"]:
        n, churned = expected["by_term"][row["key"]]
        assert row["logo_churn"] == pytest.approx(churned / n)

    client.force_login(org["admin"])
    response = client.get("/customers/retention/", {"period": "custom", **period})
    tiles = {code: text for code, _label, text in response.context["tiles"]}
    assert tiles["logo_churn_rate"] == f"{round(100 * expected['churned'] / expected['rows'], 1)} %" == "26.5 %"
    tenure = {row[0]: row for row in next(s for s in response.context["sections"] if s.id == "tenure").rows}
    assert tenure["All"][2] == f"{expected['tenure_churned']:.1f}" and tenure["All"][4] == \
        f"{expected['tenure_retained']:.1f}"
