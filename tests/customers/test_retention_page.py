"""The retention page: access, filters, figures, charts' data and CSV export."""
import json

import pytest
from django.urls import reverse

from .retention_fixture import build

pytestmark = pytest.mark.django_db
JAN = {"period": "custom", "start": "2026-01-01", "end": "2026-01-31"}


def chart(response, section):
    after = response.content.decode().split(f'<script id="chart-{section}"', 1)[1]
    return json.loads(after.split(">", 1)[1].split("</script>", 1)[0])


class TestRetentionPage:
    def test_it_needs_a_sign_in(self, client):
        response = client.get(reverse("customers:retention"))
        assert response.status_code == 302 and "login" in response["Location"]

    def test_a_rep_sees_their_figures_with_charts_and_tables(self, client, org):
        build(org)
        client.force_login(org["owner"])
        response = client.get(reverse("customers:retention"), JAN)
        assert response.status_code == 200
        report = response.context["report"]
        assert (report.total.movement.accounts, report.total.movement.churned_accounts) == (4, 1)
        tiles = {code: text for code, _label, text in response.context["tiles"]}
        assert tiles["logo_churn_rate"] == "25.0 %" and tiles["grr"] == "54.0 %" and tiles["nrr"] == "60.0 %"
        assert "cac" not in tiles
        bars = chart(response, "contract_type")
        assert {trace["name"] for trace in bars["data"]} == {"Logo churn", "Revenue churn"}
        assert dict(zip(bars["data"][0]["x"], bars["data"][0]["y"])) == {"One year": 0.0, "Month-to-month": 50.0}
        months = chart(response, "months")
        assert months["layout"]["xaxis"]["type"] == "category" and months["data"][0]["x"] == ["2026-01"]
        assert months["data"][0]["y"] == [25.0]

    def test_an_admin_sees_cac(self, client, org):
        build(org)
        client.force_login(org["admin"])
        tiles = {code: text for code, _l, text in client.get(reverse("customers:retention"), JAN).context["tiles"]}
        assert tiles["cac"] == "1,000.00" and tiles["ltv_cac"] == "0.44"

    def test_csv_export_of_one_table(self, client, org):
        build(org)
        client.force_login(org["owner"])
        response = client.get(reverse("customers:retention"), {**JAN, "format": "csv", "table": "contract_type"})
        assert response["Content-Type"].startswith("text/csv")
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("Contract type,") and "Month-to-month,2,1,50.0 %" in lines[1]

    def test_an_unknown_table_is_a_404_and_bad_dates_fall_back(self, client, org):
        client.force_login(org["owner"])
        assert client.get(reverse("customers:retention"), {"format": "csv", "table": "x"}).status_code == 404
        response = client.get(reverse("customers:retention"), {"period": "custom", "start": "2026-02-01",
                                                              "end": "2026-01-01"})
        assert response.status_code == 200 and response.context["form"].errors

    def test_in_chinese(self, client, org):
        build(org)
        client.force_login(org["owner"])
        response = client.get(reverse("customers:retention"), JAN, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200


def test_the_executive_dashboard_has_an_ltv_cac_card(client, org):
    build(org)
    client.force_login(org["admin"])
    response = client.get(reverse("dashboards:dashboard", args=["executive"]),
                          {"period": "custom", "start": "2026-01-01", "end": "2026-01-31"})
    tile = next(t for t in response.context["tiles"] if t["code"] == "ltv_cac")
    assert tile["available"] and tile["text"] == "0.4"  # the dashboard shows ratios to one decimal
    assert 'data-kpi="ltv_cac"' in response.content.decode()


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_every_retention_metric_links_the_accounts_it_counts(client, org, who):
    from salesops import metrics
    from salesops.metrics import Period, Scope

    from .retention_fixture import END, START

    build(org)
    client.force_login(org[who])
    scope, period = Scope(org[who]), Period(START, END)
    expected = {"logo_churn_rate": 4, "cac": 1} if who == "owner" else {"logo_churn_rate": 5, "cac": 1}
    retention = {"logo_churn_rate", "revenue_churn_rate", "grr", "nrr", "ltv", "cac", "ltv_cac"}
    for m in [m for m in metrics.all_metrics() if m.code in retention]:
        records = m.records(scope, period)
        page = client.get(m.drilldown_url(scope, period))
        assert page.status_code == 200 and page.context["paginator"].count == records.count(), m.code
        if m.code in expected:
            assert records.count() == expected[m.code]
        for group_by in m.group_by:
            for row in m.breakdown(scope, period, group_by):
                keyed = m.records(scope, period, group_by=group_by, key=row.key)
                page = client.get(m.drilldown_url(scope, period, group_by=group_by, key=row.key))
                assert page.context["paginator"].count == keyed.count() == row.count, (m.code, row)


def test_the_accounts_list_has_a_constant_query_count(client, org, django_assert_max_num_queries):
    from .factories import AccountFactory, ContractFactory
    from datetime import date

    for _i in range(30):
        ContractFactory(account=AccountFactory(owner=org["owner"]), start=date(2025, 1, 1), end=None)
    client.force_login(org["owner"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("customers:retention-accounts"), {"start": "2026-01-01", "end": "2026-01-31"})
    assert page.context["paginator"].count == 30
    churned = client.get(reverse("customers:retention-accounts"),
                         {"start": "2026-01-01", "end": "2026-01-31", "set": "churned"})
    assert churned.context["paginator"].count == 0


def test_links_keep_the_filter(client, org):
    client.force_login(org["owner"])
    page = client.get(reverse("customers:retention"), {"start": "2026-01-01", "end": "2026-01-31"})
    assert page.context["query"] == "period=custom&start=2026-01-01&end=2026-01-31"
