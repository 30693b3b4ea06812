"""The private iCalendar feed: meetings, milestone due dates, the term's key dates, the day
each owed period of a recurring obligation falls due (from the agreement's obligations),
outreach events, and the due dates of meeting follow-up actions.

A calendar client (Outlook, Google, Apple) polls the feed without signing in, so the feed
shows what its owner may see today: the agreements of their party, as permissions decide.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import models
from django.db.models import Count
from django.utils import timezone
from icalendar import Calendar, Event

from activities.invitations import MEETING_LENGTH, UID_DOMAIN, meeting_uid
from activities.models import FollowUpAction, Meeting, Milestone, OutreachEvent
from agreements.agreement_file.document import CadenceKind
from agreements.models import Obligation
from agreements.periods import Rule, owed_periods
from agreements.permissions import User, visible_agreements
from core.time import today

from . import links

# An open-ended term has no last period: the feed lists the periods due up to a year ahead.
FEED_AHEAD = datetime.timedelta(days=366)

logger = logging.getLogger(__name__)


_Record = TypeVar("_Record", bound=models.Model)


def _add_each(
    calendar: Calendar, what: str, records: Iterable[_Record], build: Callable[[_Record], Event]
) -> None:
    """Add one event per record; a record whose dates cannot be drawn (9999-12-31 plus a day)
    is left out and logged, so one bad row never takes the whole feed down."""
    for record in records:
        try:
            calendar.add_component(build(record))
        except (OverflowError, ValueError, TypeError):
            logger.warning("calendar feed: skipped %s %s, its dates cannot be drawn", what, record.pk)


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


def calendar_for(user: User, absolute: Callable[[str], str]) -> bytes:
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
        clause = f" ({term.clause})" if term.clause else ""
        term_dates = [
            ("executed", term.starts_on, f"{a.short_name}: executed; the term starts{clause}"),
            ("expires", term.expires_on, f"{a.short_name}: the term expires{clause}"),
            ("notice", term.notice_deadline, f"{a.short_name}: last day to give notice of non-renewal"),
            ("terminated", a.terminated_on, f"{a.short_name}: terminated"),
        ]
        for key, day, summary in term_dates:
            if day:
                try:
                    event = _all_day(f"agreement-{a.pk}-{key}", day, summary, a.title, url, stamp)
                except (OverflowError, ValueError):
                    logger.warning(
                        "calendar feed: skipped agreement %s %s, its date cannot be drawn", a.pk, key
                    )
                    continue
                calendar.add_component(event)
    ids = [a.pk for a in agreements]
    by_id = {a.pk: a for a in agreements}
    obligations = (
        Obligation.objects.filter(agreement_id__in=ids)
        .exclude(cadence=CadenceKind.CONTINUOUS)
        .select_related("section")
        .order_by("agreement_id", "position", "pk")
    )
    for o in obligations:
        a = by_id[o.agreement_id]
        ends_before = a.ends_on
        until = None if ends_before else today() + FEED_AHEAD
        for period in owed_periods(Rule.of(o), a.executed_on, ends_before, until=until):
            calendar.add_component(
                _all_day(
                    f"obligation-{o.pk}-{period.code}",
                    period.due_on,
                    f"{a.short_name}: due, {o.title} ({o.section.number}), {period}",
                    a.title,
                    absolute(a.get_absolute_url()),
                    stamp,
                )
            )
    meetings = (
        Meeting.objects.with_labels()
        .filter(agreement_id__in=ids)
        .select_related("agreement")
        .order_by("starts_at")
    )

    def meeting_event(m: Meeting) -> Event:
        event = Event()
        event.add("uid", meeting_uid(m))
        event.add("dtstamp", stamp)
        event.add("dtstart", m.starts_at)
        event.add("dtend", m.starts_at + MEETING_LENGTH)
        event.add("summary", f"{m.agreement.short_name}: {m.title}")
        event.add("description", m.agenda or m.kind_label)
        if m.location:
            event.add("location", m.location)
        event.add("status", "CANCELLED" if m.is_cancelled else "CONFIRMED")
        event.add("url", absolute(links.url_for("activities:meeting_detail", pk=m.pk)))
        return event

    _add_each(calendar, "meeting", meetings, meeting_event)
    milestones = (
        Milestone.objects.filter(commitment__agreement_id__in=ids, cancelled_on__isnull=True)
        .select_related("commitment__agreement")
        .order_by("due_on", "pk")
    )

    def milestone_event(ms: Milestone) -> Event:
        item = ms.commitment
        done = f" (completed {ms.completed_on})" if ms.completed_on else ""
        return _all_day(
            f"milestone-{ms.pk}",
            ms.due_on,
            f"Due: {ms.title} ({item.code}){done}",
            f"{item.agreement.short_name}, {item.code} {item.title}",
            absolute(item.get_absolute_url()),
            stamp,
        )

    _add_each(calendar, "milestone", milestones, milestone_event)
    events = (
        OutreachEvent.objects.filter(agreement_id__in=ids)
        .select_related("agreement")
        .order_by("held_on", "pk")
    )

    def outreach_event(e: OutreachEvent) -> Event:
        return _all_day(
            f"event-{e.pk}",
            e.held_on,
            f"{e.agreement.short_name}: {e.title}, {e.city}, {e.country}",
            e.outcomes or e.title,
            absolute(e.get_absolute_url()),
            stamp,
        )

    _add_each(calendar, "outreach event", events, outreach_event)
    follow_ups = (
        FollowUpAction.objects.filter(meeting__agreement_id__in=ids)
        .select_related("meeting__agreement", "owner_user", "owner_contact")
        .order_by("due_on", "pk")
    )

    def follow_up_event(f: FollowUpAction) -> Event:
        done = f" (completed {f.completed_on})" if f.completed_on else ""
        owner = f", {f.owner_name}" if f.owner_name else ""
        first_line = f.description.strip().splitlines()[0] if f.description.strip() else ""
        return _all_day(
            f"follow-up-{f.pk}",
            f.due_on,
            f"Follow-up due: {first_line[:120]}{owner}{done}",
            f"{f.meeting.agreement.short_name}, from the meeting {f.meeting.title}: {f.description}",
            absolute(f.meeting.get_absolute_url()),
            stamp,
        )

    _add_each(calendar, "follow-up action", follow_ups, follow_up_event)
    return calendar.to_ical()
