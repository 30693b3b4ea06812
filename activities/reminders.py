"""Reminders that keep each agreement's meeting obligations, and the weekly stale digest.

Meeting reminders and "not yet scheduled" notices follow the meeting obligations the
agreement states (agreements.obligations): the meeting kinds that count and the cadence's
periods. An agreement that states no meeting obligation gets neither.

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

from agreements.models import Agreement, Commitment, Obligation
from agreements.periods import Period
from contacts.models import PointOfContact
from core.notices import DueNotice
from core.time import today

from .models import Meeting, Milestone
from .periods import counts_for, current_period
from .quarters import local_date


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a local day, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _in_force(on: datetime.date) -> QuerySet[Agreement]:
    return Agreement.objects.in_force(on)


# --- reminders before a meeting an obligation counts ------------------------------------


def _meeting_obligations_in_force(on: datetime.date) -> list[Obligation]:
    """The meeting obligations of the agreements in force on the day, with their agreements."""
    return list(
        Obligation.objects.meetings()
        .filter(agreement__in=_in_force(on))
        .select_related("agreement", "section")
        .order_by("agreement_id", "position", "pk")
    )


@dataclass(frozen=True)
class MeetingReminder:
    meeting: Meeting
    obligation: Obligation  # the agreement's meeting obligation the meeting counts for
    days_before: int  # the offset reached: 14 or 1 by default (MEETING_REMINDER_DAYS)

    @property
    def meeting_day(self) -> datetime.date:
        return local_date(self.meeting.starts_at)

    @property
    def occasion(self) -> str:
        return f"meeting {self.meeting.pk} on {self.meeting_day.isoformat()}, {self.days_before} days before"


def meeting_reminders_due(on: datetime.date | None = None) -> list[MeetingReminder]:
    """Meetings that count for a meeting obligation of an agreement in force, coming within the
    largest reminder offset.

    The reminder due is the smallest offset the meeting is within (a meeting scheduled five
    days ahead gets its 14-day reminder at once, then the 1-day one). The occasion names the
    meeting's day, so a rescheduled meeting is reminded of again.
    """
    on = on or today()
    offsets = sorted(settings.MEETING_REMINDER_DAYS)
    if not offsets:
        return []
    obligations: dict[int, list[Obligation]] = defaultdict(list)
    for obligation in _meeting_obligations_in_force(on):
        obligations[obligation.agreement_id].append(obligation)
    if not obligations:
        return []
    meetings = (
        Meeting.objects.filter(
            is_cancelled=False,
            agreement__in=list(obligations),
            starts_at__gte=_start_of(on),
            starts_at__lt=_start_of(on + datetime.timedelta(days=offsets[-1] + 1)),
        )
        .select_related("agreement")
        .order_by("starts_at", "pk")
    )
    due = []
    for meeting in meetings:
        counted = [o for o in obligations[meeting.agreement_id] if counts_for(o, meeting)]
        days_until = (local_date(meeting.starts_at) - on).days
        reached = [o for o in offsets if days_until <= o]
        if counted and reached:
            due.append(MeetingReminder(meeting, counted[0], min(reached)))
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
                "obligation": reminder.obligation,
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


# --- a period with no meeting scheduled by its 30th day ------------------------------------


@dataclass(frozen=True)
class UnscheduledPeriod:
    obligation: Obligation
    period: Period

    @property
    def agreement(self) -> Agreement:
        return self.obligation.agreement

    @property
    def occasion(self) -> str:
        return f"{self.obligation.code} {self.period.code} unscheduled"


def scheduling_deadline(period: Period) -> datetime.date:
    """The day by which a period's meeting should be scheduled: its Nth day
    (QUARTERLY_MEETING_SCHEDULED_BY_DAY), or its due day if that comes first."""
    nth_day = period.starts_on + datetime.timedelta(days=settings.QUARTERLY_MEETING_SCHEDULED_BY_DAY - 1)
    return min(nth_day, period.due_on)


def unscheduled_periods_due(on: datetime.date | None = None) -> list[UnscheduledPeriod]:
    """Meeting obligations of agreements in force whose current owed period has no meeting that
    counts by its scheduling deadline (a period the term does not owe asks for none)."""
    on = on or today()
    candidates = []
    for obligation in _meeting_obligations_in_force(on):
        period = current_period(obligation, on)
        if period is not None and on >= scheduling_deadline(period):
            candidates.append(UnscheduledPeriod(obligation, period))
    if not candidates:
        return []
    meetings = Meeting.objects.filter(
        is_cancelled=False,
        agreement__in={c.obligation.agreement_id for c in candidates},
        starts_at__gte=_start_of(min(c.period.starts_on for c in candidates)),
        starts_at__lt=_start_of(max(c.period.ends_on for c in candidates) + datetime.timedelta(days=1)),
    ).only("agreement_id", "kind", "starts_at", "is_cancelled")
    by_agreement: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_agreement[meeting.agreement_id].append(meeting)
    return [
        c
        for c in candidates
        if not any(
            counts_for(c.obligation, m) and c.period.contains(local_date(m.starts_at))
            for m in by_agreement[c.obligation.agreement_id]
        )
    ]


def unscheduled_period_notices_to_send(on: datetime.date | None = None) -> list[DueNotice]:
    """The notices telling the parties' coordinators to schedule the period's meeting."""
    on = on or today()
    due = unscheduled_periods_due(on)
    coordinators = _active_contacts_by_agreement({d.agreement.pk for d in due}, on, is_coordinator=True)
    return [
        DueNotice(
            agreement=d.agreement,
            occasion=d.occasion,
            contacts=coordinators[d.agreement.pk],
            context={"obligation": d.obligation, "period": d.period, "period_ends": d.period.ends_on},
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


def milestones_newly_overdue(on: datetime.date | None = None) -> list[Milestone]:
    """Milestones of agreements in force that became overdue within NOTICE_CATCH_UP_DAYS of `on`.

    Each is announced once (to webhooks); the window keeps a first run from announcing every
    milestone that has been late for years, and lets a run missed for a few days catch up.
    """
    on = on or today()
    since = on - datetime.timedelta(days=settings.NOTICE_CATCH_UP_DAYS + 1)
    return list(
        Milestone.objects.overdue(on)
        .filter(due_on__gte=since, commitment__agreement__in=_in_force(on))
        .select_related("commitment__agreement")
        .prefetch_related("commitment__agreement__parties")
        .order_by("due_on", "pk")
    )


#: The fields of an overdue milestone, its item and its owners that a digest reads.
DIGEST_MILESTONE_FIELDS = (
    "id",
    "title",
    "due_on",
    "commitment__id",
    "commitment__agreement_id",
    "commitment__code",
    "commitment__title",
    "commitment__position",
    "owner_user",
    "owner_contact",
)


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
        # What a digest shows of a milestone and its item (and links with), and the owners in
        # full: at scale 10 the 60,000 overdue milestones each read their item's and
        # agreement's whole rows (descriptions, the agreement's purpose), 7.6 s of the job.
        .select_related("commitment", "owner_user", "owner_contact")
        .only(*DIGEST_MILESTONE_FIELDS)
        .order_by("due_on", "pk")
    )
    # Each agreement once (2,000), not once per milestone.
    agreements = Agreement.objects.in_bulk({m.commitment.agreement_id for m in overdue})
    items = {item.pk: item for item in stale}
    for milestone in overdue:
        # One instance per item, so its link is reversed once however many of its milestones are due.
        item = items.setdefault(milestone.commitment_id, milestone.commitment)
        if item is milestone.commitment:
            item.agreement = agreements[item.agreement_id]
        milestone.commitment = item
    return StaleWork(stale_items=stale, overdue_milestones=overdue)
