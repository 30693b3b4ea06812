"""Scheduled jobs of the activities app: small, safe to run twice, all logic in reminders.py.

Each takes an optional ISO day to compute what was due on it (default: today), so a job can
be re-run for a past day; the notification log still keeps every notice to once.
"""

import datetime

from celery import shared_task

from . import reminders


def _day(on: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(on) if on else None


@shared_task(acks_late=True)
def send_meeting_reminders(on: str | None = None) -> int:
    """Reminders 14 days and 1 day before each scheduled quarterly meeting (VI.5)."""
    return len(reminders.meeting_reminders_send(on=_day(on)))


@shared_task(acks_late=True)
def send_unscheduled_quarter_notices(on: str | None = None) -> int:
    """By day 30 of a quarter with no quarterly meeting scheduled: tell the coordinators."""
    return len(reminders.unscheduled_quarter_notices_send(on=_day(on)))


@shared_task(acks_late=True)
def send_minutes_nudges(on: str | None = None) -> int:
    """A held meeting still without minutes a week later: nudge its organiser."""
    return len(reminders.minutes_nudges_send(on=_day(on)))


@shared_task(acks_late=True)
def send_stale_digests(on: str | None = None) -> int:
    """Each owner's weekly digest of stale items and overdue milestones."""
    return len(reminders.stale_digests_send(on=_day(on)))
