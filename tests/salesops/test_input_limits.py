"""No 500 for hostile input: far dates, deep or huge JSON bodies, loose query parameters."""
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from leads.models import LeadEvent
from salesops.dates import validate_event_time
from salesops.middleware import MAX_JSON_DEPTH, json_depth
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


class TestDateBounds:
    @pytest.mark.parametrize("url, field", [
        ("/api/v1/metrics/funnel/?start=9999-01-01&end=9999-12-31", "start"),
        ("/api/v1/forecast/?period=month&date=9999-12-15", "date"),
        ("/api/v1/forecast/accuracy/?date=0001-06-01&periods=24", "date"),
        ("/api/v1/leads/?created_after=1899-12-31", "created_after"),
        ("/api/v1/opportunities/?close_before=2101-01-01", "close_before"),
        ("/api/v1/lead-events/?occurred_after=0001-01-01T00:00:00Z", "occurred_after"),
    ])
    def test_far_dates_are_a_400_that_names_the_range(self, api, org, url, field):
        response = api.as_user(org["admin"]).get(url)
        assert response.status_code == 400, response.content
        assert response.json()[field] == ["Enter a date between 1900-01-01 and 2100-12-31."]

    def test_the_bounds_themselves_are_accepted(self, api, org):
        client = api.as_user(org["admin"])
        assert client.get("/api/v1/metrics/funnel/?start=2095-01-01&end=2100-12-31").status_code == 200
        assert client.get("/api/v1/forecast/?period=month&date=1900-01-01").status_code == 200

    def test_the_forecast_page_shows_the_form_error_instead_of_a_500(self, client, org):
        client.force_login(org["admin"])
        response = client.get("/pipeline/forecast/?date=0001-01-01")
        assert response.status_code == 200
        assert response.context["form"].errors["date"] == ["Enter a date between 1900-01-01 and 2100-12-31."]

    @pytest.mark.parametrize("url", [
        "/leads/?created_after=0001-01-01", "/pipeline/?close_before=9999-12-31", "/org/quotas/?period_from=1000-01-01",
        "/leads/quality/?start=9999-01", "/pipeline/forecast/?date=9999-12-31",
    ])
    def test_pages_with_far_dates_answer_200_with_the_form_errors(self, client, org, url):
        client.force_login(org["admin"])
        response = client.get(url)
        assert response.status_code == 200
        form = response.context.get("filter").form if response.context.get("filter") else response.context["form"]
        assert form.errors

    def test_every_form_and_serializer_date_field_has_the_bound(self):
        with pytest.raises(forms.ValidationError):
            forms.DateField().clean("1899-12-31")
        with pytest.raises(forms.ValidationError):
            forms.DateTimeField().clean("2101-01-01 00:00")
        for field, value in ((serializers.DateField(), "0001-01-01"),
                             (serializers.DateTimeField(), "2101-01-01T00:00:00Z")):
            with pytest.raises(serializers.ValidationError):
                field.run_validation(value)
        assert forms.DateField().clean("2026-05-01") == date(2026, 5, 1)


class TestEventTimes:
    URL = "/api/v1/lead-events/"

    @pytest.mark.parametrize("occurred_at, message", [
        ("0001-01-01T00:00:00Z", "The event cannot be before 1970."),
        ("1969-12-31T23:59:59Z", "The event cannot be before 1970."),
        ("9999-12-31T23:59:59Z", "The event cannot be in the future."),
    ])
    def test_an_event_outside_1970_to_tomorrow_is_refused_and_not_stored(self, api, org, occurred_at, message):
        lead = LeadFactory(owner=org["owner"])
        response = api.as_user(org["owner"]).post(self.URL, {"lead": lead.pk, "type": "webinar_attended",
                                                             "occurred_at": occurred_at}, format="json")
        assert response.status_code == 400
        assert message in json.dumps(response.json(), ensure_ascii=False)
        assert not LeadEvent.objects.exists()
        assert api.get(self.URL).status_code == 200

    def test_the_rule_allows_1970_and_a_day_of_clock_skew(self):
        now = datetime(2026, 5, 1, tzinfo=UTC)
        validate_event_time(datetime(1970, 1, 1, tzinfo=UTC), now=now)
        validate_event_time(datetime(2026, 5, 1, 23, tzinfo=UTC), now=now)
        with pytest.raises(ValidationError):
            validate_event_time(datetime(2026, 5, 2, 1, tzinfo=UTC), now=now)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


