"""The private iCalendar feed: meetings, milestone due dates and the term's key dates.

A calendar client (Outlook, Google, Apple) polls the feed without signing in, so the feed
shows what its owner may see today: the agreements of their party, as permissions decide.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Count
from django.utils import timezone
from icalendar import Calendar, Event

from activities.models import Meeting, Milestone
from agreements.permissions import visible_agreements
from core.time import today

from . import links

MEETING_LENGTH = datetime.timedelta(hours=1)
UID_DOMAIN = "moa-portal"


def _all_day(uid: str, day: datetime.date, summary: str, description: str, url: str, stamp) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def calendar_for(user, absolute: Callable[[str], str]) -> bytes:
    """The feed's content for `user`; `absolute` turns a path into a full URL for the links."""
    stamp = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//MOA Portal//Agreement calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "MOA Portal")
    agreements = list(
        visible_agreements(user)
        .annotate(party_count=Count("parties", distinct=True))
        .prefetch_related("modifications__executions")
        .order_by("pk")
    )
    for a in agreements:
        url = absolute(a.get_absolute_url())
        term = a.term_on(today(), party_count=a.party_count)
        term_dates = [
            ("executed", term.starts_on, f"{a.short_name}: executed; the term starts (VII)"),
            ("expires", term.expires_on, f"{a.short_name}: the term expires (VII)"),
            ("terminated", a.terminated_on, f"{a.short_name}: terminated"),
        ]
        for key, day, summary in term_dates:
            if day:
                calendar.add_component(_all_day(f"agreement-{a.pk}-{key}", day, summary, a.title, url, stamp))
    ids = [a.pk for a in agreements]
    meetings = Meeting.objects.filter(agreement_id__in=ids).select_related("agreement").order_by("starts_at")
    for m in meetings:
        event = Event()
        event.add("uid", f"meeting-{m.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", m.starts_at)
        event.add("dtend", m.starts_at + MEETING_LENGTH)
        event.add("summary", f"{m.agreement.short_name}: {m.title}")
        event.add("description", m.agenda or m.get_kind_display())
        if m.location:
            event.add("location", m.location)
        event.add("status", "CANCELLED" if m.is_cancelled else "CONFIRMED")
        event.add("url", absolute(links.url_for("activities:meeting_detail", pk=m.pk)))
        calendar.add_component(event)
    milestones = (
        Milestone.objects.filter(commitment__agreement_id__in=ids, cancelled_on__isnull=True)
        .select_related("commitment__agreement")
        .order_by("due_on", "pk")
    )
    for ms in milestones:
        item = ms.commitment
        done = f" (completed {ms.completed_on})" if ms.completed_on else ""
        calendar.add_component(
            _all_day(
                f"milestone-{ms.pk}",
                ms.due_on,
                f"Due: {ms.title} ({item.code}){done}",
                f"{item.agreement.short_name}, {item.code} {item.title}",
                absolute(item.get_absolute_url()),
                stamp,
            )
        )
    return calendar.to_ical()
