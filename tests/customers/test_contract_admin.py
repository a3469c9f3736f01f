"""The contract admin writes through customers.services; usage events and tickets are read only."""
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from customers.models import Contract
from tests.customers.contract_factories import ContractFactory, TicketFactory
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, org):
    client.force_login(org["admin"])
    return client


def form(account, **extra):
    return {"account": account.pk, "product": "Platform", "term": "one_year", "start": "2026-01-01",
            "end": "2026-12-31", "mrr": "700", "currency": "CNY", "external_ref": "", **extra}


def test_add_change_and_delete_go_through_the_services(admin_client, org):
    account = AccountFactory(owner=org["owner"])
    assert admin_client.post(reverse("admin:customers_contract_add"), form(account)).status_code == 302
    contract = Contract.objects.get()
    assert LogEntry.objects.filter(object_id=str(contract.pk)).count() == 1  # the service's audit row only
    response = admin_client.post(reverse("admin:customers_contract_change", args=[contract.pk]),
                                 form(account, mrr="800"))
    assert response.status_code == 302 and Contract.objects.get().mrr == Decimal("800")
    admin_client.post(reverse("admin:customers_contract_delete", args=[contract.pk]), {"post": "yes"})
    assert not Contract.objects.exists()


def test_a_refused_currency_is_a_message_not_a_500(admin_client, org):
    account = AccountFactory(owner=org["owner"])
    response = admin_client.post(reverse("admin:customers_contract_add"), form(account, currency="XXX"), follow=True)
    assert response.status_code == 200 and not Contract.objects.exists()
    assert "Unknown currency" in response.content.decode()


def test_usage_and_tickets_are_read_only(admin_client, org):
    ticket = TicketFactory()
    assert admin_client.get(reverse("admin:customers_ticket_change", args=[ticket.pk])).status_code == 200
    assert admin_client.get(reverse("admin:customers_ticket_add")).status_code == 403
    assert admin_client.get(reverse("admin:customers_usageevent_changelist")).status_code == 200
    ContractFactory()
    assert admin_client.get(reverse("admin:customers_contract_changelist")).status_code == 200
