"""Fixtures shared by the customers tests."""
import pytest

from teams.models import User
from tests.customers.factories import AccountFactory
from tests.teams.factories import UserFactory


@pytest.fixture
def success(org):
    """A customer-success manager in East."""
    return UserFactory(username="cs", role=User.Role.SUCCESS, team=org["east"])


@pytest.fixture
def account(org, success):
    """East's `owner` sells to Acme; `success` looks after it."""
    return AccountFactory(owner=org["owner"], success_owner=success, name="Acme")
