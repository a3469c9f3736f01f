"""Factories for contracts, usage events and tickets (h3)."""
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from customers.models import Contract, Ticket, UsageEvent
from tests.customers.factories import AccountFactory


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    account = factory.SubFactory(AccountFactory)
    product = "Platform"
    term = Contract.Term.ONE_YEAR
    start = factory.LazyFunction(lambda: date.today() - timedelta(days=300))
    end = factory.LazyAttribute(lambda c: c.start + timedelta(days=364))
    mrr = Decimal("1000.00")
    currency = "CNY"


class UsageEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageEvent

    account = factory.SubFactory(AccountFactory)
    external_id = factory.Sequence(lambda n: f"u-{n}")
    feature = "reports"
    quantity = Decimal("1")
    occurred_at = factory.LazyFunction(timezone.now)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    account = factory.SubFactory(AccountFactory)
    external_id = factory.Sequence(lambda n: f"t-{n}")
    subject = "Cannot log in"
    opened_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
