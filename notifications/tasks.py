"""Scheduled jobs: small, safe to run twice; the domain apps decide, jobs.py claims and delivers.

Each notice job takes an optional ISO day to compute what was due on it (default: today), so a
job can be re-run for a past day; the notification log still keeps every notice to once. The
task names are what django-celery-beat's schedule stores (setup_schedule); they were
`agreements.tasks.*` and `activities.tasks.*` before the jobs moved here, and setup_schedule
moves rows that still name those.
"""

import datetime

from celery import shared_task

from . import jobs, webhook_events
from .runs import job_runs_prune
from .services import notices_deliver_ids, notices_deliver_pending


def _day(on: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(on) if on else None


@shared_task(acks_late=True)
def send_term_notices(on: str | None = None) -> int:
    """The term countdown as of today (or the ISO day given): how many notices this run sent.

    A claim of NOTIFICATION_QUEUE_FROM or more is queued for the mail workers instead (0 here)."""
    return len(jobs.term_notices_send(on=_day(on)))


@shared_task(acks_late=True)
def send_meeting_reminders(on: str | None = None) -> int:
    """Reminders 14 days and 1 day before each meeting a meeting obligation counts."""
    return len(jobs.meeting_reminders_send(on=_day(on)))


@shared_task(acks_late=True)
def send_unscheduled_quarter_notices(on: str | None = None) -> int:
    """By day 30 of a meeting obligation's period with no meeting scheduled: tell the coordinators.

    The task keeps its name (the beat schedule refers to it); what it does follows the obligations."""
    return len(jobs.unscheduled_quarter_notices_send(on=_day(on)))


@shared_task(acks_late=True)
def send_minutes_nudges(on: str | None = None) -> int:
    """A held meeting still without minutes a week later: nudge its organiser."""
    return len(jobs.minutes_nudges_send(on=_day(on)))


@shared_task(acks_late=True)
def send_stale_digests(on: str | None = None) -> int:
    """Each owner's weekly digest of stale items and overdue milestones."""
    return len(jobs.stale_digests_send(on=_day(on)))


@shared_task(acks_late=True)
def send_milestone_overdue_events(on: str | None = None) -> int:
    """Each milestone that fell overdue, to the webhooks subscribed: how many deliveries went."""
    return len(webhook_events.milestones_overdue_send(on=_day(on)))


@shared_task(acks_late=True)
def deliver_pending_notices() -> int:
    """Retries after their pause, and what a killed worker had claimed; how many were sent."""
    sent = notices_deliver_pending()
    job_runs_prune()
    return sent


@shared_task(acks_late=True)
def deliver_notices(ids: list[int]) -> int:
    """A chunk of a large claim (services.notices_queue), on the mail queue: how many were sent.

    Safe to run twice: each notice is taken before it is sent, so none goes twice."""
    return notices_deliver_ids(ids=ids)
