"""The monthly marketing–sales review pack: page, PDF, access, scoping and the monthly email."""
import io
import os
from datetime import date, datetime
from unittest import mock

import pytest
from django.core import mail
from django.db.models import Count, Q
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dashboards.models import ReviewPackSend
from dashboards.review import selectors as review_selectors
from dashboards.review.pdf import PdfUnavailable, html_to_pdf
from dashboards.review.services import recipient_language, review_pack_send_month
from dashboards.tasks import review_pack_send_month_task
from leads.models import Lead, RuleSet
from leads.selectors import lead_queryset_for
from pipeline.selectors.metrics import period_range
from salesops import metrics
from salesops.metrics import Metric, MetricResult, MetricRow
from tests.leads.factories import LeadFactory

NOVEMBER = date(2026, 11, 1)


def _pdf_available() -> bool:
    try:
        html_to_pdf("<p>x</p>")
    except PdfUnavailable:
        if os.environ.get("SALESOPS_REQUIRE_PDF") == "1":
            raise
        return False
    return True


needs_pdf = pytest.mark.skipif(not _pdf_available(), reason="WeasyPrint cannot load Pango on this machine")


def _pdf_text(data: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


# --- stand-ins for leads metrics, used only where the leads app has not registered its own -------
def _leads(scope, period):
    start, end = period_range(period.start, period.end)
    return lead_queryset_for(user=scope.user), start, end


def _volume(scope, period):
    qs, start, end = _leads(scope, period)
    return qs.filter(created_at__gte=start, created_at__lt=end)


def _volume_by_source(scope, period, group_by):
    rows = _volume(scope, period).order_by().values("source").annotate(n=Count("id")).order_by("source")
    return [MetricRow(key=r["source"], label=r["source"].title(), value=r["n"], count=r["n"]) for r in rows]


def _mqls(scope, period):
    qs, start, end = _leads(scope, period)
    return qs.filter(mql_at__gte=start, mql_at__lt=end)


def _mql_to_opp(scope, period):
    agg = _mqls(scope, period).aggregate(n=Count("id"), conv=Count("id", filter=Q(converted_at__isnull=False)))
    return MetricResult(value=round(100 * agg["conv"] / agg["n"], 1) if agg["n"] else None, count=agg["n"])


STAND_INS = [
    Metric(code="lead_volume", name="Lead volume", unit=metrics.COUNT, better=metrics.UP, app="leads",
           compute=lambda s, p: MetricResult(value=_volume(s, p).count(), count=_volume(s, p).count()),
           records=_volume, breakdown=_volume_by_source, group_by=("source",)),
    Metric(code="mql_to_opportunity", name="MQL to opportunity", unit=metrics.PERCENT, better=metrics.UP,
           app="leads", compute=_mql_to_opp, records=_mqls),
]


@pytest.fixture(autouse=True)
def registry():
    """The registry as the apps filled it, plus stand-ins for the two lead metrics if missing."""
    saved = dict(metrics._metrics)
    for metric in STAND_INS:
        if metrics.find(metric.code) is None:
            metrics.register(metric)
    yield
    metrics._metrics.clear()
    metrics._metrics.update(saved)


def _at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _lead(owner, *, source, created: date, mql: date | None = None, converted: bool = False) -> Lead:
    lead = LeadFactory(owner=owner, source=source)
    Lead.objects.filter(pk=lead.pk).update(
        created_at=_at(created), mql_at=_at(mql) if mql else None,
        converted_at=_at(mql, 15) if converted and mql else None)
    return lead


@pytest.fixture
def pack_data(org):
    """East (mgr's team): 3 website leads in November, 2 of them MQLs in November, 1 converted;
    one website lead in October. West: 2 webinar leads in November, 1 MQL, not converted."""
    owner, outsider = org["owner"], org["outsider"]
    _lead(owner, source="website", created=date(2026, 11, 2), mql=date(2026, 11, 3), converted=True)
    _lead(owner, source="website", created=date(2026, 11, 5), mql=date(2026, 11, 6))
    _lead(org["teammate"], source="website", created=date(2026, 11, 30))
    _lead(owner, source="website", created=date(2026, 10, 31))
    _lead(outsider, source="webinar", created=date(2026, 11, 10), mql=date(2026, 11, 11))
    _lead(outsider, source="webinar", created=date(2026, 11, 12))
    return org


def _figures(pack):
    return {f.code: f for f in [pack.headline, *pack.totals] if f.available}


# --- the selector --------------------------------------------------------------------------------
@pytest.mark.django_db
class TestReviewPackSelector:
    def test_a_manager_counts_only_their_teams_leads(self, pack_data):
        pack = review_selectors.review_pack(user=pack_data["mgr"], month=NOVEMBER)
        figures = _figures(pack)
        assert figures["lead_volume"].value == 3 and figures["lead_volume"].previous == 1
        assert figures["mql_to_opportunity"].value == 50.0 and figures["mql_to_opportunity"].count == 2
        assert [row.key for row in pack.sources] == ["website"]
        volume_column = [code for code, _ in pack.columns].index("lead_volume")
        assert pack.sources[0].cells[volume_column] == "3"

    def test_marketing_sees_every_source(self, pack_data):
        pack = review_selectors.review_pack(user=pack_data["marketing"], month=NOVEMBER)
        figures = _figures(pack)
        assert figures["lead_volume"].value == 5
        assert figures["mql_to_opportunity"].value == pytest.approx(33.3, abs=0.1)
        assert {row.key for row in pack.sources} == {"website", "webinar"}

    def test_the_numbers_are_the_registrys(self, pack_data):
        user = pack_data["admin"]
        pack = review_selectors.review_pack(user=user, month=NOVEMBER)
        period = review_selectors.month_period(NOVEMBER)
        for code, figure in _figures(pack).items():
            assert figure.value == metrics.get(code).compute(metrics.Scope(user=user), period).value

    def test_an_unregistered_metric_is_shown_as_not_available(self, pack_data):
        metrics._metrics.pop("mql_to_opportunity")
        pack = review_selectors.review_pack(user=pack_data["mgr"], month=NOVEMBER)
        assert pack.headline.available is False

    def test_rule_sets_published_in_the_month_come_with_their_backtest(self, pack_data):
        published = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()
        RuleSet.objects.filter(pk=published.pk).update(published_at=_at(date(2026, 11, 20)))
        pack = review_selectors.review_pack(user=pack_data["mgr"], month=NOVEMBER)
        assert [c.rule_set.pk for c in pack.scoring_changes] == [published.pk]
        assert pack.scoring_changes[0].backtest["total"] == 4  # mgr's team's leads, every month
        october = review_selectors.review_pack(user=pack_data["mgr"], month=date(2026, 10, 1))
        assert october.scoring_changes == []

    def test_goals_running_in_the_month_are_listed_as_the_viewer_may_see_them(self, pack_data):
        from dashboards.models import Goal

        def goal(**kwargs):
            return Goal.objects.create(metric="mql_to_opportunity", target=25, baseline=15, better="up",
                                       start=date(2026, 10, 1), deadline=date(2027, 3, 31), **kwargs).pk
        org_goal = goal()
        east_goal = goal(scope="team", team=pack_data["east"])
        west_goal = goal(scope="team", team=pack_data["west"])
        rep_goal = goal(scope="rep", owner=pack_data["owner"])
        Goal.objects.create(metric="mql_to_opportunity", target=25, better="up",  # over before November
                            start=date(2026, 1, 1), deadline=date(2026, 10, 31))

        def seen(user):
            return [line.goal.pk for line in review_selectors.review_pack(user=user, month=NOVEMBER).goals]
        assert sorted(seen(pack_data["mgr"])) == sorted([org_goal, east_goal, rep_goal])
        assert sorted(seen(pack_data["other_mgr"])) == sorted([org_goal, west_goal])
        assert sorted(seen(pack_data["admin"])) == sorted([org_goal, east_goal, west_goal, rep_goal])
        line = review_selectors.review_pack(user=pack_data["marketing"], month=NOVEMBER).goals[0]
        assert (line.baseline, line.target) == ("15.0%", "25.0%")

    def test_months_are_parsed_strictly(self):
        assert review_selectors.parse_month("2026-11") == NOVEMBER
        for bad in ("2026-13", "2026-1", "26-11", "abcd-ef", "1999-12", "2026-11-01", ""):
            assert review_selectors.parse_month(bad) is None, bad
        assert review_selectors.previous_month(date(2026, 1, 15)) == date(2025, 12, 1)


# --- the page and the PDF -----------------------------------------------------------------------
@pytest.mark.django_db
class TestReviewPackPage:
    def test_managers_marketing_and_admins_see_it_reps_do_not(self, client, pack_data):
        url = reverse("dashboards:review", kwargs={"month": "2026-11"})
        for name, status in (("mgr", 200), ("marketing", 200), ("admin", 200), ("owner", 403)):
            client.force_login(pack_data[name])
            assert client.get(url).status_code == status, name

    def test_the_page_shows_the_scoped_figures_with_print_css(self, client, pack_data):
        client.force_login(pack_data["mgr"])
        response = client.get(reverse("dashboards:review", kwargs={"month": "2026-11"}))
        html = response.content.decode()
        assert 'data-source="website"' in html and 'data-source="webinar"' not in html
        assert "@media print" in html and 'data-month="2026-11"' in html
        assert reverse("dashboards:review-pdf", kwargs={"month": "2026-11"}) in html

    def test_a_bad_month_is_a_400_with_a_message(self, client, pack_data):
        client.force_login(pack_data["mgr"])
        response = client.get(reverse("dashboards:review", kwargs={"month": "2026-13"}))
        assert response.status_code == 400
        assert "YYYY-MM" in response.content.decode()

    def test_the_latest_page_is_last_month(self, client, pack_data):
        client.force_login(pack_data["mgr"])
        response = client.get(reverse("dashboards:review-latest"))
        assert response.status_code == 302
        assert response["Location"].endswith(f"/dashboards/review/{review_selectors.previous_month():%Y-%m}/")

    def test_the_dashboards_link_to_it_for_those_who_may_see_it(self, client, pack_data):
        link = f'href="{reverse("dashboards:review-latest")}"'
        for name, shown in (("mgr", True), ("marketing", True), ("owner", False)):
            client.force_login(pack_data[name])
            page = client.get(reverse("dashboards:dashboard", kwargs={"name": "sales"}))
            assert (link in page.content.decode()) is shown, name

    def test_anonymous_users_go_to_the_login_page(self, client):
        response = client.get(reverse("dashboards:review", kwargs={"month": "2026-11"}))
        assert response.status_code == 302 and "login" in response["Location"]

    @needs_pdf
    def test_the_pdf_is_a_pdf_of_the_month(self, client, pack_data):
        client.force_login(pack_data["mgr"])
        response = client.get(reverse("dashboards:review-pdf", kwargs={"month": "2026-11"}))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        text = _pdf_text(response.content)
        assert "Nov 2026" in text and "Website" in text and "Webinar" not in text

    def test_without_a_pdf_library_the_pdf_page_says_so(self, client, pack_data):
        client.force_login(pack_data["mgr"])
        with mock.patch("dashboards.review.services.html_to_pdf", side_effect=PdfUnavailable("no PDF here")):
            response = client.get(reverse("dashboards:review-pdf", kwargs={"month": "2026-11"}))
        assert response.status_code == 503 and "no PDF here" in response.content.decode()


# --- the monthly email -----------------------------------------------------------------------------
@pytest.mark.django_db
class TestReviewPackEmail:
    @needs_pdf
    def test_each_manager_and_marketer_gets_their_own_pack_once(self, pack_data):
        result = review_pack_send_month_task("2026-11")
        assert result == {"month": "2026-11", "sent": 3, "failed": 0, "already": 0}
        by_recipient = {m.to[0]: m for m in mail.outbox}
        assert set(by_recipient) == {"mgr@example.com", "other_mgr@example.com", "mkt@example.com"}
        for message in mail.outbox:
            name, content, mimetype = message.attachments[0]
            assert (name, mimetype) == ("review-2026-11.pdf", "application/pdf") and content.startswith(b"%PDF-")
            assert "2026-11" in message.subject
        east = _pdf_text(by_recipient["mgr@example.com"].attachments[0][1])
        west = _pdf_text(by_recipient["other_mgr@example.com"].attachments[0][1])
        everyone = _pdf_text(by_recipient["mkt@example.com"].attachments[0][1])
        assert "Website" in east and "Webinar" not in east
        assert "Webinar" in west and "Website" not in west
        assert "Website" in everyone and "Webinar" in everyone
        assert set(ReviewPackSend.objects.values_list("status", flat=True)) == {ReviewPackSend.Status.SENT}

        again = review_pack_send_month_task("2026-11")
        assert again == {"month": "2026-11", "sent": 0, "failed": 0, "already": 3}
        assert len(mail.outbox) == 3 and ReviewPackSend.objects.count() == 3

    @needs_pdf
    @override_settings(LANGUAGE_CODE="zh-hans")
    def test_a_chinese_speaking_recipient_gets_the_pack_in_chinese(self, pack_data):
        review_pack_send_month(month=NOVEMBER)
        text = _pdf_text({m.to[0]: m for m in mail.outbox}["mgr@example.com"].attachments[0][1])
        assert "官网" in text and "Website" not in text  # the source label, rendered with a CJK font

    def test_a_claimed_recipient_is_not_mailed(self, pack_data):
        ReviewPackSend.objects.create(month=NOVEMBER, recipient=pack_data["mgr"], email="mgr@example.com",
                                      language="en")
        with mock.patch("dashboards.review.services.html_to_pdf", return_value=b"%PDF-1.7 test"):
            result = review_pack_send_month(month=NOVEMBER)
        assert (result.sent, result.already) == (2, 1)
        assert "mgr@example.com" not in {m.to[0] for m in mail.outbox}

    def test_a_failed_send_is_recorded_and_not_retried(self, pack_data):
        with (mock.patch("dashboards.review.services.html_to_pdf", return_value=b"%PDF-1.7 test"),
              mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                         side_effect=ConnectionError("smtp down"))):
            result = review_pack_send_month(month=NOVEMBER)
        assert result.failed == 3 and result.sent == 0
        assert set(ReviewPackSend.objects.values_list("status", "error")) == {("failed", "smtp down")}
        with mock.patch("dashboards.review.services.html_to_pdf", return_value=b"%PDF-1.7 test"):
            assert review_pack_send_month(month=NOVEMBER).sent == 0
        assert mail.outbox == []

    def test_inactive_people_reps_and_people_without_email_get_nothing(self, pack_data):
        pack_data["other_mgr"].is_active = False
        pack_data["other_mgr"].save()
        pack_data["marketing"].email = ""
        pack_data["marketing"].save()
        with mock.patch("dashboards.review.services.html_to_pdf", return_value=b"%PDF-1.7 test"):
            result = review_pack_send_month(month=NOVEMBER)
        assert result.sent == 1 and [m.to for m in mail.outbox] == [["mgr@example.com"]]

    def test_without_a_pdf_library_the_pack_goes_as_html(self, pack_data):
        with mock.patch("dashboards.review.services.html_to_pdf", side_effect=PdfUnavailable("none")):
            review_pack_send_month(month=NOVEMBER)
        name, content, mimetype = mail.outbox[0].attachments[0]
        assert (name, mimetype) == ("review-2026-11.html", "text/html") and "2026-11" in content

    @override_settings(LANGUAGE_CODE="zh-hans")
    def test_the_site_language_is_used_when_the_user_has_none(self, pack_data):
        with mock.patch("dashboards.review.services.html_to_pdf", return_value=b"%PDF-1.7 test"):
            review_pack_send_month(month=NOVEMBER)
        assert set(ReviewPackSend.objects.values_list("language", flat=True)) == {"zh-hans"}

    def test_a_users_own_language_wins_when_the_site_speaks_it(self, pack_data):
        user = pack_data["mgr"]
        user.language = "zh-hans"
        assert recipient_language(user) == "zh-hans"
        user.language = "fr"
        assert recipient_language(user) == "en"

    @override_settings(SALESOPS_BASE_URL="https://crm.example.com/")
    def test_links_in_the_mailed_document_are_absolute(self, pack_data):
        from dashboards.review.services import review_pack_render
        html = review_pack_render(user=pack_data["mgr"], month=NOVEMBER)
        figure = review_selectors.review_pack(user=pack_data["mgr"], month=NOVEMBER).headline
        if figure.url:
            assert f'href="https://crm.example.com{figure.url}"' in html.replace("&amp;", "&")
        assert 'href="/' not in html

    def test_a_bad_month_is_refused(self, db):
        with pytest.raises(ValueError):
            review_pack_send_month_task("2026-13")
