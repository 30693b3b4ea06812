"""A meeting as an iCalendar invitation (iTIP), for the e-mail that sends it to its attendees.

The UID is the meeting's own and the same in the private calendar feed (compliance/calendar.py),
so every invitation and the feed speak of one event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Meeting

#: A meeting's record has a start, not an end: calendars show it as an hour.
MEETING_LENGTH = datetime.timedelta(hours=1)
#: The right-hand side of every UID the portal writes (`meeting-42@moa-portal`).
UID_DOMAIN = "moa-portal"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


@dataclass(frozen=True)
class Invitee:
    """Someone a meeting invitation names as an attendee: an address and the name to show."""

    email: str
    name: str = ""


def meeting_invitation(
    meeting: Meeting,
    *,
    cancel: bool,
    organiser_email: str,
    invitees: Iterable[Invitee],
    url: str,
) -> str:
    """The meeting as an iCalendar invitation (iTIP): METHOD:REQUEST to put it in (or update it
    in) the attendees' calendars, METHOD:CANCEL to take it out.

    The UID is the meeting's, the same in every invitation and in the feed, so a calendar
    replaces what it has; SEQUENCE is the meeting's `sequence`, raised by every change that is
    sent, so a calendar takes the newest invitation and ignores one that arrives late.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//MOA Portal//Meeting invitation//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    starts_at = meeting.starts_at.astimezone(datetime.UTC)
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + MEETING_LENGTH)
    event.add("summary", f"{meeting.agreement.short_name}: {meeting.title}")
    event.add("description", meeting.agenda or meeting.kind_label)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("url", url)
    organiser = vCalAddress(f"mailto:{organiser_email}")
    organiser.params["cn"] = vText(meeting.organiser.get_full_name() or meeting.organiser.get_username())
    event.add("organizer", organiser)
    for invitee in invitees:
        attendee = vCalAddress(f"mailto:{invitee.email}")
        if invitee.name:
            attendee.params["cn"] = vText(invitee.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical().decode()
