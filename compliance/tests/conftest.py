"""Fixtures for the dashboard's pages: a small agreement, and data to grow it by a factor."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from activities.tests.factories import (
    FollowUpActionFactory,
    MeetingFactory,
    MilestoneFactory,
    OutreachEventFactory,
    ProgressUpdateFactory,
)
from agreements.models import CommitmentStatus
from agreements.permissions import MANAGER, STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from contacts.models import PointOfContact

NY = ZoneInfo("America/New_York")


@pytest.fixture
def abc(db):
    return PartyFactory(acronym="ABC")


@pytest.fixture
def xyz(db):
    return PartyFactory(acronym="XYZ")


@pytest.fixture
def pact(abc, xyz):
    return AgreementFactory(
        slug="pact", executed_on=datetime.date(2020, 1, 15), term_years=5, parties=[abc, xyz]
    )


@pytest.fixture
def manager(abc):
    return UserFactory(username="abc.manager", party=abc, roles=[MANAGER])


@pytest.fixture
def staff(abc):
    return UserFactory(username="abc.staff", party=abc, roles=[STAFF])


@pytest.fixture
def outside_manager(db):
    return UserFactory(username="npa.manager", party=PartyFactory(acronym="NPA"), roles=[MANAGER])


def grow(agreement, parties, author, factor: int) -> None:
    """`factor` times a mix of every record the dashboard counts."""
    for n in range(factor):
        lead = parties[n % len(parties)]
        for kind in ("objective", "joint_activity", "strategic_goal", "action_item"):
            item = CommitmentFactory(agreement=agreement, kind=kind, lead_party=lead)
            ProgressUpdateFactory(
                commitment=item,
                as_of=datetime.date(2021, 1 + n % 6, 10),
                status=[CommitmentStatus.ON_TRACK, CommitmentStatus.AT_RISK, CommitmentStatus.BLOCKED][n % 3],
                reporting_party=lead,
                author=author,
            )
            MilestoneFactory(commitment=item, due_on=datetime.date(2021, 3, 1), owner_user=author)
        meeting = MeetingFactory(
            agreement=agreement,
            organiser=author,
            starts_at=datetime.datetime(2020 + n % 2, 2 + 3 * (n % 4), 12, 10, tzinfo=NY),
            minutes="" if n % 2 else "Discussed.",
        )
        FollowUpActionFactory(meeting=meeting, owner_user=author, due_on=datetime.date(2021, 2, 1))
        OutreachEventFactory(
            agreement=agreement,
            organising_party=lead,
            created_by=author,
            held_on=datetime.date(2020, 4 + n % 8, 20),
            place="us" if n % 2 else "abroad",
        )
        poc = PointOfContact.objects.create(
            agreement=agreement, party=lead, role_title=f"Officer {n}", active_from=datetime.date(2020, 1, 15)
        )
        poc.office = "Updated"
        poc.save()
