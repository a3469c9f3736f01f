"""Lead-quality report: figures per source and month, scoped; the page, its CSV and the API."""
import csv
import io
from collections import defaultdict
from datetime import date, datetime, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from salesops.charts import grouped_bar_figure
from leads.models import Lead
from leads.selectors.reports import LeadQualityFilterForm, lead_quality_report, shift_months
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

UTC = dt_timezone.utc
SPEC = [  # (owner key, source, created_at UTC, mql, converted, won)
    ("owner", "website", datetime(2026, 1, 10, 3, tzinfo=UTC), True, True, True),
    ("owner", "website", datetime(2026, 1, 12, 3, tzinfo=UTC), True, False, False),
    ("owner", "website", datetime(2026, 1, 20, 3, tzinfo=UTC), False, False, False),
    ("owner", "webinar", datetime(2026, 1, 21, 3, tzinfo=UTC), True, True, False),
    # 17:00 UTC on Jan 31 is Feb 1 in Asia/Shanghai: counted in February
    ("owner", "webinar", datetime(2026, 1, 31, 17, tzinfo=UTC), False, False, False),
    ("teammate", "website", datetime(2026, 2, 3, 3, tzinfo=UTC), True, True, True),
    ("outsider", "referral", datetime(2026, 2, 4, 3, tzinfo=UTC), True, False, False),
    ("outsider", "website", datetime(2026, 3, 4, 3, tzinfo=UTC), True, True, False),
    ("owner", "website", datetime(2025, 12, 31, 15, tzinfo=UTC), True, False, False),  # before the range
]


@pytest.fixture
def leads(org):
    made = []
    for owner, source, created, mql, converted, won in SPEC:
        lead = LeadFactory(owner=org[owner], source=source, mql_at=created if mql else None,
                           converted_at=created if converted else None, won_at=created if won else None)
        Lead.objects.filter(pk=lead.pk).update(created_at=created)  # auto_now_add: set afterwards
        made.append(lead)
    return made


def expected(queryset, start: date, end: date, source: str = ""):
    """An independent computation: plain Python over the rows."""
    tz = ZoneInfo(settings.TIME_ZONE)
    counts = defaultdict(lambda: [0, 0, 0, 0])
    for lead in queryset:
        local = lead.created_at.astimezone(tz)
        month = date(local.year, local.month, 1)
        if not start <= month <= end or (source and lead.source != source):
            continue
        c = counts[(month, lead.source)]
        c[0] += 1
        c[1] += lead.mql_at is not None
        c[2] += lead.mql_at is not None and lead.converted_at is not None
        c[3] += lead.mql_at is not None and lead.won_at is not None
    return {key: tuple(value) for key, value in counts.items()}


def as_dict(rows):
    return {(r.month, r.source): (r.leads, r.mqls, r.opportunities, r.won) for r in rows}


class TestSelector:
    def test_figures_equal_an_independent_computation(self, leads, org):
        rows = lead_quality_report(user=org["admin"], start=date(2026, 1, 1), end=date(2026, 3, 1))
        assert as_dict(rows) == expected(Lead.objects.all(), date(2026, 1, 1), date(2026, 3, 1))
        assert as_dict(rows)[(date(2026, 1, 1), "website")] == (3, 2, 1, 1)
        assert as_dict(rows)[(date(2026, 2, 1), "webinar")] == (1, 0, 0, 0)  # the time-zone boundary
        assert [(r.month, r.source) for r in rows] == sorted((r.month, r.source) for r in rows)

    def test_rates(self, leads, org):
        row = {(r.month, r.source): r for r in lead_quality_report(
            user=org["admin"], start=date(2026, 1, 1), end=date(2026, 1, 1))}[(date(2026, 1, 1), "website")]
        assert (row.mql_rate, row.mql_to_opportunity_rate, row.mql_to_won_rate) == (round(2 / 3, 4), 0.5, 0.5)
        assert row.pct["mql"] == "66.7%"
        empty = {r.source: r for r in lead_quality_report(user=org["admin"], start=date(2026, 2, 1),
                                                          end=date(2026, 2, 1))}["webinar"]
        assert empty.mql_to_opportunity_rate is None and empty.pct["mql_to_won"] == "—"

    def test_the_source_filter(self, leads, org):
        rows = lead_quality_report(user=org["admin"], start=date(2026, 1, 1), end=date(2026, 3, 1), source="webinar")
        assert as_dict(rows) == expected(Lead.objects.all(), date(2026, 1, 1), date(2026, 3, 1), "webinar")

    def test_a_rep_sees_only_their_own_leads(self, leads, org):
        rows = lead_quality_report(user=org["owner"], start=date(2026, 1, 1), end=date(2026, 3, 1))
        assert as_dict(rows) == expected(Lead.objects.filter(owner=org["owner"]), date(2026, 1, 1), date(2026, 3, 1))
        assert sum(r.leads for r in rows) == 5

    def test_a_manager_sees_the_team_and_marketing_everything(self, leads, org):
        team = lead_quality_report(user=org["mgr"], start=date(2026, 1, 1), end=date(2026, 3, 1))
        assert sum(r.leads for r in team) == 6
        everything = lead_quality_report(user=org["marketing"], start=date(2026, 1, 1), end=date(2026, 3, 1))
        assert sum(r.leads for r in everything) == 8

    def test_it_is_one_query(self, leads, org, django_assert_num_queries):
        with django_assert_num_queries(1):
            lead_quality_report(user=org["marketing"], start=date(2025, 1, 1), end=date(2026, 12, 1))


