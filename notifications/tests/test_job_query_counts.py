"""The daily jobs decide and claim their notices with a fixed number of queries, however many
notices are due; delivering costs two queries a notice (each locked, sent and marked alone)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.tests.factories import MeetingFactory, MilestoneFactory, ProgressUpdateFactory
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from notifications import jobs
from notifications.models import Notification
from notifications.tests.factories import PointOfContactFactory

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
ON = datetime.date(2021, 5, 20)  # day 50 of 2021 Q2, a Thursday
MEETING_STARTS = datetime.datetime(2021, 5, 25, 10, tzinfo=NY)  # 5 days ahead: its 14-day reminder is due


def queries_of(job) -> tuple[int, list]:
    """The job's queries (savepoints aside: they are the test's transaction, not the job's)."""
    with CaptureQueriesContext(connection) as ctx:
        result = job(on=ON)
    return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]), result


def first_run_queries(job, add, small: int = 1, large: int = 4) -> tuple[int, int]:
    """Queries of a first run with `small` sets of notices due, then (log emptied) with `large`."""
    counts = []
    for n in (small, large - small):
        add(n)
        Notification.objects.all().delete()
        count, claimed = queries_of(job)
        assert claimed, "nothing was due: the scenario is wrong"
        counts.append(count)
    return counts[0], counts[1]


def a_user_and_a_contact_who_is_a_user_and_one_who_is_not(agreement, i):
    """Every kind of recipient, so each size runs the same lookups."""
    party = agreement.parties.first()
    UserFactory(username=f"poc.user{i}", email=f"poc.user{i}@example.gov")
    return (
        UserFactory(username=f"user{i}"),
        PointOfContactFactory(agreement=agreement, party=party, email=f"POC.User{i}@example.gov"),
        PointOfContactFactory(agreement=agreement, party=party, email=f"external{i}@example.org"),
    )


def test_minutes_nudges_claim_with_the_same_queries_for_one_meeting_or_many():
    def add(n):
        for _ in range(n):
            MeetingFactory(minutes="", starts_at=datetime.datetime(2021, 5, 3, 10, tzinfo=NY))

    small, large = first_run_queries(jobs.minutes_nudges_claim, add)
    assert small == large


def test_minutes_nudges_send_adds_two_queries_a_notice_to_the_claim():
    for _ in range(3):
        MeetingFactory(minutes="", starts_at=datetime.datetime(2021, 5, 3, 10, tzinfo=NY))
    claim_queries, claimed = queries_of(jobs.minutes_nudges_claim)
    Notification.objects.all().delete()
    send_queries, sent = queries_of(jobs.minutes_nudges_send)
    assert len(sent) == len(claimed) == 3
    assert send_queries == claim_queries + 2 * 3


def test_stale_digests_claim_with_the_same_queries_for_one_owner_or_many():
    counter = iter(range(100))

    def add(n):
        for _ in range(n):
            i = next(counter)
            agreement = AgreementFactory()
            user, contact_user, contact = a_user_and_a_contact_who_is_a_user_and_one_who_is_not(agreement, i)
            item = CommitmentFactory(agreement=agreement, owner=user)
            ProgressUpdateFactory(commitment=item, as_of=ON - datetime.timedelta(days=120))
            for owner in (contact_user, contact):
                MilestoneFactory(
                    commitment=item,
                    owner_user=None,
                    owner_contact=owner,
                    created_by=user,
                    due_on=ON - datetime.timedelta(days=3),
                )
            MilestoneFactory(commitment=item, owner_user=user, due_on=ON - datetime.timedelta(days=2))

    small, large = first_run_queries(jobs.stale_digests_claim, add)
    assert small == large


def test_meeting_reminders_claim_with_the_same_queries_for_one_meeting_or_many():
    counter = iter(range(100))

    def add(n):
        for _ in range(n):
            i = next(counter)
            agreement = AgreementFactory(parties=[PartyFactory(), PartyFactory()])
            user, contact_user, contact = a_user_and_a_contact_who_is_a_user_and_one_who_is_not(agreement, i)
            meeting = MeetingFactory(agreement=agreement, starts_at=MEETING_STARTS)
            meeting.attendee_users.add(user)
            meeting.attendee_contacts.add(contact)

    small, large = first_run_queries(jobs.meeting_reminders_claim, add)
    assert small == large


def test_unscheduled_quarter_notices_claim_with_the_same_queries_for_one_agreement_or_many():
    counter = iter(range(100))

    def add(n):
        for _ in range(n):
            i = next(counter)
            agreement = AgreementFactory()
            for contact in a_user_and_a_contact_who_is_a_user_and_one_who_is_not(agreement, i)[1:]:
                contact.is_coordinator = True
                contact.save()

    small, large = first_run_queries(jobs.unscheduled_quarter_notices_claim, add)
    assert small == large
