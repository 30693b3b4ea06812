"""Scheduled jobs of the activities app: small, safe to run twice, all logic in reminders.py."""

from celery import shared_task

from . import reminders


@shared_task(acks_late=True)
def send_meeting_reminders() -> int:
    """Reminders 14 days and 1 day before each scheduled quarterly meeting (VI.5)."""
    return len(reminders.meeting_reminders_send())


@shared_task(acks_late=True)
def send_unscheduled_quarter_notices() -> int:
    """By day 30 of a quarter with no quarterly meeting scheduled: tell the coordinators."""
    return len(reminders.unscheduled_quarter_notices_send())


@shared_task(acks_late=True)
def send_minutes_nudges() -> int:
    """A held meeting still without minutes a week later: nudge its organiser."""
    return len(reminders.minutes_nudges_send())


@shared_task(acks_late=True)
def send_stale_digests() -> int:
    """Each owner's weekly digest of stale items and overdue milestones."""
    return len(reminders.stale_digests_send())
