"""Factories for progress, milestones, meetings and outreach."""

import datetime
from zoneinfo import ZoneInfo

import factory

from activities.models import FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate
from agreements.models import CommitmentStatus
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    commitment = factory.SubFactory(CommitmentFactory)
    as_of = datetime.date(2021, 6, 30)
    status = CommitmentStatus.ON_TRACK
    percent_complete = 50
    narrative = "Work is moving as planned."
    reporting_party = factory.SubFactory(PartyFactory)
    author = factory.SubFactory(UserFactory)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    commitment = factory.SubFactory(CommitmentFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    owner_user = factory.SubFactory(UserFactory)
    due_on = datetime.date(2021, 9, 30)
    created_by = factory.SelfAttribute("owner_user")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    agreement = factory.SubFactory(AgreementFactory)
    kind = "quarterly"
    title = "Quarterly call"
    starts_at = datetime.datetime(2021, 5, 12, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    format = Meeting.Format.CALL
    agenda = "Priorities for the quarter."
    minutes = "Discussed priorities."
    organiser = factory.SubFactory(UserFactory)


class FollowUpActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpAction

    meeting = factory.SubFactory(MeetingFactory)
    description = "Circulate the draft."
    owner_user = factory.SubFactory(UserFactory)
    due_on = datetime.date(2021, 6, 1)


class OutreachEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachEvent

    agreement = factory.SubFactory(AgreementFactory)
    organising_party = factory.SubFactory(PartyFactory)
    title = "E-commerce exporters forum"
    held_on = datetime.date(2021, 4, 20)
    city = "Chicago"
    country = "United States"
    place = "us"
    audiences = factory.LazyFunction(lambda: ["platforms"])
    attendance = 120
    created_by = factory.SubFactory(UserFactory)
