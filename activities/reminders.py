"""Reminders that keep the agreement's meeting calendar (VI.5) and the weekly stale digest.

Each `*_due(on)` function computes from the database what is due as of a day, and each
`*_to_send(on)` says to whom, as plain data (`core.notices.DueNotice`; for the digest, the stale
work and its owners), in a fixed number of queries however many notices. This module only
decides: notifications claims each notice exactly once and delivers it (notifications/jobs.py,
run by notifications/tasks.py). Catch-up comes from the computation: a reminder is due from its
day until the next one supersedes it, so a worker that was down sends it on its next run, once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Commitment
from contacts.models import PointOfContact
from core.notices import DueNotice
from core.time import today

from .models import Meeting, Milestone
from .quarters import Quarter, local_date


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a local day, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _in_force(on: datetime.date) -> QuerySet[Agreement]:
    return Agreement.objects.in_force(on)


# --- reminders before a quarterly meeting ----------------------------------------------


@dataclass(frozen=True)
class MeetingReminder:
    meeting: Meeting
    days_before: int  # the offset reached: 14 or 1 by default (MEETING_REMINDER_DAYS)

    @property
    def meeting_day(self) -> datetime.date:
        return local_date(self.meeting.starts_at)

    @property
    def occasion(self) -> str:
        return f"meeting {self.meeting.pk} on {self.meeting_day.isoformat()}, {self.days_before} days before"


def meeting_reminders_due(on: datetime.date | None = None) -> list[MeetingReminder]:
    """Quarterly meetings of agreements in force, coming within the largest reminder offset.

    The reminder due is the smallest offset the meeting is within (a meeting scheduled five
    days ahead gets its 14-day reminder at once, then the 1-day one). The occasion names the
    meeting's day, so a rescheduled meeting is reminded of again.
    """
    on = on or today()
    offsets = sorted(settings.MEETING_REMINDER_DAYS)
    if not offsets:
        return []
    meetings = (
        Meeting.objects.filter(
            kind=Meeting.Kind.QUARTERLY,
            is_cancelled=False,
            agreement__in=_in_force(on),
            starts_at__gte=_start_of(on),
            starts_at__lt=_start_of(on + datetime.timedelta(days=offsets[-1] + 1)),
        )
        .select_related("agreement")
        .order_by("starts_at", "pk")
    )
    due = []
    for meeting in meetings:
        days_until = (local_date(meeting.starts_at) - on).days
        reached = [o for o in offsets if days_until <= o]
        if reached:
            due.append(MeetingReminder(meeting, min(reached)))
    return due


def _active_contacts_by_agreement(
    agreements, on: datetime.date, **filters
) -> dict[int, list[PointOfContact]]:
    """The active points of contact of these agreements, per agreement, in one query."""
    found: dict[int, list[PointOfContact]] = defaultdict(list)
    for contact in PointOfContact.objects.active(on).filter(agreement__in=list(agreements), **filters):
        found[contact.agreement_id].append(contact)
    return found


def meeting_reminders_to_send(on: datetime.date | None = None) -> list[DueNotice]:
    """The due reminders: to the attendees (users and contacts) and both parties' active points
    of contact; the recipients of all the meetings are read in a few queries in all."""
    on = on or today()
    due = meeting_reminders_due(on)
    meetings = [r.meeting for r in due]
    prefetch_related_objects(meetings, "attendee_users", "attendee_contacts")
    parties_contacts = _active_contacts_by_agreement({m.agreement_id for m in meetings}, on)
    return [
        DueNotice(
            agreement=reminder.meeting.agreement,
            occasion=reminder.occasion,
            users=list(reminder.meeting.attendee_users.all()),
            contacts=list(reminder.meeting.attendee_contacts.all())
            + parties_contacts[reminder.meeting.agreement_id],
            context={
                "meeting": reminder.meeting,
                "meeting_day": reminder.meeting_day,
                "meeting_starts": timezone.localtime(reminder.meeting.starts_at),
                "days_before": reminder.days_before,
            },
            link=_meeting_link(reminder.meeting),
        )
        for reminder in due
    ]


def _meeting_link(meeting: Meeting) -> str:
    return meeting.get_absolute_url()


# --- a quarter with no quarterly meeting scheduled by its 30th day -----------------------


@dataclass(frozen=True)
class UnscheduledQuarter:
    agreement: Agreement
    quarter: Quarter

    @property
    def occasion(self) -> str:
        return f"{self.quarter} unscheduled"


def unscheduled_quarters_due(on: datetime.date | None = None) -> list[UnscheduledQuarter]:
    """Agreements in force with no quarterly meeting in the current quarter by its 30th day."""
    on = on or today()
    quarter = Quarter.containing(on)
    deadline = quarter.starts_on + datetime.timedelta(days=settings.QUARTERLY_MEETING_SCHEDULED_BY_DAY - 1)
    if on < deadline:
        return []
    scheduled = Meeting.objects.filter(
        kind=Meeting.Kind.QUARTERLY,
        is_cancelled=False,
        starts_at__gte=_start_of(quarter.starts_on),
        starts_at__lt=_start_of(quarter.next().starts_on),
    ).values("agreement")
    return [UnscheduledQuarter(a, quarter) for a in _in_force(on).exclude(pk__in=scheduled)]


def unscheduled_quarter_notices_to_send(on: datetime.date | None = None) -> list[DueNotice]:
    """The notices telling the parties' coordinators to schedule the quarter's meeting."""
    on = on or today()
    due = unscheduled_quarters_due(on)
    coordinators = _active_contacts_by_agreement([d.agreement for d in due], on, is_coordinator=True)
    return [
        DueNotice(
            agreement=d.agreement,
            occasion=d.occasion,
            contacts=coordinators[d.agreement.pk],
            context={"quarter": d.quarter, "quarter_ends": d.quarter.ends_on},
            link=reverse("activities:meeting_list"),
        )
        for d in due
    ]


# --- a held meeting still without minutes a week later ----------------------------------


def meetings_missing_minutes(on: datetime.date | None = None) -> QuerySet[Meeting]:
    """Meetings of agreements in force, held MINUTES_DUE_AFTER_DAYS or more ago, with no minutes."""
    on = on or today()
    held_by = on - datetime.timedelta(days=settings.MINUTES_DUE_AFTER_DAYS)
    return (
        Meeting.objects.filter(
            is_cancelled=False,
            agreement__in=_in_force(on),
            starts_at__lt=_start_of(held_by + datetime.timedelta(days=1)),
            minutes__regex=r"^\s*$",
        )
        .select_related("agreement", "organiser")
        .order_by("starts_at", "pk")
    )


def minutes_nudges_to_send(on: datetime.date | None = None) -> list[DueNotice]:
    """A nudge to each such meeting's organiser, once per meeting."""
    return [
        DueNotice(
            agreement=meeting.agreement,
            occasion=f"meeting {meeting.pk}",
            users=[meeting.organiser],
            context={"meeting": meeting, "meeting_day": local_date(meeting.starts_at)},
            link=_meeting_link(meeting),
        )
        for meeting in meetings_missing_minutes(on)
    ]


