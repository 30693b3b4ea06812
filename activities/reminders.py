"""Reminders that keep the agreement's meeting calendar (VI.5) and the weekly stale digest.

Each `*_due(on)` function computes from the database what is due as of a day; each
`*_claim(on=...)` turns that into notices and claims them all at once in the notification log
(a fixed number of queries however many notices), and each `*_send(on=...)` claims and then
sends the ones it won. Catch-up comes from the computation: a reminder is due from its day
until the next one supersedes it, so a worker that was down sends it on its next run, once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Commitment, today
from contacts.models import PointOfContact
from notifications.models import Kind, Notification
from notifications.services import (
    Notice,
    Recipient,
    notices_claim,
    notices_for,
    notices_send,
    recipient_for_user,
    recipients_from,
    users_by_email,
)

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


def meeting_reminders_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim the due reminders: to the attendees (users and contacts) and both parties' active
    points of contact; the recipients of all the meetings are read in a few queries in all."""
    on = on or today()
    due = meeting_reminders_due(on)
    meetings = [r.meeting for r in due]
    prefetch_related_objects(meetings, "attendee_users", "attendee_contacts")
    parties_contacts = _active_contacts_by_agreement({m.agreement_id for m in meetings}, on)
    contacts_of = {m.pk: list(m.attendee_contacts.all()) + parties_contacts[m.agreement_id] for m in meetings}
    by_email = users_by_email(c for contacts in contacts_of.values() for c in contacts)
    notices: list[Notice] = []
    for reminder in due:
        meeting = reminder.meeting
        notices += notices_for(
            agreement=meeting.agreement,
            kind=Kind.MEETING_REMINDER,
            occasion=reminder.occasion,
            recipients=recipients_from(
                users=meeting.attendee_users.all(), contacts=contacts_of[meeting.pk], by_email=by_email
            ),
            context={
                "meeting": meeting,
                "meeting_day": reminder.meeting_day,
                "meeting_starts": timezone.localtime(meeting.starts_at),
                "days_before": reminder.days_before,
            },
            link=_meeting_link(meeting),
        )
    return notices_claim(notices)


def meeting_reminders_send(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim the due reminders and send the ones this run won."""
    return notices_send(meeting_reminders_claim(on=on))


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


def unscheduled_quarter_notices_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim the notices telling the parties' coordinators to schedule the quarter's meeting."""
    on = on or today()
    due = unscheduled_quarters_due(on)
    coordinators = _active_contacts_by_agreement([d.agreement for d in due], on, is_coordinator=True)
    by_email = users_by_email(c for contacts in coordinators.values() for c in contacts)
    notices: list[Notice] = []
    for d in due:
        notices += notices_for(
            agreement=d.agreement,
            kind=Kind.MEETING_UNSCHEDULED,
            occasion=d.occasion,
            recipients=recipients_from(contacts=coordinators[d.agreement.pk], by_email=by_email),
            context={"quarter": d.quarter, "quarter_ends": d.quarter.ends_on},
            link=reverse("activities:meeting_list"),
        )
    return notices_claim(notices)


def unscheduled_quarter_notices_send(*, on: datetime.date | None = None) -> list[Notification]:
    """Tell the parties' coordinators to schedule the quarter's meeting."""
    return notices_send(unscheduled_quarter_notices_claim(on=on))


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


def minutes_nudges_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim a nudge to each such meeting's organiser, once per meeting."""
    notices: list[Notice] = []
    for meeting in meetings_missing_minutes(on):
        notices += notices_for(
            agreement=meeting.agreement,
            kind=Kind.MINUTES_MISSING,
            occasion=f"meeting {meeting.pk}",
            recipients=recipients_from(users=[meeting.organiser]),
            context={"meeting": meeting, "meeting_day": local_date(meeting.starts_at)},
            link=_meeting_link(meeting),
        )
    return notices_claim(notices)


def minutes_nudges_send(*, on: datetime.date | None = None) -> list[Notification]:
    """Nudge each such meeting's organiser, once per meeting."""
    return notices_send(minutes_nudges_claim(on=on))


# --- the weekly digest of stale items and overdue milestones ----------------------------


@dataclass
class Digest:
    recipient: Recipient
    stale_items: list[Commitment] = field(default_factory=list)
    overdue_milestones: list[Milestone] = field(default_factory=list)


def digest_week(on: datetime.date) -> str:
    year, week, _ = on.isocalendar()
    return f"week {year}-W{week:02d}"


def stale_digests_due(on: datetime.date | None = None) -> list[Digest]:
    """Per owner, their items with no update in the stale window and their overdue milestones.

    Only agreements in force count; owners are the item's owner and the milestone's owner
    (a portal user, or a point of contact reached by e-mail).
    """
    on = on or today()
    in_force = _in_force(on)
    digests: dict[str, Digest] = {}
    stale = (
        Commitment.objects.stale_in_force(on)
        .filter(owner__isnull=False, owner__is_active=True)
        .select_related("agreement", "owner")
        .order_by("agreement", "position")
    )
    for item in stale:
        r = recipient_for_user(item.owner)
        digests.setdefault(r.key, Digest(r)).stale_items.append(item)
    overdue = list(
        Milestone.objects.overdue(on)
        .filter(commitment__agreement__in=in_force)
        .select_related("commitment__agreement", "owner_user", "owner_contact")
        .order_by("due_on", "pk")
    )
    by_email = users_by_email(m.owner_contact for m in overdue if m.owner_contact)
    items = {item.pk: item for digest in digests.values() for item in digest.stale_items}
    for milestone in overdue:
        # One instance per item, so its link is reversed once however many of its milestones are due.
        milestone.commitment = items.setdefault(milestone.commitment_id, milestone.commitment)
        users = [milestone.owner_user] if milestone.owner_user else []
        contacts = [milestone.owner_contact] if milestone.owner_contact else []
        for r in recipients_from(users=users, contacts=contacts, by_email=by_email):
            digests.setdefault(r.key, Digest(r)).overdue_milestones.append(milestone)
    return list(digests.values())


def stale_digests_claim(*, on: datetime.date | None = None) -> list[Notification]:
    """Claim one digest per owner for the ISO week of `on`."""
    on = on or today()
    link = reverse("activities:item_list") + "?stale=1"
    return notices_claim(
        Notice(
            agreement=None,
            kind=Kind.STALE_DIGEST,
            occasion=digest_week(on),
            recipient=digest.recipient,
            context={
                "stale_items": digest.stale_items,
                "overdue_milestones": digest.overdue_milestones,
                "stale_days": settings.STALE_AFTER_DAYS,
                "week": digest_week(on).removeprefix("week "),
                "week_starts": on - datetime.timedelta(days=on.weekday()),
            },
            link=link,
        )
        for digest in stale_digests_due(on)
    )


def stale_digests_send(*, on: datetime.date | None = None) -> list[Notification]:
    """One digest per owner per ISO week; a run later in the week catches up, once."""
    return notices_send(stale_digests_claim(on=on))
