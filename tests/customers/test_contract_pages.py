"""Contract pages, the renewals due list, the 360 panels, the metrics and the demo data."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Contract, Ticket, UsageEvent
from salesops import metrics, panels
from salesops.metrics import Period, Scope
from teams.models import User
from tests.customers.contract_factories import ContractFactory, TicketFactory, UsageEventFactory
from tests.customers.factories import AccountFactory
from tests.teams.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def success(org):
    return UserFactory(username="csm", role=User.Role.SUCCESS, team=org["east"])


@pytest.fixture
def account(org, success):
    return AccountFactory(owner=org["owner"], success_owner=success, name="Initech")


def due(account, days, **extra):
    today = timezone.localdate()
    return ContractFactory(account=account, start=today - timedelta(days=300), end=today + timedelta(days=days),
                           **extra)


class TestPages:
    def test_renewals_due_lists_own_accounts_soonest_first(self, client, org, account, success):
        later, sooner = due(account, 80), due(account, 10)
        due(account, 200)
        due(AccountFactory(owner=org["outsider"]), 5)
        client.force_login(success)
        response = client.get(reverse("customers:renewals-due"))
        assert response.status_code == 200
        assert [c.pk for c in response.context["object_list"]] == [sooner.pk, later.pk]
        client.force_login(org["mgr"])
        assert len(client.get(reverse("customers:renewals-due")).context["object_list"]) == 2
        client.force_login(org["outsider"])
        assert len(client.get(reverse("customers:renewals-due")).context["object_list"]) == 1

    def test_the_contract_list_filters(self, client, org, account):
        soon = due(account, 10)
        due(account, 150, product="Add-on")
        client.force_login(org["owner"])
        url = reverse("customers:contract-list")
        assert [c.pk for c in client.get(url, {"ending_within": 30}).context["object_list"]] == [soon.pk]
        assert len(client.get(url, {"account": account.pk, "status": "active"}).context["object_list"]) == 2
        assert len(client.get(url, {"product": "add"}).context["object_list"]) == 1

    def test_the_list_has_a_constant_query_count(self, client, org, account, django_assert_max_num_queries):
        for _i in range(20):
            due(AccountFactory(owner=org["owner"]), 10)
        client.force_login(org["owner"])
        client.get(reverse("customers:contract-list"))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("customers:contract-list")).status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(reverse("customers:renewals-due")).status_code == 200

    def test_create_and_edit_from_the_account(self, client, account, success):
        client.force_login(success)
        url = reverse("customers:contract-create", args=[account.pk])
        assert client.get(url).status_code == 200
        data = {"product": "Platform", "term": "one_year", "start": "2026-01-01", "end": "2026-12-31", "mrr": "900",
                "currency": "CNY", "external_ref": ""}
        assert client.post(url, data).status_code == 302
        contract = Contract.objects.get()
        bad = client.post(reverse("customers:contract-edit", args=[contract.pk]), {**data, "end": "2025-01-01"})
        assert bad.status_code == 400
        assert client.post(reverse("customers:contract-edit", args=[contract.pk]), {**data, "mrr": "950"}).status_code == 302
        contract.refresh_from_db()
        assert contract.mrr == Decimal("950") and contract.end.isoformat() == "2026-12-31"

    def test_other_reps_and_support_cannot_create(self, client, org, account):
        for user in (org["outsider"], UserFactory(role=User.Role.SUPPORT)):
            client.force_login(user)
            assert client.get(reverse("customers:contract-create", args=[account.pk])).status_code == 404

    def test_the_renewal_form_records_the_outcome(self, client, account, success):
        contract = due(account, 30)
        client.force_login(success)
        response = client.post(reverse("customers:contract-renewal", args=[contract.pk]),
                               {"outcome": "expanded", "mrr": "1500", "next": reverse("customers:renewals-due")})
        assert response.status_code == 302 and response.url == reverse("customers:renewals-due")
        contract.refresh_from_db()
        assert contract.outcome == "expanded" and contract.renewed_by.mrr == Decimal("1500")
        again = client.post(reverse("customers:contract-renewal", args=[contract.pk]), {"outcome": "churned"},
                            follow=True)
        assert "already recorded" in again.content.decode()

    def test_the_pages_render_in_chinese(self, client, account, success):
        due(account, 30)
        client.force_login(success)
        client.cookies["django_language"] = "zh-hans"
        response = client.get(reverse("customers:renewals-due"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200


class TestPanels:
    def test_contracts_panel(self, account, success):
        today = timezone.localdate()
        ContractFactory(account=account, start=today - timedelta(10), end=today + timedelta(40), mrr=Decimal("100"))
        ContractFactory(account=account, start=today - timedelta(10), end=today + timedelta(300), mrr=Decimal("50"),
                        currency="USD")
        old = ContractFactory(account=account, status="ended", outcome="churned", outcome_at=today)
        panel = {p.code: p for p in panels.account_panels()}["contracts"]
        content = panel.render(account, success, None)
        assert content.context["mrr"] == {"CNY": Decimal("100"), "USD": Decimal("50")}
        assert content.context["next_renewal"].end == today + timedelta(40)
        assert content.context["outcomes"] == [old] and content.context["may_change"]

    def test_usage_panel_weeks_and_tickets(self, account, success):
        now = timezone.now()
        UsageEventFactory(account=account, quantity=Decimal("2"), occurred_at=now)
        UsageEventFactory(account=account, quantity=Decimal("3"), occurred_at=now)
        UsageEventFactory(account=account, quantity=Decimal("7"), occurred_at=now - timedelta(weeks=20))
        TicketFactory(account=account)
        TicketFactory(account=account, closed_at=now)
        panel = {p.code: p for p in panels.account_panels()}["usage-tickets"]
        context = panel.render(account, success, None).context
        assert len(context["usage_weeks"]) == 12 and context["usage_weeks"][-1][1] == 5.0
        assert sum(total for _w, total in context["usage_weeks"]) == 5.0
        assert context["open_tickets"] == 1 and len(context["tickets"]) == 2
        assert context["usage_figure"]["data"][0]["y"][-1] == 5.0

    def test_panels_cost_a_constant_number_of_queries(self, account, success, django_assert_max_num_queries):
        from django.template.loader import render_to_string
        for i in range(15):
            ContractFactory(account=account, outcome="renewed" if i % 2 else "", outcome_at=timezone.localdate())
            TicketFactory(account=account)
            UsageEventFactory(account=account)
        for code in ("contracts", "usage-tickets"):
            panel = {p.code: p for p in panels.account_panels()}[code]
            with django_assert_max_num_queries(3):
                content = panel.render(account, success, None)
                render_to_string(content.template, content.context)


class TestMetrics:
    def test_renewals_due_and_mrr(self, org, account, success):
        today = timezone.localdate()
        due(account, 30, mrr=Decimal("100"))
        due(account, 120, mrr=Decimal("50"), currency="USD")
        due(account, -3)  # past its end, still undecided
        due(account, 30, status="ended")
        ContractFactory(account=account, start=today + timedelta(5), end=today + timedelta(370))  # not started
        due(AccountFactory(owner=org["outsider"]), 10)
        scope = Scope(user=success)
        assert metrics.get("renewals_due").compute(scope, Period.all_time()).value == 2
        assert metrics.get("renewals_due").records(scope, Period.all_time()).count() == 2
        result = metrics.get("mrr").compute(scope, Period.all_time())
        assert result.per_currency == {"CNY": Decimal("1100"), "USD": Decimal("50")} and result.count == 3
        assert metrics.get("mrr").records(scope, Period.all_time()).count() == 3
        assert metrics.get("renewals_due").compute(Scope(user=org["admin"]), Period.all_time()).value == 3
        assert metrics.get("renewals_due").compute(Scope(user=org["admin"], owner_id=success.pk),
                                                   Period.all_time()).value == 2
        assert "renewals" in metrics.get("renewals_due").drilldown_url(scope, Period.all_time())


class TestDemo:
    def test_the_demo_is_idempotent(self, org):
        from customers.demo_contracts import seed_contracts
        for i in range(6):
            AccountFactory(owner=org["owner"], external_ref=f"demo:account:{i}")
        today = timezone.localdate()
        first = seed_contracts(today=today)
        assert first["contracts"] >= 6 and first["usage"] > 0 and first["tickets"] > 0
        assert Contract.objects.filter(status="active", outcome="", end__lte=today + timedelta(90)).exists()
        assert seed_contracts(today=today) == {"contracts": 0, "usage": 0, "tickets": 0}
        assert UsageEvent.objects.count() == first["usage"] and Ticket.objects.count() == first["tickets"]