# --- the weekly digest of stale items and overdue milestones ----------------------------


@dataclass
class StaleWork:
    """What the weekly digest is about: items with no update in the stale window (each with its
    owner, a portal user) and overdue milestones (each with its owner: a user or a contact).
    Notifications groups them into one digest per person."""

    stale_items: list[Commitment] = field(default_factory=list)
    overdue_milestones: list[Milestone] = field(default_factory=list)


def digest_week(on: datetime.date) -> str:
    year, week, _ = on.isocalendar()
    return f"week {year}-W{week:02d}"


def stale_work_due(on: datetime.date | None = None) -> StaleWork:
    """Owned items with no update in the stale window, and overdue milestones.

    Only agreements in force count; owners are the item's owner (an active portal user) and
    the milestone's owner (a portal user, or a point of contact reached by e-mail).
    """
    on = on or today()
    in_force = _in_force(on)
    stale = list(
        Commitment.objects.stale_in_force(on)
        .filter(owner__isnull=False, owner__is_active=True)
        .select_related("agreement", "owner")
        .order_by("agreement", "position")
    )
    overdue = list(
        Milestone.objects.overdue(on)
        .filter(commitment__agreement__in=in_force)
        .select_related("commitment__agreement", "owner_user", "owner_contact")
        .order_by("due_on", "pk")
    )
    items = {item.pk: item for item in stale}
    for milestone in overdue:
        # One instance per item, so its link is reversed once however many of its milestones are due.
        milestone.commitment = items.setdefault(milestone.commitment_id, milestone.commitment)
    return StaleWork(stale_items=stale, overdue_milestones=overdue)
