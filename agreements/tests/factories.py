"""Factories for the agreement's records; other apps' factories build on these."""

import datetime

import factory
from django.contrib.auth import get_user_model

from agreements.models import (
    Agreement,
    Commitment,
    Modification,
    ModificationExecution,
    Obligation,
    Party,
    PartyMembership,
    Section,
    Signatory,
    VocabularyEntry,
)
from agreements.obligations import Vocabulary
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
    """A two-party agreement executed on 2020-01-15 for five years, unless told otherwise.

    It states the recurring obligations most tests were written for (`standard_obligations`:
    quarterly meetings with minutes, outreach in two places, points of contact); pass
    `obligations=[]` for an agreement that states none.
    """

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

    @factory.post_generation
    def obligations(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            standard_obligations(self)


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


class VocabularyEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VocabularyEntry

    agreement = factory.SubFactory(AgreementFactory)
    vocabulary = Vocabulary.MEETING_KINDS
    key = factory.Sequence(lambda n: f"kind-{n}")
    label = factory.LazyAttribute(lambda o: o.key.capitalize())
    position = factory.Sequence(lambda n: n)


class ObligationFactory(factory.django.DjangoModelFactory):
    """A meeting each calendar quarter, owed by every party, unless told otherwise."""

    class Meta:
        model = Obligation
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory, obligations=[])
    code = factory.Sequence(lambda n: f"obligation-{n}")
    kind = "meeting"
    title = "Meetings of the parties"
    section = factory.SubFactory(SectionFactory, agreement=factory.SelfAttribute("..agreement"))
    cadence = "quarterly"
    anchor = "calendar"
    meeting_kinds = factory.LazyFunction(lambda: ["quarterly"])
    requires_minutes = True
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if create:
            self.parties.set(extracted if extracted is not None else self.agreement.parties.all())


def vocabulary(agreement, name, entries, section=None):
    """Give the agreement a vocabulary: `entries` are (key, label) pairs, in order."""
    return [
        VocabularyEntry.objects.create(
            agreement=agreement, vocabulary=name, key=key, label=label, section=section, position=i
        )
        for i, (key, label) in enumerate(entries)
    ]


def standard_obligations(agreement):
    """The obligations and vocabularies of the DOC–DHS MOA's shape, for tests written against it:
    quarterly meetings or calls with minutes (VI.5), outreach in the United States and abroad at
    least once a year (VI.3), and a point of contact in each party (VI.1)."""
    clause = {
        number: SectionFactory(agreement=agreement, number=number, heading=heading)
        for number, heading in (
            ("VI.1", "Points of contact"),
            ("VI.3", "Outreach"),
            ("VI.5", "Meetings"),
        )
    }
    vocabulary(
        agreement,
        Vocabulary.MEETING_KINDS,
        [("quarterly", "Quarterly meeting or call"), ("wco", "Working group"), ("other", "Other meeting")],
        clause["VI.5"],
    )
    vocabulary(
        agreement,
        Vocabulary.AUDIENCES,
        [
            ("platforms", "E-commerce platforms"),
            ("enterprises", "Micro, small, medium and large enterprises"),
            ("financial_technology", "Financial and technology entities"),
        ],
        clause["VI.3"],
    )
    vocabulary(
        agreement,
        Vocabulary.EVENT_PLACES,
        [("us", "In the United States"), ("abroad", "Abroad")],
        clause["VI.3"],
    )
    ObligationFactory(
        agreement=agreement,
        code="quarterly-meetings",
        title="Quarterly meetings or conference calls",
        section=clause["VI.5"],
        position=0,
    )
    ObligationFactory(
        agreement=agreement,
        code="outreach-events",
        kind="event",
        title="Outreach events",
        section=clause["VI.3"],
        cadence="annual",
        anchor="rolling",
        meeting_kinds=[],
        requires_minutes=False,
        audiences=["platforms", "enterprises", "financial_technology"],
        balance_text="in the United States and abroad",
        balance_across=Vocabulary.EVENT_PLACES,
        balance_each_of=["us", "abroad"],
        balance_over="term",
        position=1,
    )
    ObligationFactory(
        agreement=agreement,
        code="points-of-contact",
        kind="contacts",
        title="Points of contact",
        section=clause["VI.1"],
        cadence="continuous",
        meeting_kinds=[],
        requires_minutes=False,
        position=2,
    )