class TestJsonBodyLimits:
    @pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/leads/"])
    def test_a_deeply_nested_body_is_a_json_400(self, api, org, url):
        client = api.as_user(org["owner"])
        for body in (nested(100_000), '{"name": ' + nested(MAX_JSON_DEPTH + 1) + "}"):
            response = client.post(url, data=body, content_type="application/json")
            assert response.status_code == 400
            assert response["Content-Type"] == "application/json"
            assert "nested too deeply" in response.json()["detail"]

    def test_a_body_within_the_depth_reaches_the_view(self, api, org):
        body = json.dumps({"username": "owner", "password": "pw-for-tests-1", "x": json.loads(nested(10))})
        response = api.post("/api/v1/auth/token/", data=body, content_type="application/json")
        assert response.status_code == 200 and response.json()["token"]

    @pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/lead-events/"])
    def test_a_too_large_body_is_a_json_413(self, api, org, url, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        body = json.dumps({"username": "owner", "password": "x" * 2000})
        response = api.as_user(org["marketing"]).post(url, data=body, content_type="application/json")
        assert response.status_code == 413
        assert "too large" in response.json()["detail"]

    def test_depth_is_measured_without_recursion(self):
        assert json_depth(3) == 0
        assert json_depth({"a": [1, {"b": []}]}) == 4
        deep = []
        for _ in range(50_000):
            deep = [deep]
        assert json_depth(deep) == 50_001


class TestStrictQueryParameters:
    @pytest.mark.parametrize("query, field", [
        ("page_size=-1", "page_size"), ("page_size=0", "page_size"), ("page_size=201", "page_size"),
        ("page_size=abc", "page_size"), ("page_size=5&page_size=6", "page_size"), ("page=-1", "page"),
    ])
    def test_bad_paging_is_a_400_not_the_default_page(self, api, org, query, field):
        response = api.as_user(org["admin"]).get(f"/api/v1/users/?{query}")
        assert response.status_code == 400
        assert response.json()[field]

    @pytest.mark.parametrize("query, field, message", [
        ("is_open=-1", "is_open", "Enter true or false."),
        ("is_open=yes", "is_open", "Enter true or false."),
        ("close_after=", "close_after", "This value may not be blank."),
        ("owner=", "owner", "This value may not be blank."),
        ("owner=1&owner=2", "owner", "Give this parameter at most once."),
    ])
    def test_loose_filter_values_are_a_400(self, api, org, query, field, message):
        response = api.as_user(org["admin"]).get(f"/api/v1/opportunities/?{query}")
        assert response.status_code == 400
        assert response.json()[field] == [message]

    def test_well_formed_filters_still_work(self, api, org):
        client = api.as_user(org["admin"])
        assert client.get("/api/v1/opportunities/?is_open=true&page_size=200&page=1").status_code == 200
        assert client.get("/api/v1/leads/?q=&status=new&status=working").status_code == 200  # text may be blank

    def test_the_html_list_still_takes_a_blank_filter_form(self, client, org):
        client.force_login(org["admin"])
        assert client.get("/pipeline/?close_after=&is_open=&owner=").status_code == 200



    @pytest.mark.parametrize("url, field", [
        ("/api/v1/metrics/funnel/?start=", "start"),
        ("/api/v1/forecast/?period=", "period"),
        ("/api/v1/forecast/?team=1&team=2", "team"),
        ("/api/v1/reports/lead-quality/?start=", "start"),
        ("/api/v1/reports/lead-quality/?source=", "source"),
    ])
    def test_blank_or_repeated_parameters_of_report_endpoints_are_a_400(self, api, org, url, field):
        response = api.as_user(org["admin"]).get(url)
        assert response.status_code == 400
        assert response.json()[field] in (["This value may not be blank."], ["Give this parameter at most once."])


def test_a_year_one_date_time_in_a_model_serializer_is_a_400(api, org):
    """Year one is refused with a 400, never a 500: naive, as ambiguous (issue 15; it used to be read
    in UTC+8 and overflowed converting to UTC); with an offset, as out of range."""
    from customers.models import Activity
    from tests.customers.factories import AccountFactory

    account = AccountFactory(owner=org["owner"])
    for when, code in (("0001-01-01T00:00:00", "naive_datetime"), ("0001-01-01T00:00:00+08:00", "overflow")):
        response = api.as_user(org["owner"]).post("/api/v1/activities/", {
            "account": account.pk, "kind": "call", "occurred_at": when, "summary": "x"}, format="json")
        assert response.status_code == 400
        assert response.json()["codes"] == {"occurred_at": [code]}
    assert not Activity.objects.exists()


def test_an_unmatched_api_url_answers_json_404_and_pages_keep_html(api, org, client):
    response = api.as_user(org["admin"]).delete("/api/v1/accounts/0.5/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


class TestStrictBodies:
    def test_a_number_for_a_text_field_is_a_400(self, api, org):
        response = api.as_user(org["admin"]).patch(f"/api/v1/teams/{org['east'].pk}/", {"name": 0}, format="json")
        assert response.status_code == 400
        assert response.json()["name"] == ["Not a valid string."]
        org["east"].refresh_from_db()
        assert org["east"].name == "East"

    @pytest.mark.parametrize("body, field, message", [
        ({"name": "Drip", "is_active": 0}, "is_active", ["Must be a valid boolean."]),
        ({"name": "Drip", "is_active": "yes"}, "is_active", ["Must be a valid boolean."]),
        ({"name": "Drip", "steps": [{"order": "1", "subject": "Hi", "body": "x"}]}, "steps",
         {"0": {"order": ["A valid integer is required."]}}),
    ])
    def test_json_values_of_another_type_are_a_400(self, api, org, body, field, message):
        from leads.models import NurtureTrack

        response = api.as_user(org["marketing"]).post("/api/v1/nurture/tracks/", body, format="json")
        assert response.status_code == 400
        assert response.json()[field] == message
        assert not NurtureTrack.objects.filter(name="Drip").exists()

    def test_form_input_is_still_read_as_text(self, api, org):
        response = api.as_user(org["admin"]).get("/api/v1/forecast/accuracy/?periods=2")
        assert response.status_code == 200 and response.json()["period"] == "quarter"

    def test_a_multipart_body_without_parts_is_a_400_where_files_are_uploaded(self, api, org):
        response = api.as_user(org["admin"]).generic(
            "POST", "/api/v1/leads/import/", "2644307786709",
            content_type="multipart/form-data; boundary=100ae8f9907a2a03f20d7c7551a974e0")
        assert response.status_code == 400
        assert response.json()["detail"] == "The multipart body has no parts."

    def test_bodies_other_than_json_are_refused_where_no_file_is_uploaded(self, api, org):
        """Issue 15: JSON bodies only, so a generated client has one typed body per operation."""
        for form in ("multipart", None):
            kwargs = {"format": form} if form else {"content_type": "application/x-www-form-urlencoded"}
            body = {"name": "East 2"} if form else "name=East+2"
            response = api.as_user(org["admin"]).patch(f"/api/v1/teams/{org['east'].pk}/", body, **kwargs)
            assert response.status_code == 415
            assert response.json()["code"] == "unsupported_media_type"
        org["east"].refresh_from_db()
        assert org["east"].name == "East"
