import factory

from leads.models import Lead
from tests.teams.factories import UserFactory


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    company = factory.Faker("company")
    industry = "technology"
    company_size = 250
    region = "east"
    source = "website"
    owner = factory.SubFactory(UserFactory)
