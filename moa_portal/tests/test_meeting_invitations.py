"""Meetings are sent to their attendees as calendar invitations, through the notices' delivery to
a real SMTP server on loopback: the e-mail's invitation.ics is parsed with `icalendar`."""

from __future__ import annotations

import datetime
from email import message_from_bytes, policy
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from activities import services
from activities.models import Meeting
from agreements.tests.factories import UserFactory
from contacts.tests.factories import PointOfContactFactory
from moa_portal.tests.smtp import RecordingSMTP
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
TODAY = datetime.datetime(2018, 5, 1, 9, 0, tzinfo=NY)
STARTS = datetime.datetime(2018, 5, 15, 10, 0, tzinfo=NY)


@pytest.fixture
def smtp(settings):
    server = RecordingSMTP()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def organiser(doc):
    return UserFactory(username="doc.organiser", party=doc, email="organiser@example.gov")


@pytest.fixture
def attendee(dhs):
    return UserFactory(username="dhs.attendee", party=dhs, email="attendee@example.gov")


@pytest.fixture
def contact(moa, dhs):
    return PointOfContactFactory(
        agreement=moa, party=dhs, person_name="Rae Lind", email="rae.lind@example.gov"
    )


def mails(smtp: RecordingSMTP) -> dict[str, list[Message]]:
    """Each recipient's messages, in the order the server took them."""
    found: dict[str, list[Message]] = {}
    with smtp.recorder.lock:
        for rcpts, data in smtp.recorder.messages:
            for address in rcpts:
                found.setdefault(address, []).append(message_from_bytes(data, policy=policy.default))
    return found


def subject(message: Message) -> str:
    """The subject as a mail program shows it (Django folds a long non-ASCII one onto a new line)."""
    return str(message["Subject"]).strip()


def invitation(message: Message) -> tuple[Message, Calendar]:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_filename() == "invitation.ics"
    return part, Calendar.from_ical(part.get_payload(decode=True))


def schedule(moa, organiser, attendee, contact, django_capture_on_commit_callbacks, **extra) -> Meeting:
    with django_capture_on_commit_callbacks(execute=True):
        return services.meeting_create(
            agreement=moa,
            acting_user=organiser,
            kind="quarterly",
            title="Quarterly DOC–DHS call",
            starts_at=STARTS,
            format=Meeting.Format.VIDEO,
            location="Video link in the agenda",
            agenda="De minimis thresholds.",
            attendee_users=[attendee],
            attendee_contacts=[contact],
            **extra,
        )


def change(meeting, organiser, django_capture_on_commit_callbacks, **fields) -> Meeting:
    meeting.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        return services.meeting_update(
            meeting=meeting, acting_user=organiser, expected_version=meeting.version, **fields
        )


