from decimal import Decimal

from customers.models import Activity
from pipeline import services
from pipeline.models import Competitor, Stage
from tests.customers.factories import AccountFactory


def stage(code: str) -> Stage:
    return Stage.objects.get(code=code)


def make_opportunity(*, owner, account=None, by=None, **fields):
    """A deal created through the service (first stage, "created" ledger entry)."""
    account = account or AccountFactory(owner=owner)
    fields.setdefault("name", f"{account.name} deal")
    fields.setdefault("amount", Decimal("10000"))
    return services.opportunity_create(by=by or owner, owner=owner, account=account, **fields)


def log_meeting(opportunity, *, by=None):
    return services.opportunity_activity_log(opportunity=opportunity, by=by or opportunity.owner,
                                                kind=Activity.Kind.MEETING, occurred_at=opportunity.created_at,
                                                summary="Demo")


def competitor(name="Rival Corp"):
    return Competitor.objects.get_or_create(name=name, defaults={"value_proposition": "We are faster",
                                                                 "objection_answers": "Price: TCO is lower"})[0]
