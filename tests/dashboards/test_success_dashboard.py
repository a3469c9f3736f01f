"""The customer-success dashboard: where success, support and product land, and what it counts."""
import pytest
from django.utils import timezone

from customers.models import AccountHealth
from teams.models import User
from teams.predicates import SUCCESS_DASHBOARD, default_dashboard_for
from tests.customers.factories import AccountFactory
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [User.Role.SUCCESS, User.Role.SUPPORT, User.Role.PRODUCT])
def test_customer_roles_land_on_the_success_dashboard(client, role):
    user = UserFactory(role=role)
    assert default_dashboard_for(user) == SUCCESS_DASHBOARD
    client.force_login(user)
    assert client.get("/")["Location"] == "/dashboards/success/"


def _health(account, score, band):
    AccountHealth.objects.create(account=account, score=score, band=band, computed_at=timezone.now())


def test_health_distribution_counts_the_accounts_in_each_band(client, org):
    success = UserFactory(role=User.Role.SUCCESS)
    mine = [AccountFactory(owner=org["owner"], success_owner=success) for _ in range(4)]
    _health(mine[0], 90, "healthy")
    _health(mine[1], 80, "healthy")
    _health(mine[2], 40, "critical")
    _health(AccountFactory(owner=org["outsider"]), 10, "critical")  # not this success manager's account
    client.force_login(success)
    response = client.get("/dashboards/success/")
    assert response.status_code == 200
    section = next(s for s in response.context["sections"] if s.id == "health")
    rows = {row[0].text: (row[1].text, row[2].text) for row in section.rows}
    assert rows == {"Healthy": ("2", "85.0"), "Critical": ("1", "40.0")}
    critical_link = next(row[1].url for row in section.rows if row[0].text == "Critical")
    listed = client.get(critical_link)
    assert [a.pk for a in listed.context["object_list"]] == [mine[2].pk]  # the link lists exactly those counted
    tiles = {tile["code"]: tile for tile in response.context["tiles"]}
    assert tiles["accounts_critical"]["text"] == "1" and tiles["health_score"]["available"]


def test_the_success_dashboard_speaks_chinese(client):
    client.force_login(UserFactory(role=User.Role.SUCCESS))
    page = client.get("/dashboards/success/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "客户成功" in page and "Health distribution" not in page
