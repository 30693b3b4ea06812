"""Factories for points of contact."""

import datetime

import factory

from agreements.tests.factories import AgreementFactory
from contacts.models import PointOfContact


class PointOfContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PointOfContact

    agreement = factory.SubFactory(AgreementFactory)
    party = factory.LazyAttribute(lambda o: o.agreement.parties.first())
    role_title = "Director"
    office = "Office of Trade"
    person_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@example.gov")
    phone = "202-555-0100"
    active_from = datetime.date(2020, 1, 15)
