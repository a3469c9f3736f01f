"""People for the account pages' tests, next to the `org` fixture's (owner, teammate, outsider, mgr, admin):
a customer-success manager, a support agent and a product manager."""
from teams.models import User
from tests.teams.factories import UserFactory


def customer_people(org) -> dict:
    return {**org,
            "success": UserFactory(username="success", role=User.Role.SUCCESS),
            "other_success": UserFactory(username="success2", role=User.Role.SUCCESS),
            "support": UserFactory(username="support", role=User.Role.SUPPORT),
            "product": UserFactory(username="product", role=User.Role.PRODUCT)}
