"""Dashboards served from figures computed ahead (dashboards.board_cache): a second view reads the
cache, per viewer and language; "Refresh now" builds live; the warm job rebuilds what was viewed."""
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from dashboards import board_cache
from tests.pipeline.factories import make_opportunity, stage

from .fake_metrics import fake_metrics

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registry():
    with fake_metrics():
        yield


def won_deal(owner, amount):
    from pipeline import services

    deal = make_opportunity(owner=owner, amount=Decimal(amount))
    services.opportunity_import_stage(opportunity=deal, to_stage=stage("closed_won"), at=timezone.now())
    return deal


def won_value(response) -> str:
    text = re.sub(r"\s+", " ", response.content.decode())
    match = re.search(r'data-kpi="won_value".*?class="kpi-value"[^>]*>([^<]*)<', text)
    return match.group(1).strip()


def from_cache(response) -> str:
    return re.search(r'data-from-cache="(\d)"', response.content.decode()).group(1)


def test_without_the_cache_every_view_is_built_live(client, org):
    client.force_login(org["mgr"])
    won_deal(org["owner"], "1000")
    first = client.get("/dashboards/sales/")
    won_deal(org["owner"], "500")
    second = client.get("/dashboards/sales/")
    assert (won_value(first), won_value(second)) == ("1,000 CNY", "1,500 CNY")
    assert from_cache(second) == "0" and "data-refresh" not in second.content.decode()


def test_a_second_view_is_served_from_the_cache_until_refreshed(client, org, dashboard_cache):
    client.force_login(org["mgr"])
    won_deal(org["owner"], "1000")
    first = client.get("/dashboards/sales/")
    assert from_cache(first) == "0" and won_value(first) == "1,000 CNY"
    won_deal(org["owner"], "500")
    second = client.get("/dashboards/sales/")
    assert from_cache(second) == "1" and won_value(second) == "1,000 CNY"  # as of the first view
    html = second.content.decode()
    assert "Figures as of" in html and 'href="?refresh=1"' in html
    refreshed = client.get("/dashboards/sales/", {"refresh": "1"})
    assert from_cache(refreshed) == "0" and won_value(refreshed) == "1,500 CNY"
    assert won_value(client.get("/dashboards/sales/")) == "1,500 CNY"  # the refresh was stored


def test_the_refresh_link_keeps_the_filter(client, org, dashboard_cache):
    client.force_login(org["mgr"])
    client.get("/dashboards/sales/", {"period": "last_12_months"})
    again = client.get("/dashboards/sales/", {"period": "last_12_months"})
    assert 'href="?period=last_12_months&amp;refresh=1"' in again.content.decode()


def test_each_viewer_and_language_has_its_own_copy(client, org, dashboard_cache):
    won_deal(org["owner"], "1000")   # East (the manager's team)
    won_deal(org["outsider"], "7000")  # West
    admin = org["admin"]
    client.force_login(org["mgr"])
    assert won_value(client.get("/dashboards/sales/")) == "1,000 CNY"
    client.force_login(admin)
    assert won_value(client.get("/dashboards/sales/")) == "8,000 CNY"  # not the manager's copy
    client.force_login(org["mgr"])
    assert from_cache(client.get("/dashboards/sales/")) == "1"
    chinese = client.get("/dashboards/sales/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert from_cache(chinese) == "0" and "销售仪表盘" in chinese.content.decode()


def test_the_warm_job_rebuilds_what_was_viewed(client, org, dashboard_cache):
    client.force_login(org["mgr"])
    won_deal(org["owner"], "1000")
    client.get("/dashboards/sales/", {"period": "last_12_months"})
    client.get("/dashboards/marketing/")
    won_deal(org["owner"], "500")
    assert board_cache.dashboards_warm() == 2
    served = client.get("/dashboards/sales/", {"period": "last_12_months"})
    assert from_cache(served) == "1" and won_value(served) == "1,500 CNY"


def test_the_warm_job_drops_viewers_who_left_and_filters_that_no_longer_hold(client, org, dashboard_cache):
    client.force_login(org["mgr"])
    client.get("/dashboards/sales/")
    client.force_login(org["owner"])
    client.get("/dashboards/sales/", {"team": str(org["east"].pk)})
    org["mgr"].is_active = False
    org["mgr"].save(update_fields=["is_active"])
    org["east"].delete()  # the rep's saved filter names a team that is gone
    assert board_cache.dashboards_warm() == 0
    assert cache.get(board_cache.VIEWED_KEY) == {}


def test_the_warm_job_is_bounded_and_skips_old_views(client, org, dashboard_cache, settings):
    settings.SALESOPS_DASHBOARD_WARM_MAX = 1
    client.force_login(org["mgr"])
    client.get("/dashboards/sales/")
    client.get("/dashboards/marketing/")
    assert board_cache.dashboards_warm() == 1
    later = timezone.now() + timezone.timedelta(hours=25)
    assert board_cache.dashboards_warm(now=later) == 0


def test_the_warm_job_does_nothing_when_the_cache_is_off(client, org, settings):
    client.force_login(org["mgr"])
    client.get("/dashboards/sales/")
    assert board_cache.dashboards_warm() == 0
