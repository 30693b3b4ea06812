"""A staff user schedules an upcoming meeting in the browser; its attendee receives a calendar
invitation by e-mail (a real SMTP server on loopback), parsed with `icalendar`."""

import datetime
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from activities.models import Meeting
from core.time import today
from moa_portal.tests.smtp import RecordingSMTP


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


def test_a_scheduled_meeting_reaches_its_attendee_as_a_calendar_invitation(
    page: Page, login, smtp, dhs_staff, moa
):
    dhs_staff.email = "sam.ortiz@dhs.example"
    dhs_staff.save()
    day = today() + datetime.timedelta(days=14)
    login(page, dhs_staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name="Record a meeting").click()
    page.get_by_label("Title").fill("Next quarter's DOC–DHS call")
    page.get_by_label("Date and time").fill(f"{day.isoformat()}T10:00")
    page.get_by_role("checkbox", name="Sam Ortiz (DHS)").check()
    page.get_by_role("button", name="Record meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Next quarter's DOC–DHS call")

    meeting = Meeting.objects.get(title="Next quarter's DOC–DHS call")
    with smtp.recorder.lock:
        sent = [
            message_from_bytes(data, policy=policy.default)
            for rcpts, data in smtp.recorder.messages
            if "sam.ortiz@dhs.example" in rcpts
        ]
    assert len(sent) == 1
    [part] = [p for p in sent[0].walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["method"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"meeting-{meeting.pk}@moa-portal"
    assert event["sequence"] == 0
    assert event["dtstart"].dt == meeting.starts_at
