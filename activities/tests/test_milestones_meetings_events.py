"""Milestones, meetings with follow-ups, and outreach events: the services and model rules."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from activities import services
from activities.models import FollowUpAction, Meeting, OutreachEvent
from activities.tests import files
from activities.tests.factories import MilestoneFactory
from agreements.tests.factories import AgreementFactory, CommitmentFactory, UserFactory
from contacts.models import PointOfContact
from core.time import today

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def test_milestone_due_before_the_items_start_is_refused():
    item = CommitmentFactory(agreement=AgreementFactory(executed_on=datetime.date(2020, 1, 15)))
    with pytest.raises(ValidationError, match="before the commitment's start"):
        services.milestone_create(
            commitment=item, acting_user=UserFactory(), title="Early", due_on=datetime.date(2020, 1, 14)
        )


def test_milestone_with_two_owners_is_refused():
    item = CommitmentFactory()
    contact = PointOfContact.objects.create(
        agreement=item.agreement,
        party=item.agreement.parties.first(),
        role_title="Director",
        active_from=datetime.date(2020, 1, 15),
    )
    with pytest.raises(ValidationError, match="Choose one owner"):
        services.milestone_create(
            commitment=item,
            acting_user=UserFactory(),
            title="Two owners",
            due_on=datetime.date(2021, 1, 1),
            owner_user=UserFactory(),
            owner_contact=contact,
        )


def test_milestone_completed_is_no_longer_overdue():
    milestone = MilestoneFactory(due_on=datetime.date(2021, 1, 1))
    assert milestone.is_overdue
    services.milestone_complete(
        milestone=milestone,
        acting_user=milestone.created_by,
        completed_on=datetime.date(2021, 1, 5),
        expected_version=milestone.version,
    )
    milestone.refresh_from_db()
    assert milestone.completed_on == datetime.date(2021, 1, 5)
    assert not milestone.is_overdue


def test_milestone_cannot_be_completed_in_the_future():
    milestone = MilestoneFactory()
    with pytest.raises(ValidationError, match="future"):
        services.milestone_complete(
            milestone=milestone,
            acting_user=milestone.created_by,
            completed_on=today() + datetime.timedelta(days=1),
            expected_version=milestone.version,
        )


def meeting_values(agreement, **overrides):
    values = {
        "agreement": agreement,
        "acting_user": UserFactory(),
        "kind": "quarterly",
        "title": "Q2 call",
        "starts_at": datetime.datetime(2021, 5, 12, 10, tzinfo=NY),
        "format": Meeting.Format.CALL,
        "minutes": "Agreed next steps.",
    }
    values.update(overrides)
    return values


def test_meeting_is_recorded_with_attendees_items_and_follow_ups():
    agreement = AgreementFactory()
    item = CommitmentFactory(agreement=agreement)
    attendee = UserFactory()
    owner = UserFactory()
    meeting = services.meeting_create(
        **meeting_values(agreement),
        attendee_users=[attendee],
        items=[item],
        follow_ups=[
            {"description": "Send the draft", "owner_user": owner, "due_on": datetime.date(2021, 6, 1)}
        ],
        files=[files.pdf("minutes.pdf")],
    )
    assert list(meeting.attendee_users.all()) == [attendee]
    assert list(item.meetings.all()) == [meeting]
    assert meeting.follow_ups.get().owner_user == owner
    assert meeting.evidence.get().original_name == "minutes.pdf"


def test_meeting_before_the_agreement_is_refused():
    agreement = AgreementFactory(executed_on=datetime.date(2020, 1, 15))
    with pytest.raises(ValidationError, match="before the agreement"):
        services.meeting_create(
            **meeting_values(agreement, starts_at=datetime.datetime(2020, 1, 1, tzinfo=NY))
        )


def test_meeting_with_a_bad_file_saves_nothing():
    agreement = AgreementFactory()
    with pytest.raises(ValidationError):
        services.meeting_create(
            **meeting_values(agreement),
            follow_ups=[
                {"description": "x", "owner_user": UserFactory(), "due_on": datetime.date(2021, 6, 1)}
            ],
            files=[files.upload("minutes.docx", files.EXE)],
        )
    assert not Meeting.objects.exists()
    assert not FollowUpAction.objects.exists()


def test_meeting_update_keeps_follow_ups_and_adds_minutes():
    agreement = AgreementFactory()
    meeting = services.meeting_create(
        **meeting_values(agreement, minutes=""),
        follow_ups=[
            {"description": "Draft", "owner_user": UserFactory(), "due_on": datetime.date(2021, 6, 1)}
        ],
    )
    services.meeting_update(
        meeting=meeting,
        acting_user=meeting.organiser,
        expected_version=meeting.version,
        minutes="Minutes written later.",
    )
    meeting.refresh_from_db()
    assert meeting.has_minutes
    assert meeting.follow_ups.count() == 1
    assert {h.minutes for h in meeting.history.all()} == {"", "Minutes written later."}


def event_values(agreement, **overrides):
    values = {
        "agreement": agreement,
        "acting_user": UserFactory(),
        "organising_party": agreement.parties.first(),
        "title": "Exporters forum",
        "held_on": datetime.date(2021, 4, 20),
        "city": "Singapore",
        "country": "Singapore",
        "place": "abroad",
        "audiences": ["enterprises"],
        "attendance": 80,
    }
    values.update(overrides)
    return values


def test_outreach_event_is_recorded_abroad_with_its_audiences():
    agreement = AgreementFactory()
    event = services.outreach_event_create(**event_values(agreement))
    assert event.place_label == "Abroad"
    assert event.audience_labels == ["Micro, small, medium and large enterprises"]


def test_outreach_event_without_an_audience_is_refused():
    agreement = AgreementFactory()
    with pytest.raises(ValidationError, match="at least one audience"):
        services.outreach_event_create(**event_values(agreement, audiences=[]))
    assert not OutreachEvent.objects.exists()


def test_outreach_event_update_changes_the_record():
    agreement = AgreementFactory()
    event = services.outreach_event_create(**event_values(agreement))
    services.outreach_event_update(
        event=event,
        acting_user=event.created_by,
        expected_version=event.version,
        attendance=95,
        outcomes="Two MOUs.",
    )
    event.refresh_from_db()
    assert (event.attendance, event.outcomes) == (95, "Two MOUs.")


def test_outreach_event_in_a_place_the_agreement_does_not_name_is_refused():
    agreement = AgreementFactory()
    with pytest.raises(ValidationError, match="Choose where the event was held"):
        services.outreach_event_create(**event_values(agreement, place="moon"))


def test_outreach_event_for_an_audience_the_agreement_does_not_name_is_refused():
    agreement = AgreementFactory()
    with pytest.raises(ValidationError, match="Not an audience of this agreement: gamers"):
        services.outreach_event_create(**event_values(agreement, audiences=["gamers"]))


def test_meeting_of_a_kind_the_agreement_does_not_name_is_refused():
    agreement = AgreementFactory()
    with pytest.raises(ValidationError, match="meeting kinds"):
        services.meeting_create(**meeting_values(agreement, kind="party"))
