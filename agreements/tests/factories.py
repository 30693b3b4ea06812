"""Factories for the agreement's records; other apps' factories build on these."""

import datetime

import factory
from django.contrib.auth import get_user_model

from agreements.models import (
    Agreement,
    Commitment,
    Modification,
    ModificationExecution,
    Party,
    PartyMembership,
    Section,
    Signatory,
)
from agreements.permissions import role_groups

DEFAULT_PASSWORD = "correct-horse-battery-staple"  # noqa: S105


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party
        django_get_or_create = ("acronym",)

    acronym = factory.Sequence(lambda n: f"AG{n}")
    key = factory.LazyAttribute(lambda o: o.acronym)
    name = factory.LazyAttribute(lambda o: f"Agency {o.acronym}")
    department = factory.LazyAttribute(lambda o: f"Department of {o.acronym}")


class AgreementFactory(factory.django.DjangoModelFactory):
    """A two-party agreement executed on 2020-01-15 for five years, unless told otherwise."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"agreement-{n}")
    short_name = factory.Sequence(lambda n: f"Agreement {n}")
    title = factory.LazyAttribute(lambda o: f"Memorandum of Agreement {o.short_name}")
    kind = Agreement.Kind.MOA
    purpose = "To work together."
    executed_on = datetime.date(2020, 1, 15)
    term_years = 5

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if not create:
            return
        self.parties.set(extracted if extracted is not None else [PartyFactory(), PartyFactory()])


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: f"S.{n}")
    heading = "A clause"
    text = "The parties will do it."
    position = factory.Sequence(lambda n: n)


class CommitmentFactory(factory.django.DjangoModelFactory):
    """An item: `lead_party=X` for one lead, `lead_parties=[…]` for a set, neither for joint."""

    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory)
    kind = Commitment.Kind.JOINT_ACTIVITY
    code = factory.Sequence(lambda n: f"C{n}")
    title = factory.Sequence(lambda n: f"Commitment {n}")
    description = "Do the thing the clause says."
    source_section = factory.SubFactory(SectionFactory, agreement=factory.SelfAttribute("..agreement"))
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def lead_party(self, create, extracted, **kwargs):
        if create:
            self.lead_parties.set([extracted] if extracted is not None else self.agreement.parties.all())

    @factory.post_generation
    def lead_parties(self, create, extracted, **kwargs):
        if create and extracted is not None:
            self.lead_parties.set(extracted)


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    agreement = factory.SubFactory(AgreementFactory)
    party = factory.SubFactory(PartyFactory)
    name = factory.Faker("name")
    title = "Assistant Secretary"


class ModificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Modification

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Extension of the term"
    text = "The term is extended."
    proposed_on = datetime.date(2024, 6, 1)


class ModificationExecutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModificationExecution

    modification = factory.SubFactory(ModificationFactory)
    party = factory.SubFactory(PartyFactory)
    executed_on = datetime.date(2024, 7, 1)


class UserFactory(factory.django.DjangoModelFactory):
    """A portal user; `party=` gives them a PartyMembership, `roles=[...]` their groups."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def party(self, create, extracted, **kwargs):
        if create and extracted is not None:
            PartyMembership.objects.update_or_create(user=self, defaults={"party": extracted})

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(role_groups(extracted))