def test_a_scheduled_meeting_is_sent_to_each_attendee_as_a_request(
    smtp, moa, organiser, attendee, contact, django_capture_on_commit_callbacks
):
    meeting = schedule(moa, organiser, attendee, contact, django_capture_on_commit_callbacks)
    received = mails(smtp)
    assert set(received) == {"organiser@example.gov", "attendee@example.gov", "rae.lind@example.gov"}
    message = received["attendee@example.gov"][0]
    assert subject(message) == "Invitation: Quarterly DOC–DHS call, May 15, 2018"
    part, calendar = invitation(message)
    assert part.get_param("method") == "REQUEST"
    assert calendar["method"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"meeting-{meeting.pk}@moa-portal"
    assert event["sequence"] == 0
    assert event["dtstart"].dt == STARTS
    assert str(event["location"]) == "Video link in the agenda"
    assert str(event["organizer"]) == "mailto:organiser@example.gov"
    assert {str(a) for a in event["attendee"]} == {
        "mailto:organiser@example.gov",
        "mailto:attendee@example.gov",
        "mailto:rae.lind@example.gov",
    }


def test_a_changed_meeting_is_sent_again_with_the_same_uid_and_the_next_sequence(
    smtp, moa, organiser, attendee, contact, django_capture_on_commit_callbacks
):
    meeting = schedule(moa, organiser, attendee, contact, django_capture_on_commit_callbacks)
    change(
        meeting, organiser, django_capture_on_commit_callbacks, starts_at=STARTS + datetime.timedelta(hours=2)
    )
    first, second = mails(smtp)["attendee@example.gov"]
    assert subject(second) == "Updated invitation: Quarterly DOC–DHS call, May 15, 2018"
    [before] = invitation(first)[1].walk("VEVENT")
    part, calendar = invitation(second)
    [after] = calendar.walk("VEVENT")
    assert calendar["method"] == "REQUEST"
    assert str(after["uid"]) == str(before["uid"]) == f"meeting-{meeting.pk}@moa-portal"
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert after["dtstart"].dt == STARTS + datetime.timedelta(hours=2)


def test_a_cancelled_meeting_is_sent_as_a_cancel(
    smtp, moa, organiser, attendee, contact, django_capture_on_commit_callbacks
):
    meeting = schedule(moa, organiser, attendee, contact, django_capture_on_commit_callbacks)
    change(meeting, organiser, django_capture_on_commit_callbacks, is_cancelled=True)
    cancel = mails(smtp)["rae.lind@example.gov"][-1]
    assert subject(cancel) == "Cancelled: Quarterly DOC–DHS call, May 15, 2018"
    part, calendar = invitation(cancel)
    assert part.get_param("method") == "CANCEL"
    assert calendar["method"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"meeting-{meeting.pk}@moa-portal"
    assert event["sequence"] == 1
    assert str(event["status"]) == "CANCELLED"


def test_an_attendee_taken_off_the_meeting_is_sent_a_cancel_and_the_others_an_update(
    smtp, moa, organiser, attendee, contact, django_capture_on_commit_callbacks
):
    meeting = schedule(moa, organiser, attendee, contact, django_capture_on_commit_callbacks)
    change(meeting, organiser, django_capture_on_commit_callbacks, attendee_users=[])
    received = mails(smtp)
    removed = invitation(received["attendee@example.gov"][-1])[1]
    kept = invitation(received["rae.lind@example.gov"][-1])[1]
    assert (removed["method"], kept["method"]) == ("CANCEL", "REQUEST")
    [event] = kept.walk("VEVENT")
    assert "mailto:attendee@example.gov" not in {str(a) for a in event["attendee"]}


def test_minutes_added_later_send_no_invitation(
    smtp, moa, organiser, attendee, contact, django_capture_on_commit_callbacks
):
    meeting = schedule(moa, organiser, attendee, contact, django_capture_on_commit_callbacks)
    change(meeting, organiser, django_capture_on_commit_callbacks, decisions="Agreed to share data.")
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert len(mails(smtp)["attendee@example.gov"]) == 1


def test_a_meeting_recorded_after_it_was_held_sends_no_invitation(
    smtp, moa, organiser, attendee, contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_create(
            agreement=moa,
            acting_user=organiser,
            kind="quarterly",
            title="Held last month",
            starts_at=TODAY - datetime.timedelta(days=30),
            format=Meeting.Format.CALL,
            attendee_users=[attendee],
        )
    assert mails(smtp) == {}
    assert not Notification.objects.filter(kind=Kind.MEETING_INVITATION).exists()


def test_the_invitation_is_kept_on_the_notice_for_a_retry(
    smtp, moa, organiser, attendee, contact, django_capture_on_commit_callbacks
):
    meeting = schedule(moa, organiser, attendee, contact, django_capture_on_commit_callbacks)
    notice = Notification.objects.get(kind=Kind.MEETING_INVITATION, email="attendee@example.gov")
    assert notice.status == Notification.Status.SENT
    assert notice.occasion == f"meeting {meeting.pk} invitation 0"
    assert Calendar.from_ical(notice.calendar)["method"] == "REQUEST"