class TestFilterForm:
    @pytest.mark.parametrize("data", [
        {"start": "2026-13"}, {"start": "2026-02-30"}, {"end": "nope"}, {"start": "2026-03", "end": "2026-01"},
        {"source": "fax"}, {"start": "9999-12"}, {"end": "0001-01"},
    ])
    def test_bad_input_is_invalid(self, data):
        assert not LeadQualityFilterForm(data).is_valid()

    def test_defaults_are_the_last_twelve_months(self):
        form = LeadQualityFilterForm({})
        assert form.is_valid()
        assert form.cleaned_data["end"] == timezone.localdate().replace(day=1)
        assert shift_months(form.cleaned_data["start"], 11) == form.cleaned_data["end"]

    def test_an_end_alone_reaches_back_twelve_months(self):
        form = LeadQualityFilterForm({"end": "2026-03"})
        assert form.is_valid() and form.cleaned_data["start"] == date(2025, 4, 1)


class TestPage:
    URL = "/leads/quality/"

    def test_it_shows_the_table_and_the_chart(self, client, leads, org):
        client.force_login(org["owner"])
        response = client.get(self.URL, {"start": "2026-01", "end": "2026-03"})
        body = response.content.decode()
        assert response.status_code == 200
        assert 'data-month="2026-01" data-source="website"' in body and 'id="lead-quality-data"' in body
        assert "plotly/plotly.min.js" in body and "referral" not in body.lower().split("<tbody>")[1].split("</tbody>")[0]
        chart = response.context["chart"]
        assert [trace["name"] for trace in chart["data"]] == ["Leads", "MQLs", "Opportunities", "Won"]
        assert reverse("leads:quality") == self.URL

    def test_the_csv_export(self, client, leads, org):
        client.force_login(org["admin"])
        response = client.get(self.URL, {"start": "2026-01", "end": "2026-03", "format": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:4] == ["Month", "Source", "Leads", "MQLs"]
        assert ["2026-01", "Website", "3", "2", "0.6667", "1", "0.5000", "1", "0.5000"] in rows
        assert len(rows) == 1 + len(expected(Lead.objects.all(), date(2026, 1, 1), date(2026, 3, 1)))

    def test_bad_filters_show_errors_not_a_500(self, client, leads, org):
        client.force_login(org["owner"])
        for params in ({"start": "2026-13"}, {"start": "2026-03", "end": "2026-01"}, {"source": "x"},
                       {"start": "9999-12", "format": "csv"}):
            response = client.get(self.URL, params)
            assert response.status_code == 200 and "errorlist" in response.content.decode()

    def test_it_is_linked_from_the_lead_list_and_needs_login(self, client, org):
        assert client.get(self.URL).status_code == 302
        client.force_login(org["owner"])
        assert 'href="/leads/quality/"' in client.get(reverse("leads:list")).content.decode()
        assert "No leads in this period" in client.get(self.URL).content.decode()

    def test_it_is_translated(self, client, org):
        client.force_login(org["owner"])
        client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
        assert client.get(self.URL).status_code == 200


class TestApi:
    URL = "/api/v1/reports/lead-quality/"

    def test_it_needs_authentication(self, client):
        assert client.get(self.URL).status_code == 401

    def test_it_returns_the_scoped_figures(self, api, leads, org):
        body = api.as_user(org["owner"]).get(self.URL, {"start": "2026-01", "end": "2026-03"}).json()
        assert body["start"] == "2026-01" and body["end"] == "2026-03"
        got = {(r["month"], r["source"]): (r["leads"], r["mqls"], r["opportunities"], r["won"]) for r in body["results"]}
        want = {(f"{m:%Y-%m}", s): v for (m, s), v in
                expected(Lead.objects.filter(owner=org["owner"]), date(2026, 1, 1), date(2026, 3, 1)).items()}
        assert got == want
        first = body["results"][0]
        assert {"mql_rate", "mql_to_opportunity_rate", "mql_to_won_rate", "source_label"} <= set(first)

    def test_the_source_filter(self, api, leads, org):
        body = api.as_user(org["admin"]).get(self.URL, {"start": "2026-01", "end": "2026-03", "source": "referral"}).json()
        assert [(r["month"], r["source"], r["leads"]) for r in body["results"]] == [("2026-02", "referral", 1)]

    @pytest.mark.parametrize("params", [{"start": "2026-13"}, {"end": "x"}, {"source": "fax"},
                                        {"start": "2026-03", "end": "2026-01"}, {"start": "99999-01"}])
    def test_bad_input_is_a_400(self, api, org, params):
        response = api.as_user(org["owner"]).get(self.URL, params)
        assert response.status_code == 400 and response.json()


def test_the_chart_builder_is_pure():
    fig = grouped_bar_figure(["Website", "Referral"], [("Leads", [3, 1]), ("MQLs", [2, 1])], title="T",
                             x_title="Source", y_title="Leads")
    assert [t.name for t in fig.data] == ["Leads", "MQLs"] and list(fig.data[0].y) == [3, 1]
    assert fig.layout.barmode == "group"
