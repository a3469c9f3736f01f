import factory
from django.utils import timezone

from customers.models import Account, Contact, Activity
from tests.teams.factories import UserFactory


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    industry = "technology"
    employees = 500
    region = "east"
    owner = factory.SubFactory(UserFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    account = factory.SubFactory(AccountFactory)
    kind = Activity.Kind.CALL
    occurred_at = factory.LazyFunction(timezone.now)
    summary = "Talked"
    owner = factory.LazyAttribute(lambda i: i.account.owner)


# --- surveys (h5) ---------------------------------------------------------------------------------
from customers.models import Survey, SurveyResponse  # noqa: E402


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Survey {n}")
    kind = Survey.Kind.NPS
    question = "How likely are you to recommend us?"


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    survey = factory.SubFactory(SurveyFactory)
    account = factory.SubFactory(AccountFactory)
    kind = factory.LazyAttribute(lambda r: r.survey.kind)
    score = 9
    responded_at = factory.LazyFunction(timezone.now)
# --- h6: contracts and spend for retention ------------------------------------------------------
class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.Contract"

    account = factory.SubFactory(AccountFactory)
    product = "Platform"
    term = "one_year"
    start = factory.LazyFunction(lambda: timezone.localdate())
    mrr = 100
    currency = "CNY"
